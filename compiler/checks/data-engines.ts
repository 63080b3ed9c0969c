import type { Diagnostic } from "../diagnostics.js";
import type { ModelRule } from "./types.js";
import { REDIS_OPERATOR_IMAGES } from "../resolve/data-engines.js";

/**
 * A data service placed on a Kubernetes cluster must be one plinth deploys there
 * (compiler/resolve/data-engines.ts); an engine it cannot deploy is an error, never a silent omission.
 * A Vault data service is the cluster's `vault` component, so that component must run in its namespace.
 */
export const dataEngineRule: ModelRule = {
  id: "data/engine-not-deployable",
  severity: "error",
  stage: "model",
  description: "A data service is placed on a Kubernetes cluster where plinth cannot deploy its engine.",
  check(model) {
    const out: Diagnostic[] = [];
    for (const ds of model.dataServices) {
      for (const placement of [...ds.placements, ...ds.previewPlacements]) {
        const where = `${placement.cluster}/${placement.namespace}${placement.environment !== undefined ? ` (environment ${placement.environment})` : ""}`;
        if (ds.kubernetes === undefined) {
          out.push({
            rule: this.id,
            severity: "error",
            path: [...ds.at, "engine"],
            message: `data service ${ds.name} (${ds.engine}) runs in ${where}, but plinth cannot deploy ${ds.engine} on Kubernetes`,
            hint: `use the profile's object storage adapter (profiles[].objectStorage) instead, or limit ${ds.name} to the tiers of compose environments (tiers)`,
          });
          break;
        }
        const runtime = ds.kubernetes;
        if (ds.engine === "redis" && REDIS_OPERATOR_IMAGES[ds.version] === undefined) {
          out.push({
            rule: this.id,
            severity: "error",
            path: [...ds.at, "version"],
            message: `data service ${ds.name} runs in ${where} as redis ${ds.version}, but the redis-operator plinth pins runs only Redis ${Object.keys(REDIS_OPERATOR_IMAGES).join(", ")}`,
            hint: `set version: "${Object.keys(REDIS_OPERATOR_IMAGES)[0]}"`,
          });
          break;
        }
        if (runtime.kind === "component") {
          const cluster = model.clusters.find((c) => c.name === placement.cluster);
          if (!cluster?.components.some((c) => c.name === runtime.component && c.namespace === placement.namespace)) {
            out.push({
              rule: this.id,
              severity: "error",
              path: [...ds.at, "namespace"],
              message: `data service ${ds.name} (${ds.engine}) runs in ${where}, but cluster ${placement.cluster} runs no ${runtime.component} component in ${placement.namespace}`,
              hint: `add { name: "${runtime.component}", namespace: "${placement.namespace}" } to clusters[].components`,
            });
          }
        }
      }
    }
    return out;
  },
};
