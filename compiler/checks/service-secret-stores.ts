import type { Diagnostic } from "../diagnostics.js";
import { inherit } from "../resolve/index.js";
import type { SpecRule } from "./types.js";

/**
 * A service's secret references must name a store in every environment it runs in — their own, or
 * the environment's (`environments[].secrets`) — and all of one service's references must come from
 * one store there, since each service gets one ExternalSecret per environment.
 */
/** The tiers a service runs in when it names none. */
const ALL_TIERS = ["lite", "standard", "full"] as const;

export const serviceSecretStoresRule: SpecRule = {
  id: "secret/store",
  severity: "error",
  stage: "spec",
  description: "A service's secret references name no store in some environment, or several stores.",
  check(spec) {
    const out: Diagnostic[] = [];
    // Previews too: their charts create the ExternalSecret from the same store.
    const environments = inherit(spec).filter((e) => (e.runtime ?? (e.cluster ? "kubernetes" : "compose")) === "kubernetes");
    spec.services.forEach((service, i) => {
      const refs = Object.entries(service.secrets);
      if (refs.length === 0) return;
      const tiers = service.tiers ?? ALL_TIERS;
      for (const env of environments) {
        if (!tiers.includes(env.tier ?? "standard")) continue;
        const missing = env.secrets === undefined ? refs.find(([, ref]) => ref.store === undefined) : undefined;
        if (missing) {
          out.push({
            rule: "ref/missing-secret-store",
            severity: "error",
            path: ["services", i, "secrets", missing[0]],
            message: `${service.name}'s secret ${missing[0]} names no store, and environment '${env.name}' has no secrets location to take it from`,
            hint: `give the reference a store, or the environment secrets: { store: "…", prefix: "${env.name}" }`,
          });
          continue;
        }
        // Told without a set per service and environment (thousands of them): one store is the rule.
        const first = refs[0]![1].store ?? env.secrets!.store;
        if (refs.some(([, ref]) => (ref.store ?? env.secrets!.store) !== first)) {
          const stores = new Set(refs.map(([, ref]) => ref.store ?? env.secrets!.store));
          out.push({
            rule: "secret/mixed-stores",
            severity: "error",
            path: ["services", i, "secrets"],
            message: `${service.name} reads secrets from ${[...stores].sort().join(" and ")} in ${env.name}: one service reads one store per environment`,
            hint: "move the secrets into one store, or leave store out so each environment's own store is used",
          });
        }
      }
    });
    return out;
  },
};
