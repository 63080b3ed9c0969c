import type { IGateway } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/Gateway";
import type { IGatewayClass } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/GatewayClass";
import type { IHTTPRoute } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute";
import type { Model } from "../../compiler/model.js";
import { clusterMeta, namespacedMeta, type Placed } from "./objects.js";

/**
 * The GatewayClass of the cluster's Gateway API implementation (its chart installs none), the
 * Gateway the services' HTTPRoutes attach to, and the route that sends plain HTTP for a certified
 * host to HTTPS (ACME's challenge routes match an exact path, so they take precedence over it).
 * cert-manager's gateway-shim reads the issuer annotation and issues each HTTPS listener's
 * certificate into its Secret.
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
    const placed: Placed[] = [
      { cluster: cluster.name, object: gatewayClass },
      { cluster: cluster.name, namespace: gateway.namespace, object },
    ];
    if (gateway.redirectRoute !== undefined) {
      const redirect: IHTTPRoute = {
        apiVersion: "gateway.networking.k8s.io/v1",
        kind: "HTTPRoute",
        metadata: namespacedMeta(model, gateway.redirectRoute, gateway.namespace),
        spec: {
          parentRefs: [{ name: gateway.name, sectionName: "http" }],
          hostnames: gateway.listeners.flatMap((l) => (l.secretName !== undefined && l.hostname !== undefined ? [l.hostname] : [])),
          rules: [{ filters: [{ type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } }] }],
        },
      };
      placed.push({ cluster: cluster.name, namespace: gateway.namespace, object: redirect });
    }
    return placed;
  });
}
