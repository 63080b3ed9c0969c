import type { Model } from "../../compiler/model.js";
import { clusterMeta, type KubernetesObject, type Placed } from "./objects.js";

/** cert-manager's ClusterIssuer (cert-manager.io/v1) as far as plinth writes it: ACME with HTTP-01. */
interface ClusterIssuer extends KubernetesObject {
  apiVersion: "cert-manager.io/v1";
  kind: "ClusterIssuer";
  spec: {
    acme: {
      server: string;
      email: string;
      privateKeySecretRef: { name: string };
      solvers: { http01: { ingress: { ingressClassName: string } } }[];
    };
  };
}

/**
 * The issuer Helm values name in their ingress annotation: ACME (Let's Encrypt) answering HTTP-01
 * challenges through the cluster's own Ingress class, so no DNS credentials are needed.
 */
export function certificateIssuers(model: Model): Placed[] {
  return model.clusters.flatMap((cluster) => {
    const issuer = cluster.certificateIssuer;
    if (!issuer) return [];
    const object: ClusterIssuer = {
      apiVersion: "cert-manager.io/v1",
      kind: "ClusterIssuer",
      metadata: clusterMeta(model, issuer.name),
      spec: {
        acme: {
          server: issuer.server,
          email: issuer.email,
          privateKeySecretRef: { name: `${issuer.name}-account-key` },
          solvers: [{ http01: { ingress: { ingressClassName: issuer.ingressClassName } } }],
        },
      },
    };
    return [{ cluster: cluster.name, object }];
  });
}
