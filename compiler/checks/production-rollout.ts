import type { Diagnostic } from "../diagnostics.js";
import type { ModelRule } from "./types.js";

/**
 * Production must be guarded twice: a human gate (approval) and an automated one (analysis). A service
 * with persistent per-replica state runs as a StatefulSet, which no analysed canary can drive; its
 * automated gate is the StatefulSet's own rolling update instead: one pod at a time, highest ordinal
 * first, the next replaced only once the new one passes its readiness probe (a failing pod halts the
 * update). So production accepts exactly that for it: a `rolling` rollout and a readiness probe.
 */
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
      const all = model.deployments.filter((d) => d.environment === env.name);
      for (const d of all.filter((x) => x.state.length > 0)) {
        const service = model.services.find((s) => s.name === d.service)!;
        const chosen = model.rollouts.find((r) => r.name === d.rollout);
        // A canary or blue-green is rollout/stateful-strategy's finding.
        if (chosen?.strategy === "canary" || chosen?.strategy === "blueGreen") continue;
        if (chosen?.strategy !== "rolling") {
          out.push({
            rule: this.id,
            severity: "error",
            path: d.rolloutAt ?? [...env.at, "name"],
            message: `${d.service} runs as a StatefulSet in production environment '${env.name}' with ${chosen ? `rollout '${chosen.name}' (${chosen.strategy})` : "no rollout"}: every pod is replaced at once, unchecked`,
            hint: `give it a rolling rollout (services[].overrides.${env.name}.rollout): pod by pod, each Ready before the next`,
          });
        } else if (!service.probes.readiness) {
          out.push({
            rule: this.id,
            severity: "error",
            path: [...service.at, "probes"],
            message: `${d.service} runs as a StatefulSet in production environment '${env.name}' without a readiness probe: its rolling update replaces every pod without checking one`,
            hint: "add probes.readiness: the StatefulSet replaces the next pod only once the new one is Ready",
          });
        }
      }
      // Services that choose their own rollout here are checked one by one below (StatefulSets above).
      const deployments = all.filter((d) => d.state.length === 0);
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
      const envRolloutUsed = all.length === 0 || own.length < deployments.length;
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
