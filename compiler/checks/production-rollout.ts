import type { Diagnostic } from "../diagnostics.js";
import type { ModelRule } from "./types.js";

/** Production must be guarded twice: a human gate (approval) and an automated one (analysis). */
export const productionRolloutRule: ModelRule = {
  id: "rollout/unguarded-production",
  severity: "error",
  stage: "model",
  description: "A production environment without approval, or whose rollout has no automated analysis.",
  check(model) {
    const out: Diagnostic[] = [];
    for (const env of model.environments) {
      if (!env.production) continue;
      if (env.approval === "none") {
        out.push({
          rule: this.id,
          severity: "error",
          path: [...env.at, "approval"],
          message: `production environment '${env.name}' deploys with no approval`,
          hint: 'set approval: "pr" or "pr+manual"',
        });
      }
      // Services that choose their own rollout here are checked one by one below.
      const deployments = model.deployments.filter((d) => d.environment === env.name);
      const own = deployments.filter((d) => d.rolloutAt !== undefined && d.rolloutAt[0] === "services");
      for (const d of own) {
        const chosen = model.rollouts.find((r) => r.name === d.rollout);
        if (chosen && chosen.analyses.length > 0) continue;
        out.push({
          rule: this.id,
          severity: "error",
          path: d.rolloutAt!,
          message: `${d.service} uses rollout '${d.rollout}' in production environment '${env.name}'${chosen ? ` (${chosen.strategy}) with no analysis` : ""}: a bad release reaches every user`,
          hint: "use a canary or blue-green rollout with at least one analysis that measures this service",
        });
      }
      const rollout = model.rollouts.find((r) => r.name === env.rollout);
      const envRolloutUsed = deployments.length === 0 || own.length < deployments.length;
      if (envRolloutUsed && (!rollout || rollout.analyses.length === 0)) {
        out.push({
          rule: this.id,
          severity: "error",
          path: [...env.at, env.rollout === undefined ? "name" : "rollout"],
          message: rollout
            ? `production environment '${env.name}' uses rollout '${rollout.name}' (${rollout.strategy}) with no analysis: a bad release reaches every user`
            : `production environment '${env.name}' has no rollout policy: a bad release reaches every user`,
          hint: "use a canary or blue-green rollout with at least one analysis",
        });
      }
    }
    return out;
  },
};
