import { definePlatform } from "plinth";

// Services are routed through a Gateway (envoy-gateway) with an HTTPS listener per host: dev's 64
// hosts and prod's one need 66 listeners, and a Gateway holds at most 64.
export default definePlatform({
  name: "shop",
  organisation: "shop",
  domain: "shop.example.com",
  certificates: { acmeEmail: "ops@shop.example.com" },
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
      capacity: { cpu: "8", memory: "32Gi" },
      components: ["argocd", "argo-rollouts", "external-secrets", "cloudnative-pg", "velero", "cert-manager", "envoy-gateway"],
    },
  ],
  namespaces: [
    { name: "dev", cluster: "main", quota: { cpu: "2", memory: "4Gi" } },
    { name: "prod", cluster: "main", quota: { cpu: "4", memory: "8Gi" }, podSecurity: "restricted" },
  ],
  environments: [
    {
      name: "dev",
      cluster: "main",
      namespace: "dev",
      sync: "auto",
      tier: "standard",
      data: "synthetic",
      secrets: { store: "aws", prefix: "dev" },
      hosts: Array.from({ length: 64 }, (_, i) => `team${i}.dev.shop.example.com`),
    },
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
      ports: [{ name: "http", port: 8080, expose: true }],
      secrets: { DATABASE_URL: { store: "aws", key: "shop/database", property: "url" } },
      ingress: { port: "http" },
      probes: { readiness: { path: "/healthz", port: "http" } },
    },
  ],
  backups: [{ name: "prod-volumes", method: "velero", cluster: "main", schedule: "*/10 * * * *", retention: "7d", namespaces: ["prod"] }],
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
