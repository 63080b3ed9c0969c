/**
 * The every-adapter platform (test/specs/every-adapter) with a namespace `tools` on two clusters and
 * a secret that names only the namespace: ref/ambiguous-namespace at the secret, whose hint asks for
 * its cluster.
 */
import { definePlatform } from "plinth";

const namespace = (name: string, cluster: string) => ({
  name,
  cluster,
  purpose: `the apps on ${cluster}`,
  quota: { cpu: "4", memory: "8Gi" },
  limitRange: { default: { cpu: "500m", memory: "512Mi" }, defaultRequest: { cpu: "100m", memory: "128Mi" } },
});

const environment = (name: string, cluster: string, store: string) => ({
  name,
  cluster,
  namespace: name,
  secrets: { store, prefix: name },
  sync: "auto" as const,
  selfHeal: true,
  approval: "none" as const,
  scale: { replicas: 1 },
  data: "synthetic" as const,
  rollout: "rolling",
});

export default definePlatform({
  name: "adapters",
  organisation: "plinth tests",
  repositories: { monorepo: "https://git.example.com/platform/adapters.git" },
  revision: "main",

  profiles: [
    {
      name: "aws",
      cloud: "aws",
      region: "eu-central-1",
      accountId: "210987654321",
      dns: { provider: "route53", zone: "aws.example.com" },
      secrets: { backend: "aws-secrets-manager" },
      objectStorage: { provider: "s3" },
      registry: { provider: "ecr", url: "210987654321.dkr.ecr.eu-central-1.amazonaws.com" },
      storageClass: "gp3",
      stateBackend: { type: "s3", bucket: "adapters-tofu-state", region: "eu-central-1" },
    },
    {
      name: "edge",
      cloud: "onprem",
      region: "fsn1",
      dns: { provider: "cloudflare", zone: "edge.example.com", credentials: { store: "vault", key: "platform/cloudflare", property: "api-token" } },
      secrets: { backend: "vault", address: "https://vault.example.com" },
      objectStorage: { provider: "minio", endpoint: "https://minio.edge.example.com" },
      registry: { provider: "harbor", url: "harbor.edge.example.com", credentials: { store: "vault", key: "platform/harbor-robot" } },
      storageClass: "longhorn",
      stateBackend: { type: "http", address: "https://state.example.com/terraform/state" },
    },
    {
      name: "lab",
      cloud: "onprem",
      region: "lab",
      dns: { provider: "powerdns", zone: "lab.internal", endpoint: "http://pdns.lab.internal:8081", credentials: { store: "lab-secrets", key: "powerdns", property: "api-key" } },
      secrets: { backend: "kubernetes" },
      objectStorage: { provider: "minio", endpoint: "http://minio.lab.internal:9000" },
      registry: { provider: "ghcr", url: "ghcr.io/example-org", credentials: { store: "lab-secrets", key: "ghcr-pull" } },
      storageClass: "openebs-lvmpv",
      volumeGroup: "lvmvg",
      stateBackend: { type: "local", path: "terraform.tfstate", encryption: "passphrase" },
    },
    {
      name: "pi",
      cloud: "onprem",
      region: "home",
      dns: { provider: "powerdns", zone: "pi.home.arpa" },
      secrets: { backend: "vault", address: "https://vault.example.com" },
      objectStorage: { provider: "minio", endpoint: "http://minio.home.arpa:9000" },
      registry: { provider: "ghcr", url: "ghcr.io/example-org" },
      storageClass: "local-path",
      stateBackend: { type: "local", path: "terraform.tfstate", encryption: "passphrase" },
    },
  ],

  clusters: [
    {
      name: "cloud",
      profile: "aws",
      kind: "eks",
      kubernetesVersion: "1.31",
      nodePools: [{ name: "general", instanceType: "m6i.large", min: 2, max: 4 }],
      capacity: { cpu: "4", memory: "14Gi" },
      components: ["external-secrets", "external-dns", "cloudnative-pg", "velero"],
    },
    {
      name: "edge",
      profile: "edge",
      kind: "k3s",
      kubernetesVersion: "1.31",
      capacity: { cpu: "8", memory: "30Gi" },
      components: ["external-secrets", "external-dns", "cloudnative-pg", "longhorn", "velero"],
    },
    {
      name: "lab",
      profile: "lab",
      kind: "existing",
      kubernetesVersion: "1.30",
      capacity: { cpu: "8", memory: "30Gi" },
      ipPools: [{ name: "lab", addresses: ["10.20.0.100-10.20.0.120"] }],
      components: ["external-secrets", "external-dns", "metallb", "openebs", "cloudnative-pg", "velero"],
    },
    {
      name: "pi",
      profile: "pi",
      kind: "k3s",
      kubernetesVersion: "1.31",
      capacity: { cpu: "4", memory: "15Gi" },
      components: ["external-secrets", "cloudnative-pg"],
    },
  ],

  namespaces: [
    namespace("cloud-dev", "cloud"),
    namespace("edge-dev", "edge"),
    namespace("lab-dev", "lab"),
    namespace("pi-dev", "pi"),
    // The same name on two clusters: a reference by name alone cannot say which.
    namespace("tools", "cloud"),
    namespace("tools", "edge"),
    // Where the kubernetes secrets backend keeps what External Secrets copies out.
    { name: "platform-secrets", cluster: "lab", purpose: "source Secrets of the lab-secrets store", quota: { cpu: "1", memory: "1Gi" } },
  ],

  environments: [environment("cloud-dev", "cloud", "aws"), environment("edge-dev", "edge", "vault"), environment("lab-dev", "lab", "lab-secrets"), environment("pi-dev", "pi", "vault")],
  rollouts: [{ name: "rolling", strategy: "rolling", maxSurge: "25%", maxUnavailable: "0" }],

  services: [
    // From each cluster's own registry (ECR, Harbor, GHCR with and without credentials).
    { name: "api", image: { path: "adapters/api" }, ports: [{ name: "http", port: 8080 }], secrets: { API_TOKEN: { key: "api", property: "token" } } },
  ],

  dataServices: [
    {
      name: "postgres",
      engine: "postgres",
      version: "16",
      storage: "5Gi",
      backup: { method: "cnpg-pitr", schedule: "0 3 * * *", retention: "7d" },
    },
  ],

  backups: [
    { name: "cloud-volumes", method: "velero", cluster: "cloud", schedule: "0 2 * * *", retention: "7d" },
    { name: "edge-volumes", method: "velero", cluster: "edge", schedule: "0 2 * * *", retention: "7d" },
    { name: "lab-volumes", method: "velero", cluster: "lab", schedule: "0 2 * * *", retention: "7d" },
  ],

  secretStores: [
    { name: "aws", backend: "aws-secrets-manager", aws: { region: "eu-central-1" } },
    { name: "vault", backend: "vault", vault: { server: "https://vault.example.com", auth: { role: "external-secrets" } } },
    { name: "lab-secrets", backend: "kubernetes", kubernetes: { namespace: "platform-secrets" } },
  ],
  secrets: [{ name: "ci-token", namespace: "tools", data: [{ secretKey: "token", ref: { store: "vault", key: "tools/ci", property: "token" } }] }],
});
