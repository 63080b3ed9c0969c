import type { INamespace } from "kubernetes-models/v1/Namespace";
import type { IResourceQuota } from "kubernetes-models/v1/ResourceQuota";
import type { ILimitRange } from "kubernetes-models/v1/LimitRange";
import type { INetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import type { INetworkPolicyPeer } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicyPeer";
import type { Model, ModelNamespace, ModelPeer } from "../../compiler/model.js";
import { clusterMeta, namespacedMeta } from "./objects.js";

/** Label the API server sets on every namespace (Kubernetes ≥ 1.21): selects a namespace by name. */
const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";
/** Pod label of the cluster DNS (CoreDNS keeps kube-dns's label on kubeadm, EKS and k3s). */
const CLUSTER_DNS_POD_LABELS = { "k8s-app": "kube-dns" };

/** The Namespace with its labels and the Pod Security Admission labels of its level. */
export function namespaceObject(model: Model, ns: ModelNamespace): INamespace {
  // All three modes at one level: enforce rejects, audit and warn make violations visible too.
  const podSecurity = {
    "pod-security.kubernetes.io/audit": ns.podSecurity,
    "pod-security.kubernetes.io/enforce": ns.podSecurity,
    "pod-security.kubernetes.io/warn": ns.podSecurity,
  };
  return { apiVersion: "v1", kind: "Namespace", metadata: clusterMeta(model, ns.name, { ...ns.labels, ...podSecurity }) };
}

/**
 * Quota from the spec's cpu, memory and pods. CPU and memory cap the sum of requests, which is what
 * the scheduler reserves and what the capacity check adds up. Memory also caps the sum of limits
 * (memory is not compressible) where the LimitRange gives every container a default memory limit:
 * a limits.memory quota rejects any container without one, so without that default it would break
 * charts that set no limits.
 */
export function resourceQuota(model: Model, ns: ModelNamespace): IResourceQuota | undefined {
  const quota = ns.quota;
  if (!quota) return undefined;
  const hard: Record<string, string> = {
    ...(quota.cpu !== undefined && { "requests.cpu": quota.cpu }),
    ...(quota.memory !== undefined && { "requests.memory": quota.memory }),
    ...(quota.memory !== undefined && ns.limitRange?.default?.memory !== undefined && { "limits.memory": quota.memory }),
    ...(quota.pods !== undefined && { pods: String(quota.pods) }),
  };
  if (Object.keys(hard).length === 0) return undefined;
  return { apiVersion: "v1", kind: "ResourceQuota", metadata: namespacedMeta(model, "namespace-quota", ns.name), spec: { hard } };
}

/** Container defaults, so pods without resources still count against the quota. */
export function limitRange(model: Model, ns: ModelNamespace): ILimitRange | undefined {
  const limits = ns.limitRange;
  if (!limits || (!limits.default && !limits.defaultRequest)) return undefined;
  return {
    apiVersion: "v1",
    kind: "LimitRange",
    metadata: namespacedMeta(model, "container-defaults", ns.name),
    spec: {
      limits: [
        {
          type: "Container",
          ...(limits.default && { default: { ...limits.default } }),
          ...(limits.defaultRequest && { defaultRequest: { ...limits.defaultRequest } }),
        },
      ],
    },
  };
}

/**
 * The namespace's own pods and every peer open on all ports share one rule; a peer limited to some
 * ports gets a rule of its own (ports apply to every peer of a rule).
 */
function rules(peers: readonly ModelPeer[]): { peers: INetworkPolicyPeer[]; ports?: { protocol: "TCP"; port: number }[] }[] {
  // A peer with only a podSelector selects pods of the policy's own namespace.
  const ownNamespace: INetworkPolicyPeer = { podSelector: {} };
  return [
    { peers: [ownNamespace, ...peers.filter((p) => p.ports === undefined).map(peer)] },
    ...peers.filter((p) => p.ports !== undefined).map((p) => ({ peers: [peer(p)], ports: p.ports!.map((port) => ({ protocol: "TCP" as const, port })) })),
  ];
}

function peer(p: ModelPeer): INetworkPolicyPeer {
  if (p.cidr !== undefined) return { ipBlock: { cidr: p.cidr } };
  return { namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: p.namespace! } } };
}

/**
 * Default deny plus one policy per kind of exception, so each reads on its own:
 * `default-deny` isolates every pod for ingress (and egress when the spec lists egress peers),
 * `allow-ingress` / `allow-egress` open the namespace's own pods (web → api, database replicas)
 * and the named peers, `allow-dns` keeps name resolution working when egress is denied. A namespace
 * without default deny gets none: nothing is closed, so nothing needs opening.
 */
export function networkPolicies(model: Model, ns: ModelNamespace): INetworkPolicy[] {
  const policy = ns.networkPolicy;
  if (!policy || !policy.defaultDeny) return [];
  const allPods = {};
  const make = (name: string, spec: NonNullable<INetworkPolicy["spec"]>): INetworkPolicy => ({
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: namespacedMeta(model, name, ns.name),
    spec,
  });
  const policies = [
    make("default-deny", { podSelector: allPods, policyTypes: policy.denyEgress ? ["Ingress", "Egress"] : ["Ingress"] }),
    make("allow-ingress", { podSelector: allPods, policyTypes: ["Ingress"], ingress: rules(policy.allowFrom).map(({ peers, ports }) => ({ from: peers, ...(ports && { ports }) })) }),
  ];
  if (policy.denyEgress) {
    policies.push(make("allow-egress", { podSelector: allPods, policyTypes: ["Egress"], egress: rules(policy.allowEgressTo).map(({ peers, ports }) => ({ to: peers, ...(ports && { ports }) })) }));
    if (policy.allowDns) {
      policies.push(
        make("allow-dns", {
          podSelector: allPods,
          policyTypes: ["Egress"],
          egress: [
            {
              to: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: "kube-system" } }, podSelector: { matchLabels: CLUSTER_DNS_POD_LABELS } }],
              ports: [
                { protocol: "UDP", port: 53 },
                { protocol: "TCP", port: 53 },
              ],
            },
          ],
        }),
      );
    }
  }
  return policies;
}
