import type { IClusterIssuer } from "@kubernetes-models/cert-manager/cert-manager.io/v1/ClusterIssuer";
import type { Model } from "../../compiler/model.js";
import { clusterMeta, type Placed } from "./objects.js";

/**
 * The issuer Helm values name in their ingress annotation (or the Gateway in its own): ACME (Let's
 * Encrypt) answering HTTP-01 challenges through the cluster's own Ingress class or an HTTPRoute on
 * its Gateway, so no DNS credentials are needed.
 */
export function certificateIssuers(model: Model): Placed[] {
  return model.clusters.flatMap((cluster) => {
    const issuer = cluster.certificateIssuer;
    if (!issuer) return [];
    const object: IClusterIssuer = {
      apiVersion: "cert-manager.io/v1",
      kind: "ClusterIssuer",
      metadata: clusterMeta(model, issuer.name),
      spec: {
        acme: {
          server: issuer.server,
          email: issuer.email,
          privateKeySecretRef: { name: `${issuer.name}-account-key` },
          solvers: [
            "gateway" in issuer.solver
              ? { http01: { gatewayHTTPRoute: { parentRefs: [{ kind: "Gateway", name: issuer.solver.gateway.name, namespace: issuer.solver.gateway.namespace }] } } }
              : { http01: { ingress: { ingressClassName: issuer.solver.ingressClassName } } },
          ],
        },
      },
    };
    return [{ cluster: cluster.name, object }];
  });
}
