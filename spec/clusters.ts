import { dnsLabel, labelKey, labelValue } from "./grammar.js";
import { z } from "zod";
import { quantity } from "./units.js";

export const componentName = z.enum([
  "argocd",
  "argo-rollouts",
  "external-secrets",
  "cert-manager",
  "ingress-nginx",
  "envoy-gateway",
  "external-dns",
  "velero",
  "cloudnative-pg",
  "monitoring",
  "loki",
  "vault",
  "metallb",
  "openebs",
  "nfs-provisioner",
  "longhorn",
  "keda",
  "crossplane",
  "snapscheduler",
]);

export const component = z.union([
  componentName,
  z.strictObject({
    name: componentName,
    /** Helm chart version; defaults to plinth's pinned version for the component. */
    version: z.string().optional(),
    namespace: dnsLabel.optional(),
    /** Helm values passed to the component's chart. */
    values: z.record(z.string(), z.unknown()).optional(),
  }),
]);

export const nodePool = z.strictObject({
  name: z.string(),
  instanceType: z.string().optional(),
  min: z.number().int().nonnegative().default(1),
  max: z.number().int().positive().default(1),
  labels: z.record(labelKey, labelValue).default({}),
});

export const cluster = z.strictObject({
  name: z.string(),
  /** Name of the profile (adapters) this cluster is bound to. */
  profile: z.string(),
  kind: z.enum(["eks", "k3s", "existing"]),
  region: z.string().optional(),
  kubernetesVersion: z.string().default("1.31"),
  nodePools: z.array(nodePool).default([]),
  /** Allocatable capacity the namespace quotas are checked against. */
  capacity: z.strictObject({
    cpu: quantity,
    memory: quantity,
    /**
     * Quotas may add up to more than capacity only when this says so, with a reason.
     * Downgrades quota/overcommit from an error to a note.
     */
    overcommit: z.strictObject({ accepted: z.literal(true), reason: z.string().min(10) }).optional(),
  }),
  components: z.array(component).default([]),
  /** Namespace ArgoCD runs in on this cluster. */
  argocdNamespace: z.string().default("argocd"),
  /** Fixed load-balancer addresses (MetalLB), e.g. { argocd: "10.1.5.184" }. */
  loadBalancerIPs: z.record(z.string(), z.string()).default({}),
  /**
   * MetalLB address pools (clusters that install the metallb component), announced on layer 2. Each
   * range is a CIDR ("10.1.5.0/24") or a start-end range ("10.1.5.180-10.1.5.199").
   */
  ipPools: z.array(z.strictObject({ name: z.string(), addresses: z.array(z.string()).min(1) })).default([]),
  /** Kubernetes API endpoint for an existing cluster registered in ArgoCD. */
  server: z.string().optional(),
});
