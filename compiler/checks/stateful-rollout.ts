import type { Diagnostic } from "../diagnostics.js";
import type { ModelRule } from "./types.js";

/**
 * A service with persistent per-replica state runs as a StatefulSet, which Argo Rollouts cannot drive:
 * a canary or blue-green rollout for it would never be rendered as one.
 */
export const statefulRolloutRule: ModelRule = {
  id: "rollout/stateful-strategy",
  severity: "error",
  stage: "model",
  description: "A service with persistent per-replica state (a StatefulSet) uses a canary or blue-green rollout, which Argo Rollouts cannot drive.",
  check(model) {
    const out: Diagnostic[] = [];
    for (const d of model.deployments) {
      if (d.state.length === 0) continue;
      const rollout = model.rollouts.find((r) => r.name === d.rollout);
      if (!rollout || (rollout.strategy !== "canary" && rollout.strategy !== "blueGreen")) continue;
      const service = model.services.find((s) => s.name === d.service)!;
      out.push({
        rule: this.id,
        severity: "error",
        path: d.rolloutAt ?? [...service.at, "state"],
        message: `${d.service} keeps per-replica state (${d.state.map((v) => v.name).join(", ")}), so it runs as a StatefulSet, but rollout '${rollout.name}' in ${d.environment} is a ${rollout.strategy}, which Argo Rollouts cannot drive on a StatefulSet`,
        hint: `give ${d.service} a rolling rollout there (services[].overrides.${d.environment}.rollout): the StatefulSet replaces one pod at a time, highest ordinal first, each Ready before the next`,
      });
    }
    return out;
  },
};
