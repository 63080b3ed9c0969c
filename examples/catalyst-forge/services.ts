/**
 * The runtime services of Catalyst Forge (seed 004 "Service Architecture & Deployment Topology")
 * and their data: PostgreSQL for the audit trail and permanent state, NATS JetStream for
 * in-flight work.
 *
 * Not modelled as services, because they are not long-running workloads:
 * - Dispatcher — "Deployed as: Ephemeral pods created by Argo Workflows".
 * - The Argo CD Custom Management Plugin — "Runs within Argo CD pods".
 */
import { defineDataServices, defineServices } from "plinth";
import type { ServiceInput } from "plinth";

// Images live in ECR; the on-prem Harbor replicates them ("Harbor" is the on-prem registry adapter).
// A path, not a host: each cluster pulls from its profile's registry, by the same digest.
const image = (name: string) => ({ path: `catalyst-forge/${name}` });

/**
 * "Worker Service … Deployed as: Multiple Kubernetes StatefulSets with different resource profiles",
 * each with its own Git repository cache. One image; the job type selects the module.
 * Replica counts and cache sizes are the seed's; CPU and memory are this example's.
 * The cache is a per-pod generic ephemeral volume rather than a StatefulSet's volumeClaimTemplates:
 * a Git repository cache is rebuilt by cloning, so it need not outlive its pod, and an Argo Rollout
 * (production's analysed canary) can carry it where it cannot drive a StatefulSet.
 */
function worker(
  jobType: "discovery" | "ci" | "artifact" | "release",
  productionReplicas: number,
  cacheSize: string,
  resources: NonNullable<ServiceInput["resources"]>,
): ServiceInput {
  return {
    name: `worker-${jobType}`,
    image: image("worker"),
    command: ["/worker", `--job-type=${jobType}`],
    ports: [{ name: "metrics", port: 9090 }],
    env: {
      WORKER_JOB_TYPE: jobType,
      NATS_STREAM: `forge-jobs-${jobType}`,
      GIT_CACHE_DIR: "/var/cache/forge",
      // "worker-ci: 10 replicas, 200Gi cache per pod" etc.
      GIT_CACHE_SIZE: cacheSize,
    },
    // "Each worker maintains individual Git repository cache in persistent storage": one volume per
    // pod on the profile's StorageClass (Longhorn on-prem, gp3 on AWS).
    caches: [{ name: "git-cache", mountPath: "/var/cache/forge", size: cacheSize }],
    // No store named: each environment's own (Vault on-prem, Secrets Manager on AWS) — "applications
    // deploy identically across both profiles" (ports and adapters).
    secrets: { GITHUB_APP_PRIVATE_KEY: { key: "github", property: "app_private_key" } },
    resources,
    probes: { liveness: { path: "/healthz", port: "metrics" }, readiness: { path: "/readyz", port: "metrics" } },
    dependsOn: ["nats", "postgres"],
    // Scaled on their own, canaried on their own analysis (not the API's HTTP error rate).
    overrides: { production: { replicas: productionReplicas, rollout: "worker-canary" } },
  };
}

export const services = defineServices([
  {
    // "Platform API Server — Single unified REST API service … Deployed as: Kubernetes Deployment
    // with horizontal scaling". Authenticates through Keycloak; receives GitHub Actions webhooks.
    name: "api-server",
    image: image("api-server"),
    ports: [
      { name: "http", port: 8080, expose: true },
      { name: "metrics", port: 9090 },
    ],
    env: {
      KEYCLOAK_ISSUER: "https://auth.forge.projectcatalyst.io/realms/forge",
      LOG_FORMAT: "json",
    },
    // Secret references without a store: each environment's adapter supplies them.
    secrets: {
      KEYCLOAK_CLIENT_SECRET: { key: "keycloak", property: "client_secret" },
      GITHUB_WEBHOOK_SECRET: { key: "github", property: "webhook_secret" },
    },
    resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "1", memory: "1Gi" } },
    probes: {
      liveness: { path: "/healthz", port: "http" },
      readiness: { path: "/readyz", port: "http" },
    },
    dependsOn: ["postgres", "nats"],
    ingress: { port: "http", path: "/" },
    // "Database Migrations — Run as Kubernetes Jobs before service deployments; apply schema changes
    // to PostgreSQL". The API server owns the schema (it "manages all domain entities"), so its
    // release runs them first, from its own image and with its database binding. The command is this
    // example's.
    preRelease: [{ name: "migrate", command: ["/api-server", "migrate", "up"], timeout: "15m" }],
  },
  worker("discovery", 3, "50Gi", { requests: { cpu: "500m", memory: "1Gi" }, limits: { cpu: "2", memory: "4Gi" } }),
  worker("ci", 10, "200Gi", { requests: { cpu: "4", memory: "8Gi" }, limits: { cpu: "8", memory: "16Gi" } }),
  worker("artifact", 5, "150Gi", { requests: { cpu: "2", memory: "4Gi" }, limits: { cpu: "4", memory: "8Gi" } }),
  worker("release", 3, "100Gi", { requests: { cpu: "1", memory: "2Gi" }, limits: { cpu: "2", memory: "4Gi" } }),
]);

export const dataServices = defineDataServices([
  {
    // "PostgreSQL for persistence — … audit trails and permanent state management".
    // The seed names no backup for it, though it is the platform's only durable state besides
    // object storage; plinth's recovery/no-backup rule insists, so: CloudNativePG PITR to the
    // profile's object storage (S3 on AWS, MinIO on-prem).
    name: "postgres",
    engine: "postgres",
    version: "16",
    instances: 3,
    storage: "50Gi",
    resources: { requests: { cpu: "1", memory: "4Gi" }, limits: { memory: "4Gi" } },
    backup: { method: "cnpg-pitr", schedule: "0 3 * * *", retention: "30d", archiveTimeout: "5m" },
  },
  {
    // "The messaging plane is intentionally ephemeral … lost messages result in timeouts and
    // retries, not data loss": replicated, but nothing to back up.
    name: "nats",
    engine: "nats",
    version: "2.10",
    instances: 3,
    stateful: false,
    storage: "10Gi",
    resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { memory: "1Gi" } },
  },
]);
