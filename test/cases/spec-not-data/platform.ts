import { definePlatform } from "plinth";

// A spec value that is a function, not data (here an env var computed lazily): load/not-data at it.
export default definePlatform({
  name: "shop",
  organisation: "shop",
  domain: "shop.example.com",
  repositories: {
    app: "https://github.com/example/shop",
    gitops: "https://github.com/example/shop-gitops",
    infra: "https://github.com/example/shop-infra",
  },
  profiles: [
    {
      name: "aws",
      cloud: "aws",
      region: "eu-west-1",
      accountId: "123456789012",
      dns: { provider: "route53", zone: "shop.example.com" },
      secrets: { backend: "aws-secrets-manager" },
      objectStorage: { provider: "s3" },
      registry: { provider: "ecr", url: "123456789012.dkr.ecr.eu-west-1.amazonaws.com" },
      storageClass: "gp3",
      stateBackend: { type: "s3", bucket: "shop-tofu-state", region: "eu-west-1" },
    },
  ],
  clusters: [
    {
      name: "main",
      profile: "aws",
      kind: "eks",
      nodePools: [{ name: "general", instanceType: "m6i.large", min: 2, max: 4 }],
      capacity: { cpu: "8", memory: "32Gi", overcommit: { accepted: true, reason: "quotas are ceilings; measured peak use is 20Gi" } },
      components: ["argocd", "argo-rollouts", "external-secrets", "cloudnative-pg", "velero"],
    },
  ],
  namespaces: [
    { name: "dev", cluster: "main", quota: { cpu: "2", memory: "26Gi" } },
    { name: "prod", cluster: "main", quota: { cpu: "4", memory: "8Gi" }, podSecurity: "restricted" },
  ],
  environments: [
    { name: "dev", cluster: "main", namespace: "dev", sync: "auto", tier: "standard", data: "synthetic", secrets: { store: "aws", prefix: "dev" } },
    {
      name: "prod",
      cluster: "main",
      namespace: "prod",
      production: true,
      sync: "manual",
      approval: "pr+manual",
      tier: "full",
      data: "production",
      rollout: "canary",
      scale: { min: 2, max: 6 },
      hosts: ["shop.example.com"],
      recovery: { rto: "2h", rpo: "15m" },
    },
  ],
  tiers: [
    { name: "standard", description: "the app and its database" },
    { name: "full", description: "everything production runs" },
  ],
  secretStores: [{ name: "aws", backend: "aws-secrets-manager", aws: { region: "eu-west-1" } }],
  services: [
    {
      name: "app",
      image: "ghcr.io/example/shop-app",
      // @ts-expect-error: the types refuse it too; a spec evaluated without type-checking reaches the loader.
      env: { BUILD_TIME: () => new Date().toISOString() },
      ports: [{ name: "http", port: 8080, expose: true }],
      secrets: { DATABASE_URL: { store: "aws", key: "shop/database", property: "url" } },
      dependsOn: ["postgres"],
      ingress: { port: "http" },
      probes: { readiness: { path: "/healthz", port: "http" } },
    },
  ],
  dataServices: [
    {
      name: "postgres",
      engine: "postgres",
      version: "16",
      storage: "20Gi",
      backup: { method: "cnpg-pitr", schedule: "0 3 * * *", retention: "14d" },
    },
  ],
  analyses: [
    {
      name: "success-rate",
      prometheus: "http://prometheus.monitoring:9090",
      query: 'sum(rate(http_requests_total{status!~"5.."}[2m])) / sum(rate(http_requests_total[2m]))',
      successCondition: "result[0] >= 0.99",
    },
  ],
  rollouts: [
    { name: "canary", strategy: "canary", steps: [{ setWeight: 20 }, { pause: "5m" }, { analysis: ["success-rate"] }, { setWeight: 100 }] },
  ],
});
