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
  componentName.describe("A platform component plinth installs with its pinned chart and defaults."),
  z.strictObject({
    name: componentName.describe("The component."),
    version: z.string().optional().describe("Helm chart version; defaults to plinth's pinned version for the component."),
    namespace: dnsLabel.optional().describe("Namespace it is installed in; defaults to the component's own (e.g. cert-manager)."),
    values: z.record(z.string(), z.unknown()).optional().describe("Helm values passed to the component's chart."),
  }),
]).describe("A platform component: its name, or the name with a chart version, namespace or values.");

export const nodePool = z.strictObject({
  name: z.string().describe("Node pool name (EKS managed node group)."),
  instanceType: z.string().optional().describe("Instance type of its nodes, e.g. \"m6i.large\" (eks)."),
  min: z.number().int().nonnegative().default(1).describe("Fewest nodes."),
  max: z.number().int().positive().default(1).describe("Most nodes."),
  labels: z.record(labelKey, labelValue).default({}).describe("Kubernetes labels of its nodes."),
});

export const cluster = z.strictObject({
  name: z.string().describe("Cluster name (DNS-1123): names its OpenTofu stacks and generated folders."),
  profile: z.string().describe("Name of the profile (adapters) this cluster is bound to."),
  kind: z.enum(["eks", "k3s", "existing"]).describe("How the cluster comes to be: EKS (created by the infra stack), k3s, or an existing cluster plinth only configures."),
  region: z.string().optional().describe("Region of the cluster; defaults to its profile's."),
  kubernetesVersion: z.string().default("1.31").describe("Kubernetes minor version, e.g. \"1.31\"."),
  nodePools: z.array(nodePool).default([]).describe("Node pools the infra stack creates (eks)."),
  capacity: z.strictObject({
    cpu: quantity.describe("Allocatable CPU, e.g. \"6\" or \"5500m\"."),
    memory: quantity.describe("Allocatable memory, e.g. \"10Gi\"."),
    overcommit: z.strictObject({ accepted: z.literal(true).describe("The overcommit is accepted."), reason: z.string().min(10).describe("Why it is safe (at least 10 characters).") }).optional().describe("Quotas may add up to more than capacity only when this says so, with a reason. Downgrades quota/overcommit from an error to a note."),
  }).describe("Allocatable capacity the namespace quotas are checked against."),
  components: z.array(component).default([]).describe("Platform components the cluster's root application installs (argocd, cert-manager, envoy-gateway…)."),
  argocdNamespace: z.string().default("argocd").describe("Namespace ArgoCD runs in on this cluster."),
  loadBalancerIPs: z.record(z.string(), z.string()).default({}).describe("Fixed load-balancer addresses (MetalLB), e.g. { argocd: \"10.1.5.184\" }."),
  ipPools: z.array(z.strictObject({ name: z.string().describe("Pool name."), addresses: z.array(z.string()).min(1).describe("Address ranges of the pool.") })).default([]).describe("MetalLB address pools (clusters that install the metallb component), announced on layer 2. Each range is a CIDR (\"10.1.5.0/24\") or a start-end range (\"10.1.5.180-10.1.5.199\")."),
  server: z.string().optional().describe("Kubernetes API endpoint for an existing cluster registered in ArgoCD."),
});
