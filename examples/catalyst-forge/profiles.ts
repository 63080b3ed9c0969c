/**
 * Ports and adapters (seed 004 "Environment Profiles" and "Ports and Adapters"): the same spec
 * binds to an AWS profile or an on-premises profile. Applications only see the ports (DNS, secrets,
 * object storage, registry, persistent volumes); which adapter answers is the cluster's profile.
 *
 * This example uses both profiles at once: production on EKS ("Production (AWS/EKS)"), dev and
 * staging on K3s at Hetzner ("Not a multi-cloud platform (AWS and Hetzner only)").
 */
import { defineClusters, defineNamespaces, defineProfiles } from "plinth";
import type { NamespaceInput } from "plinth";

/** "Single AWS Region: Platform operates in one region per installation"; the seed's example uses us-east-1. */
export const AWS_REGION = "us-east-1";
/** Amazon ECR of the installation's account (the account id is AWS's documentation placeholder). */
export const ECR = `123456789012.dkr.ecr.${AWS_REGION}.amazonaws.com`;

export const profiles = defineProfiles([
  {
    // "Production Adapters": ExternalDNS + Route53, External Secrets + AWS Secrets Manager,
    // Amazon S3, Amazon ECR, EBS CSI (gp3).
    name: "aws",
    cloud: "aws",
    region: AWS_REGION,
    // The account of the ECR registry above: CloudNativePG's IRSA role ARN is built from it.
    accountId: "123456789012",
    dns: { provider: "route53", zone: "forge.projectcatalyst.io" },
    secrets: { backend: "aws-secrets-manager" },
    objectStorage: { provider: "s3" },
    registry: { provider: "ecr", url: ECR },
    storageClass: "gp3",
    stateBackend: { type: "s3", bucket: "catalyst-forge-tofu-state", region: AWS_REGION },
  },
  {
    // "On Premises Adapters": ExternalDNS + Cloudflare, External Secrets + Vault, MinIO, Harbor,
    // Longhorn.
    name: "onprem",
    cloud: "onprem",
    region: "hetzner-fsn1",
    // The Cloudflare API token lives in the on-prem Vault like every other on-prem secret.
    dns: { provider: "cloudflare", zone: "forge-hetzner.projectcatalyst.io", credentials: { store: "vault", key: "platform/cloudflare", property: "api-token" } },
    secrets: { backend: "vault", address: "https://vault.forge-hetzner.projectcatalyst.io" },
    objectStorage: { provider: "minio", endpoint: "https://minio.forge-hetzner.projectcatalyst.io" },
    // A Harbor robot account (username, password) kept in the on-prem Vault: every environment
    // namespace gets an image pull Secret from it.
    registry: { provider: "harbor", url: "harbor.forge-hetzner.projectcatalyst.io", credentials: { store: "vault", key: "platform/harbor-robot" } },
    storageClass: "longhorn",
    // No remote state service is named for on-prem; state stays with the infra repository's runner,
    // encrypted, since it holds the keys of the MinIO users plinth creates for the WAL archives.
    stateBackend: { type: "local", path: "state/onprem.tfstate", encryption: "passphrase" },
  },
]);

/**
 * Operators on every cluster (seed 004 "Platform Infrastructure Layer": External Secrets,
 * External DNS, Envoy Gateway, KEDA; Crossplane for XRs; CloudNativePG runs PostgreSQL).
 * Karpenter, Istio (ambient) and Argo Workflows have no plinth component yet.
 */
const common = ["argocd", "external-secrets", "external-dns", "envoy-gateway", "keda", "crossplane", "cloudnative-pg"] as const;

export const clusters = defineClusters([
  {
    name: "forge-aws",
    profile: "aws",
    kind: "eks",
    kubernetesVersion: "1.31",
    nodePools: [
      { name: "platform", instanceType: "m6i.2xlarge", min: 3, max: 6 },
      // Karpenter grows this pool with KEDA-scaled workers ("Maximum 50 parallel workers").
      { name: "workers", instanceType: "c6i.8xlarge", min: 3, max: 8, labels: { "forge.projectcatalyst.io/pool": "workers" } },
    ],
    // Allocatable at the pools' minimum: 3 × m6i.2xlarge + 3 × c6i.8xlarge.
    capacity: { cpu: "112", memory: "256Gi" },
    // Observability on AWS is "Grafana Alloy Operator with Grafana Cloud": nothing in-cluster.
    components: [...common, "argo-rollouts"],
  },
  {
    name: "forge-onprem",
    profile: "onprem",
    kind: "k3s",
    kubernetesVersion: "1.31",
    nodePools: [{ name: "metal", instanceType: "AX52", min: 3, max: 3 }],
    // 3 × Hetzner AX52 (16 threads, 64 GB), less K3s and Longhorn overhead.
    capacity: { cpu: "45", memory: "180Gi" },
    // Observability on-prem is "Grafana Alloy with in-cluster Prometheus, Loki, and Grafana".
    components: [...common, "longhorn", "monitoring", "loki"],
  },
]);

const forgeNamespace = (name: string, cluster: string, quota: { cpu: string; memory: string }): NamespaceInput => ({
  name,
  cluster,
  purpose: "Catalyst Forge platform services (API server, workers) and their data",
  quota,
  limitRange: { default: { cpu: "1", memory: "1Gi" }, defaultRequest: { cpu: "250m", memory: "512Mi" } },
  // "Network policies restrict inter-pod communication": deny by default; the gateway reaches the API.
  networkPolicy: { defaultDeny: true, allowFrom: [{ namespace: "envoy-gateway-system" }] },
  podSecurity: "baseline",
});

// Quotas are sized from the replica counts and resource profiles in services.ts.
export const namespaces = defineNamespaces([
  forgeNamespace("forge-dev", "forge-onprem", { cpu: "12", memory: "32Gi" }),
  forgeNamespace("forge-staging", "forge-onprem", { cpu: "20", memory: "48Gi" }),
  forgeNamespace("forge-production", "forge-aws", { cpu: "80", memory: "192Gi" }),
]);
