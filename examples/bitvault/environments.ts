/**
 * The BitVault environment ladder (seed 002, "Environment Ladder" and "Config per Environment"):
 * local → dev → preview (pr-N) → staging → prod. Every promotion carries the same image digest.
 * Each field below cites the row of seed 002's table it comes from.
 */
import { defineAnalyses, defineEnvironments, defineRollouts } from "plinth";
import type { PlatformInput } from "plinth";

export const environments = defineEnvironments([
  {
    // "Developer inner loop — Docker Compose on laptop — Manual — Throwaway / seed fixtures"
    name: "local",
    runtime: "compose",
    sync: "manual",
    approval: "none",
    scale: { replicas: 1 }, // Scale: "Single replica"
    tier: "lite", // Dependency tier: lite
    hosts: ["localhost"], // Endpoints: "localhost:*"
    featureFlags: { policy: "all-on" }, // Feature flags: "All on"
    // Secrets: ".env / Compose secrets" — the Compose bundle's file-based secrets, no store.
    data: "fixtures", // "Developer-controlled fixtures; throwaway"
  },
  {
    // "Integration baseline — Auto from main merge — Yes (auto-sync) — Seeded synthetic dataset"
    name: "dev",
    cluster: "nonprod",
    namespace: "dev",
    sync: "auto",
    selfHeal: true,
    approval: "none", // CI auto-merges the digest-bump PR (seed 002 "Promotion Flow")
    scale: { min: 1, max: 2 }, // "1–2 replicas"
    tier: "standard",
    hosts: [], // Endpoints: "Internal cluster DNS" — no ingress host
    featureFlags: { policy: "all-on" },
    secrets: { store: "vault", prefix: "dev" }, // "Vault dev namespace"
    rollout: "immediate", // Rollout aggressiveness: "Immediate"
    data: "synthetic", // "Synthetic seed data applied on cluster bootstrap"
  },
  {
    // "Per-PR ephemeral review — Per PR (ArgoCD ApplicationSet) — Yes (on PR open) —
    //  Seeded ephemeral, torn down on close"
    name: "preview",
    cluster: "nonprod",
    sync: "auto",
    selfHeal: true,
    prune: true, // ephemeral: what the PR drops goes too
    approval: "none",
    scale: { replicas: 1 }, // "1 replica"
    // Dependency tier: "lite / standard" — one tier per environment; previews take the cheaper one.
    tier: "lite",
    featureFlags: { policy: "pr-specific" },
    // "Ephemeral Vault path"; "not connected to any persistent data or real secrets".
    secrets: { store: "vault", prefix: "preview" },
    rollout: "immediate",
    data: "fixtures", // "Seeded fixtures generated at namespace creation; ephemeral"
    preview: {
      repository: "bitvault/bitvault",
      namespacePrefix: "pr-", // seed 000: "ns: pr-123 (ephemeral preview)"
      host: "pr-{number}.preview.bitvault.io", // Endpoints: "Ephemeral Ingress"
      token: { secret: "github-pull-requests" }, // access.ts: a private repository
    },
  },
  {
    // "Release candidate validation — RC digest, prod-shaped config — PR approval required —
    //  Anonymized or fully synthetic". Promoted from dev (previews are not a rung).
    name: "staging",
    cluster: "nonprod",
    namespace: "staging",
    promoteFrom: "dev",
    sync: "auto",
    selfHeal: true,
    approval: "pr",
    // "Prod-shaped replicas": prod's HPA floor, fixed, so load tests see prod's shape.
    scale: { replicas: 3 },
    tier: "full",
    hosts: ["staging.bitvault.io"],
    featureFlags: { policy: "rc-gated" },
    secrets: { store: "vault", prefix: "staging" }, // "Vault staging namespace"
    rollout: "canary-abbreviated", // "Canary (abbreviated)"
    // "never real prod data"; real-derived data only after automated anonymisation, and only here.
    data: "anonymized",
    // Seed 000 names RTO/RPO targets (ADR-0033) without numbers; these are the example's.
    recovery: { rto: "8h", rpo: "24h" },
  },
  {
    // "Live traffic — Gated canary via Argo Rollouts — PR + manual approval + canary — Real production data"
    name: "prod",
    cluster: "prod",
    namespace: "bitvault",
    dataNamespace: "bitvault-data", // seed 000: "ns: bitvault-data (operators)"
    promoteFrom: "staging",
    production: true,
    sync: "auto",
    selfHeal: true,
    approval: "pr+manual",
    scale: { min: 3, max: 20, targetCPU: 70 }, // "HPA-managed"
    tier: "full",
    hosts: ["bitvault.io"],
    featureFlags: { policy: "canary-gated" },
    secrets: { store: "vault", prefix: "prod" }, // "Vault prod namespace"
    rollout: "canary-full", // "Full canary + analysis"
    data: "production", // "Real user data; full retention and encryption"
    // ADR-0033 (no numbers in the seed): 15m RPO is met by WAL archiving and 15-minute snapshots.
    recovery: { rto: "4h", rpo: "15m" },
  },
]);

/** Seed 000 "Tiered packaging" (ADR-0012): the dependency tiers the same charts and Compose bundles ship in. */
export const tiers: NonNullable<PlatformInput["tiers"]> = [
  { name: "lite", description: "api, web and Postgres only: a laptop or a small self-hosted server (Compose)" },
  { name: "standard", description: "adds Redis, NATS and the background worker: the integration shape of dev" },
  { name: "full", description: "adds OpenSearch: the complete SaaS dependency set run by staging and prod" },
];

// Argo Rollouts analysis against the in-cluster Prometheus (kube-prometheus-stack in `platform`).
const prometheus = "http://kube-prometheus-stack-prometheus.platform.svc:9090";

export const analyses = defineAnalyses([
  {
    name: "http-success-rate",
    prometheus,
    query:
      'sum(rate(http_requests_total{service="{{args.service-name}}",code!~"5.."}[2m])) / sum(rate(http_requests_total{service="{{args.service-name}}"}[2m]))',
    successCondition: "result[0] >= 0.99",
    failureCondition: "result[0] < 0.95",
    interval: "1m",
    count: 5,
    failureLimit: 1,
  },
  {
    name: "http-latency-p99",
    prometheus,
    query:
      'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{service="{{args.service-name}}"}[2m])))',
    successCondition: "result[0] <= 0.5",
    interval: "1m",
    count: 5,
    failureLimit: 2,
  },  {
    // The worker serves no HTTP (rollout/analysis-mismatch): judged by the jobs it fails.
    name: "job-failure-rate",
    prometheus,
    query:
      'sum(rate(bitvault_jobs_failed_total{service="{{args.service-name}}"}[5m])) / sum(rate(bitvault_jobs_processed_total{service="{{args.service-name}}"}[5m]))',
    successCondition: "result[0] <= 0.02",
    interval: "2m",
    count: 5,
    failureLimit: 1,
  },
]);

// Seed 000 ADR-0029: "Canary with metric-based auto-promote/auto-rollback (Argo Rollouts)".
export const rollouts = defineRollouts([
  // dev and previews: "Immediate".
  { name: "immediate", strategy: "rolling", maxSurge: "100%", maxUnavailable: "0" },
  {
    // staging: "Canary (abbreviated)" — one half-way step and a short success-rate check.
    name: "canary-abbreviated",
    strategy: "canary",
    steps: [{ setWeight: 50 }, { pause: "2m" }, { analysis: ["http-success-rate"] }],
    autoRollback: true,
  },
  {
    // prod: "Full canary + analysis".
    name: "canary-full",
    strategy: "canary",
    steps: [
      { setWeight: 5 },
      { pause: "5m" },
      { analysis: ["http-success-rate", "http-latency-p99"] },
      { setWeight: 25 },
      { pause: "10m" },
      { setWeight: 50 },
      { pause: "10m" },
      { analysis: ["http-success-rate", "http-latency-p99"] },
      { setWeight: 100 },
    ],
    backgroundAnalysis: ["http-success-rate"],
    autoRollback: true,
  },  {
    // The worker in staging and prod: a canary judged on failed jobs instead of HTTP.
    name: "worker-canary",
    strategy: "canary",
    steps: [{ setWeight: 25 }, { pause: "10m" }, { analysis: ["job-failure-rate"] }, { setWeight: 100 }],
    autoRollback: true,
  },
]);
