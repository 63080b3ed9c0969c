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
  "redis-operator",
  "opensearch-operator",
  "snapscheduler",
]);

export const component = z.union([
  componentName,
  z.strictObject({
    name: componentName,
    version: z.string().optional().describe("Helm chart version; defaults to plinth's pinned version for the component."),
    namespace: dnsLabel.optional(),
    values: z.record(z.string(), z.unknown()).optional().describe("Helm values passed to the component's chart."),
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
  profile: z.string().describe("Name of the profile (adapters) this cluster is bound to."),
  kind: z.enum(["eks", "k3s", "existing"]),
  region: z.string().optional(),
  kubernetesVersion: z.string().default("1.31"),
  nodePools: z.array(nodePool).default([]),
  capacity: z.strictObject({
    cpu: quantity,
    memory: quantity,
    overcommit: z.strictObject({ accepted: z.literal(true), reason: z.string().min(10) }).optional().describe("Quotas may add up to more than capacity only when this says so, with a reason. Downgrades quota/overcommit from an error to a note."),
  }).describe("Allocatable capacity the namespace quotas are checked against."),
  components: z.array(component).default([]),
  argocdNamespace: z.string().default("argocd").describe("Namespace ArgoCD runs in on this cluster."),
  loadBalancerIPs: z.record(z.string(), z.string()).default({}).describe("Fixed load-balancer addresses (MetalLB), e.g. { argocd: \"10.1.5.184\" }."),
  ipPools: z.array(z.strictObject({ name: z.string(), addresses: z.array(z.string()).min(1) })).default([]).describe("MetalLB address pools (clusters that install the metallb component), announced on layer 2. Each range is a CIDR (\"10.1.5.0/24\") or a start-end range (\"10.1.5.180-10.1.5.199\")."),
  server: z.string().optional().describe("Kubernetes API endpoint for an existing cluster registered in ArgoCD."),
});
