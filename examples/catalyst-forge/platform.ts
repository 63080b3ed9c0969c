/**
 * Catalyst Forge — an internal developer platform (seed 004 "Core Architecture").
 * One spec, two adapter profiles (profiles.ts): dev and staging run on K3s at Hetzner with the
 * on-prem adapters, production on EKS with the AWS adapters — "environments differ only in
 * adapter configuration, not in application manifests".
 *   profiles.ts  adapters, clusters, namespaces
 *   services.ts  api-server, the worker StatefulSets, PostgreSQL, NATS
 *   access.ts    secret stores, per-environment secret references, roles, projects
 */
import { defineAnalyses, defineEnvironments, definePlatform, defineRollouts } from "plinth";
import { clusters, namespaces, profiles } from "./profiles.js";
import { dataServices, services } from "./services.js";
import { environmentSecrets, projects, roles, secretStores } from "./access.js";

// "Environment: A deployment target (dev, staging, production)"; "Environment-Specific Permissions".
const environments = defineEnvironments([
  {
    name: "dev",
    cluster: "forge-onprem",
    namespace: "forge-dev",
    sync: "auto",
    selfHeal: true,
    approval: "none", // "Development: Broad access for developers"
    scale: { replicas: 1 },
    hosts: ["dev.forge-hetzner.projectcatalyst.io"],
    secrets: { store: "vault", prefix: "forge/dev" },
    rollout: "rolling",
    data: "synthetic",
  },
  {
    name: "staging",
    cluster: "forge-onprem",
    namespace: "forge-staging",
    sync: "auto",
    selfHeal: true,
    approval: "pr", // "Staging: Restricted deployment permissions"
    scale: { replicas: 2 },
    hosts: ["staging.forge-hetzner.projectcatalyst.io"],
    secrets: { store: "vault", prefix: "forge/staging" },
    rollout: "rolling",
    data: "synthetic",
  },
  {
    name: "production",
    cluster: "forge-aws",
    namespace: "forge-production",
    production: true,
    sync: "auto",
    selfHeal: true,
    approval: "pr+manual", // "Production: Approval-only deployments with named approvers"
    // The API server scales horizontally; workers keep their fixed counts (services.ts overrides)
    // and are scaled by KEDA on NATS consumer lag.
    scale: { min: 2, max: 10, targetCPU: 70 },
    hosts: ["forge.projectcatalyst.io"],
    secrets: { store: "aws-secrets-manager", prefix: "forge/production" },
    rollout: "canary",
    data: "production",
  },
]);

// The seed lists "Progressive deployment strategies (canary, blue-green)" under Future
// Enhancements, i.e. production today deploys with no automated check. plinth refuses that
// (rollout/unguarded-production), so production gets a canary analysed on Grafana Cloud's
// Prometheus, where the AWS profile's Alloy ships metrics.
const analyses = defineAnalyses([
  {
    name: "api-error-rate",
    prometheus: "https://prometheus-prod-us-east-0.grafana.net/api/prom",
    query:
      'sum(rate(http_server_requests_total{namespace="forge-production",service="api-server",code=~"5.."}[5m])) / sum(rate(http_server_requests_total{namespace="forge-production",service="api-server"}[5m]))',
    successCondition: "result[0] <= 0.01",
    interval: "1m",
    count: 5,
    failureLimit: 1,
  },
  {
    // The workers serve no HTTP: they are judged by the jobs they fail (rollout/analysis-mismatch
    // refuses an HTTP analysis on them).
    name: "worker-job-failure-rate",
    prometheus: "https://prometheus-prod-us-east-0.grafana.net/api/prom",
    query:
      'sum(rate(forge_worker_jobs_failed_total{namespace="forge-production",service="{{args.service-name}}"}[10m])) / sum(rate(forge_worker_jobs_total{namespace="forge-production",service="{{args.service-name}}"}[10m]))',
    successCondition: "result[0] <= 0.05",
    interval: "2m",
    count: 5,
    failureLimit: 1,
  },
]);

const rollouts = defineRollouts([
  { name: "rolling", strategy: "rolling", maxSurge: "25%", maxUnavailable: "0" },
  {
    name: "canary",
    strategy: "canary",
    steps: [{ setWeight: 20 }, { pause: "5m" }, { analysis: ["api-error-rate"] }, { setWeight: 50 }, { pause: "5m" }, { setWeight: 100 }],
    autoRollback: true,
  },  {
    // Workers in production: one pod in ten first, judged on failed jobs.
    name: "worker-canary",
    strategy: "canary",
    steps: [{ setWeight: 10 }, { pause: "10m" }, { analysis: ["worker-job-failure-rate"] }, { setWeight: 50 }, { pause: "10m" }, { setWeight: 100 }],
    autoRollback: true,
  },
]);

export default definePlatform({
  name: "catalyst-forge",
  organisation: "Project Catalyst",
  domain: "forge.projectcatalyst.io",
  // Platform source; the single GitOps repository ("environments/<env>/<repository>/<project>/
  // release.yaml"); the infrastructure code.
  repositories: {
    app: "https://github.com/input-output-hk/catalyst-forge",
    gitops: "https://github.com/input-output-hk/catalyst-forge-gitops",
    infra: "https://github.com/input-output-hk/catalyst-forge-infra",
  },
  revision: "main",
  decisions: [
    { id: "stack-1", title: "CUE for all configuration" },
    { id: "stack-3", title: "GitOps with Argo CD", decision: "Release pointers in one GitOps repository; a CMP extracts Release OCI images" },
    { id: "stack-4", title: "Crossplane for resource composition" },
    { id: "stack-7", title: "NATS JetStream for messaging", decision: "Ephemeral: durable state lives in PostgreSQL and object storage" },
    { id: "stack-8", title: "PostgreSQL for persistence" },
    { id: "principle-3", title: "Built for change: ports and adapters", decision: "The same spec binds to AWS or on-prem adapters per profile" },
  ],
  profiles,
  clusters,
  namespaces,
  environments,
  services,
  dataServices,
  secretStores,
  // One set of references per environment, each from that environment's store.
  secrets: environments.flatMap((env) => environmentSecrets({ namespace: env.namespace!, secrets: env.secrets! })),
  analyses,
  rollouts,
  roles,
  projects,
});
