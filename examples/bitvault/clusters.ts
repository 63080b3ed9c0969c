/**
 * BitVault substrate: one AWS profile, a cost-shared nonprod cluster and an isolated prod cluster,
 * and the namespaces of each (seed 000, "4. Environment & cluster topology").
 */
import { defineClusters, defineNamespaces, defineProfiles } from "plinth";

// Seed 000 names a "cloud substrate" with IAM, KMS and Karpenter but never the cloud or region;
// AWS in eu-west-1 is this example's assumption.
export const profiles = defineProfiles([
  {
    name: "aws",
    cloud: "aws",
    region: "eu-west-1",
    // The seed names no AWS account; this placeholder stands for it. CloudNativePG's backups reach S3
    // only through IRSA, whose role ARN (built from the account) is written into its manifest.
    accountId: "111122223333",
    dns: { provider: "route53", zone: "bitvault.io" },
    // Seed 002 "Secrets" row: every cluster environment reads Vault; Vault is auto-unsealed by
    // cloud KMS (ADR-0014, ADR-0030).
    secrets: { backend: "vault", address: "https://vault.bitvault.io" },
    objectStorage: { provider: "s3" },
    // CI is GitHub Actions pushing signed images (ADR-0032); the registry is GitHub's.
    registry: { provider: "ghcr", url: "ghcr.io/bitvault" },
    storageClass: "gp3",
    // bitvault-infra keeps remote state per stack (seed 000, "3. Repository strategy").
    stateBackend: { type: "s3", bucket: "bitvault-tofu-state", region: "eu-west-1" },
  },
]);

/**
 * Seed 000 "5. The platform stack": what runs in every cluster. ArgoCD, External Secrets, the
 * ingress controller and monitoring live in the `platform` namespace, as the topology diagram
 * draws them ("ns: platform (argocd, eso, ingress, monitoring)").
 */
const platformStack = [
  { name: "argocd", namespace: "platform" },
  { name: "external-secrets", namespace: "platform" },
  // The ingress controller: envoy-gateway (ingress-nginx was retired in March 2026); services are
  // reached through HTTPRoutes on plinth's Gateway.
  { name: "envoy-gateway", namespace: "platform" },
  { name: "monitoring", namespace: "platform" },
  "argo-rollouts",
  "cert-manager",
  "external-dns",
  "cloudnative-pg",
  // "operators: … Redis, NATS, OpenSearch": Redis and OpenSearch by their operators (NATS by its chart).
  "redis-operator",
  "opensearch-operator",
  "velero",
  // "optional KEDA for queue depth" (worker scales on NATS backlog).
  "keda",
] as const;

// Node sizes and counts are not in the seed; capacity is the allocatable CPU and memory of the
// minimum node count, so the quotas below are checked against what is always there.
export const clusters = defineClusters([
  {
    name: "nonprod",
    profile: "aws",
    kind: "eks",
    kubernetesVersion: "1.31",
    nodePools: [{ name: "general", instanceType: "m6i.2xlarge", min: 3, max: 6 }],
    // 3 × m6i.2xlarge (8 vCPU, 32 GiB) ≈ 22 CPU / 84Gi allocatable.
    capacity: { cpu: "22", memory: "84Gi" },
    components: [...platformStack],
    argocdNamespace: "platform",
  },
  {
    // "Prod is a dedicated cluster (blast-radius isolation, stricter RBAC/compliance, no noisy neighbors)."
    name: "prod",
    profile: "aws",
    kind: "eks",
    kubernetesVersion: "1.31",
    nodePools: [
      { name: "general", instanceType: "m6i.2xlarge", min: 3, max: 12 },
      // Operators and their data (CloudNativePG, OpenSearch, NATS) on memory-optimised nodes.
      { name: "data", instanceType: "r6i.2xlarge", min: 3, max: 3, labels: { "bitvault.io/pool": "data" } },
    ],
    // 3 × m6i.2xlarge + 3 × r6i.2xlarge (8 vCPU, 64 GiB) ≈ 44 CPU / 256Gi allocatable.
    capacity: { cpu: "44", memory: "256Gi" },
    components: [...platformStack],
    argocdNamespace: "platform",
  },
]);

/**
 * Ingress and Prometheus reach the apps from `platform`; nothing else gets in. Out: the data
 * namespace, and HTTPS only — S3 for the database's WAL archive and the EKS API its operator's
 * instance manager talks to (network/egress-blocks-backups caught their absence).
 */
const appNetworkPolicy = (dataNamespace: string) => ({
  defaultDeny: true,
  allowFrom: [{ namespace: "platform" }],
  allowEgressTo: [{ namespace: dataNamespace }, { cidr: "0.0.0.0/0", ports: [443] }],
});

// Seed 000 "4.": "Namespaces isolate environments and platform concerns, not customers"
// (tenant isolation is Postgres RLS, ADR-0007). Quotas are this example's sizing.
export const namespaces = defineNamespaces([
  // nonprod: dev + staging + per-PR previews (pr-N namespaces are created by the preview
  // ApplicationSet, not declared here) + platform.
  {
    name: "dev",
    cluster: "nonprod",
    purpose: "Integration baseline, auto-synced from main",
    quota: { cpu: "4", memory: "8Gi", pods: 60 },
    limitRange: { default: { cpu: "500m", memory: "512Mi" }, defaultRequest: { cpu: "100m", memory: "256Mi" } },
    networkPolicy: appNetworkPolicy("dev"),
    podSecurity: "restricted",
  },
  {
    name: "staging",
    cluster: "nonprod",
    purpose: "Release-candidate validation on prod-shaped config",
    quota: { cpu: "8", memory: "24Gi", pods: 80 },
    limitRange: { default: { cpu: "1", memory: "1Gi" }, defaultRequest: { cpu: "250m", memory: "512Mi" } },
    networkPolicy: appNetworkPolicy("staging"),
    podSecurity: "restricted",
  },
  {
    name: "platform",
    cluster: "nonprod",
    purpose: "ArgoCD, External Secrets, ingress, monitoring",
    quota: { cpu: "6", memory: "16Gi" },
    // node-exporter needs host namespaces and hostPath.
    podSecurity: "privileged",
  },
  // prod: the application, its data (operators' clusters), and platform.
  {
    name: "bitvault",
    cluster: "prod",
    purpose: "BitVault application (api, web, worker)",
    quota: { cpu: "16", memory: "32Gi", pods: 150 },
    limitRange: { default: { cpu: "1", memory: "1Gi" }, defaultRequest: { cpu: "250m", memory: "512Mi" } },
    networkPolicy: appNetworkPolicy("bitvault-data"),
    podSecurity: "restricted",
  },
  {
    name: "bitvault-data",
    cluster: "prod",
    purpose: "Postgres (CloudNativePG), Redis, NATS and OpenSearch clusters",
    quota: { cpu: "20", memory: "176Gi" },
    networkPolicy: { defaultDeny: true, allowFrom: [{ namespace: "bitvault" }, { namespace: "platform" }, { namespace: "cnpg-system" }] },
    podSecurity: "baseline",
  },
  {
    name: "platform",
    cluster: "prod",
    purpose: "ArgoCD, External Secrets, ingress, monitoring",
    quota: { cpu: "6", memory: "24Gi" },
    podSecurity: "privileged",
  },
]);
