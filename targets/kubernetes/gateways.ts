import type { IGateway } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/Gateway";
import type { IGatewayClass } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/GatewayClass";
import type { Model } from "../../compiler/model.js";
import { clusterMeta, namespacedMeta, type Placed } from "./objects.js";

/**
 * The GatewayClass of the cluster's Gateway API implementation (its chart installs none) and the
 * Gateway the services' HTTPRoutes attach to. cert-manager's gateway-shim reads the issuer
 * annotation and issues each HTTPS listener's certificate into its Secret.
 */
export function gateways(model: Model): Placed[] {
  return model.clusters.flatMap((cluster) => {
    const gateway = cluster.gateway;
    if (!gateway) return [];
    const gatewayClass: IGatewayClass = {
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "GatewayClass",
      metadata: clusterMeta(model, gateway.gatewayClass.name),
      spec: { controllerName: gateway.gatewayClass.controllerName },
    };
    const meta = namespacedMeta(model, gateway.name, gateway.namespace);
    const object: IGateway = {
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "Gateway",
      metadata: { ...meta, ...(cluster.certificateIssuer && { annotations: { "cert-manager.io/cluster-issuer": cluster.certificateIssuer.name } }) },
      spec: {
        gatewayClassName: gateway.gatewayClass.name,
        listeners: gateway.listeners.map((l) => ({
          name: l.name,
          protocol: l.protocol,
          port: l.port,
          ...(l.hostname !== undefined && { hostname: l.hostname }),
          ...(l.secretName !== undefined && { tls: { mode: "Terminate" as const, certificateRefs: [{ kind: "Secret", name: l.secretName }] } }),
          // Environments and previews each have their own namespace.
          allowedRoutes: { namespaces: { from: "All" as const } },
        })),
      },
    };
    return [
      { cluster: cluster.name, object: gatewayClass },
      { cluster: cluster.name, namespace: gateway.namespace, object },
    ];
  });
}
