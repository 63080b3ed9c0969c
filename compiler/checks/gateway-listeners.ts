import type { ModelRule } from "./types.js";

/** The Gateway API caps a Gateway's listeners (`spec.listeners` maxItems in its CRD). */
export const MAX_GATEWAY_LISTENERS = 64;

/**
 * A cluster's Gateway takes an HTTPS listener per environment host, beside its `http` listener; past
 * the Gateway API's limit the API server rejects the Gateway and no route of the cluster is served.
 */
export const gatewayListenersRule: ModelRule = {
  id: "gateway/too-many-listeners",
  severity: "error",
  stage: "model",
  description: "A cluster's Gateway would need more listeners than the Gateway API allows (one per certified environment host, plus http).",
  check(model) {
    return model.clusters.flatMap((cluster) => {
      const gateway = cluster.gateway;
      if (!gateway || gateway.listeners.length <= MAX_GATEWAY_LISTENERS) return [];
      const implementation = cluster.components.find((c) => c.name === gateway.gatewayClass.name);
      return [
        {
          rule: this.id,
          severity: this.severity,
          path: implementation?.at ?? cluster.at,
          message: `cluster '${cluster.name}' serves ${gateway.listeners.length - 1} certified hosts: its Gateway would have ${gateway.listeners.length} listeners, more than the ${MAX_GATEWAY_LISTENERS} the Gateway API allows`,
          hint: `give at most ${MAX_GATEWAY_LISTENERS - 1} environment hosts per cluster, or spread the environments over more clusters`,
        },
      ];
    });
  },
};
