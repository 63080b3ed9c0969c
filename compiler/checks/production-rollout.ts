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
      const rollout = model.rollouts.find((r) => r.name === env.rollout);
      if (!rollout || rollout.analyses.length === 0) {
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
