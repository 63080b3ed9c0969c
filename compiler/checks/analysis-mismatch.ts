import type { Diagnostic } from "../diagnostics.js";
import { lookup } from "../model-lookup.js";
import type { ModelRule } from "./types.js";

/**
 * An analysis must measure the service it gates: an HTTP metric (request rate, errors, latency) of a
 * service that serves no HTTP (its only port is `metrics`, or none) returns no data, and Argo
 * Rollouts aborts every rollout on it.
 */
export const analysisMismatchRule: ModelRule = {
  id: "rollout/analysis-mismatch",
  severity: "error",
  stage: "model",
  description: "A rollout gates a service on an HTTP analysis, but the service serves no HTTP port.",
  check(model) {
    const out: Diagnostic[] = [];
    const seen = new Set<string>();
    for (const d of model.deployments) {
      const rollout = d.rollout === undefined ? undefined : lookup(model).rollout(d.rollout);
      const service = lookup(model).service(d.service)!;
      if (!rollout || service.ports.some((p) => p.name !== "metrics")) continue;
      const http = rollout.analyses.filter((name) => lookup(model).analysis(name)?.measuresHttp);
      if (http.length === 0) continue;
      const key = `${d.service}\u0000${rollout.name}\u0000${JSON.stringify(d.rolloutAt)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({
        rule: this.id,
        severity: "error",
        path: d.rolloutAt ?? service.at,
        message: `${d.service} serves no HTTP port, but rollout '${rollout.name}' gates it in ${d.environment} on HTTP analysis ${http.join(", ")}: the query returns no data and every rollout aborts`,
        hint: `give ${d.service} a rollout of its own there (services[].overrides.${d.environment}.rollout) with an analysis of what it does, or mark an analysis that is not about HTTP: measures: "other"`,
      });
    }
    return out;
  },
};
