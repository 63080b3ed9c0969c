/**
 * What BitVault runs: three images built once and promoted by digest (ADR-0032/0034), the data
 * stack run by operators (seed 000 "5. The platform stack": CloudNativePG, Redis, NATS,
 * OpenSearch) and how each is backed up (ADR-0033: Velero + CloudNativePG PITR).
 */
import { defineDataServices, defineServices, secretRef } from "plinth";
import type { PlatformInput } from "plinth";

// Images are repositories only: the digest each environment runs is in releases.lock.yaml.
export const services = defineServices([
  {
    name: "api",
    image: "ghcr.io/bitvault/api",
    ports: [
      { name: "http", port: 8080, expose: true },
      { name: "metrics", port: 9090 },
    ],
    env: { LOG_FORMAT: "json", OTEL_EXPORTER_OTLP_ENDPOINT: "http://otel-collector.platform.svc:4317" },
    // Keys are relative to the environment's Vault prefix (dev/, staging/, prod/).
    secrets: {
      JWT_SIGNING_KEY: secretRef("vault", "bitvault/api", "jwt_signing_key"),
      SESSION_ENCRYPTION_KEY: secretRef("vault", "bitvault/api", "session_encryption_key"),
    },
    resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "1", memory: "1Gi" } },
    probes: {
      liveness: { path: "/healthz", port: "http", periodSeconds: 10 },
      readiness: { path: "/readyz", port: "http", periodSeconds: 5 },
    },
    // Redis (cache, rate limits) and OpenSearch (search) are used when the tier provides them; a tier
    // without them runs the API with those features off. Each gets its connection variables (bindings).
    dependsOn: ["postgres", "redis", "opensearch"],
    ingress: { port: "http", path: "/api" },
    // Seed 002: dev runs on a "seeded synthetic dataset" ("Synthetic seed data applied on cluster
    // bootstrap"). It runs before each dev release, so it loads only what is missing; the command is
    // this example's. Previews ("seeded fixtures generated at namespace creation") get it once they
    // have a database of their own.
    seedData: { command: ["/app/bitvault-api", "seed", "--synthetic", "--if-empty"], timeout: "10m" },
  },
  {
    name: "web",
    image: "ghcr.io/bitvault/web",
    ports: [{ name: "http", port: 3000, expose: true }],
    env: { API_BASE_PATH: "/api" },
    resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
    probes: { liveness: { path: "/", port: "http" }, readiness: { path: "/", port: "http" } },
    dependsOn: ["api"],
    ingress: { port: "http", path: "/" },
    overrides: { prod: { scale: { min: 3, max: 12, targetCPU: 70 } } },
  },
  {
    name: "worker",
    image: "ghcr.io/bitvault/worker",
    ports: [{ name: "metrics", port: 9090 }],
    env: { LOG_FORMAT: "json", QUEUE_STREAM: "bitvault-jobs" },
    secrets: { SMTP_PASSWORD: secretRef("vault", "bitvault/worker", "smtp_password") },
    resources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { cpu: "2", memory: "2Gi" } },
    probes: { liveness: { path: "/healthz", port: "metrics" } },
    // The worker consumes NATS JetStream, so it starts at the standard tier.
    dependsOn: ["postgres", "nats"],
    tiers: ["standard", "full"],
    // Its own delivery where it matters: analysed on failed jobs, scaled 2–8 in prod beside web's 3–12.
    overrides: {
      staging: { rollout: "worker-canary" },
      prod: { rollout: "worker-canary", scale: { min: 2, max: 8, targetCPU: 70 } },
    },
  },
]);

export const dataServices = defineDataServices([
  {
    // CloudNativePG with continuous WAL archiving to S3: point-in-time recovery, worst-case loss
    // = archive_timeout (seed 000 "Backup/DR: Velero + CloudNativePG PITR").
    name: "postgres",
    engine: "postgres",
    version: "16",
    instances: 3,
    storage: "100Gi",
    resources: { requests: { cpu: "2", memory: "8Gi" }, limits: { memory: "8Gi" } },
    backup: { method: "cnpg-pitr", schedule: "0 2 * * *", retention: "30d", archiveTimeout: "5m" },
    // Sized per rung (quota/workloads-exceed caught prod sizing inside dev's 8Gi quota): dev is one
    // small instance; staging keeps replication but not production's size.
    overrides: {
      dev: { instances: 1, storage: "20Gi", resources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { memory: "1Gi" } } },
      staging: { instances: 2, storage: "50Gi", resources: { requests: { cpu: "1", memory: "4Gi" }, limits: { memory: "4Gi" } } },
    },
  },
  {
    // Cache and rate-limit counters: rebuilt on restart, nothing to back up.
    name: "redis",
    engine: "redis",
    // The Redis line the redis-operator runs (quay.io/opstree/redis:v7.0.15).
    version: "7.0",
    stateful: false,
    tiers: ["standard", "full"],
    resources: { requests: { cpu: "250m", memory: "1Gi" }, limits: { memory: "1Gi" } },
  },
  {
    // JetStream streams hold queued work that is not in Postgres yet.
    name: "nats",
    engine: "nats",
    version: "2.10",
    instances: 3,
    storage: "20Gi",
    tiers: ["standard", "full"],
    resources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { memory: "2Gi" } },
    backup: { method: "volume-snapshot", schedule: "*/15 * * * *", retention: "3d" },
    overrides: {
      dev: { instances: 1, storage: "5Gi", resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } } },
    },
  },
  {
    name: "opensearch",
    engine: "opensearch",
    version: "2.18.0",
    instances: 3,
    storage: "200Gi",
    tiers: ["full"],
    resources: { requests: { cpu: "2", memory: "16Gi" }, limits: { memory: "16Gi" } },
    overrides: {
      staging: { instances: 1, storage: "50Gi", resources: { requests: { cpu: "1", memory: "4Gi" }, limits: { memory: "4Gi" } } },
    },
    // EBS snapshots are incremental, so every 15 minutes is cheap enough to meet prod's 15m RPO.
    backup: { method: "volume-snapshot", schedule: "*/15 * * * *", retention: "7d" },
  },
]);

// Velero backs up each cluster's objects and volumes nightly: everything else is rebuilt from
// IaC + Git ("Clusters are cattle", ADR-0033).
export const backups: NonNullable<PlatformInput["backups"]> = [
  { name: "nonprod-nightly", method: "velero", cluster: "nonprod", schedule: "0 3 * * *", retention: "14d" },
  { name: "prod-nightly", method: "velero", cluster: "prod", schedule: "0 3 * * *", retention: "30d" },
];

export const drills: NonNullable<PlatformInput["drills"]> = [
  { environment: "prod", every: "90d", description: "Restore prod into a scratch cluster from IaC + Git + backups and time it against the RTO" },
];
