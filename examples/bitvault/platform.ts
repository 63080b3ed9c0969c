/**
 * BitVault — SaaS with self-host parity (seed 000 "BitVault Platform Engineering — Design" and
 * seed 002 "Environments"). Split by concern:
 *   clusters.ts      profile, nonprod + prod clusters, namespaces
 *   environments.ts  the ladder local → dev → preview → staging → prod, tiers, rollouts, analyses
 *   services.ts      api / web / worker, the data stack, backups, drills
 *   access.ts        secret stores and secrets (references only), roles, ArgoCD projects
 * The digest each environment runs is in releases.lock.yaml: the same digest in dev, staging and
 * prod ("The image digest must not differ across environments", seed 002).
 */
import { definePlatform } from "plinth";
import { clusters, namespaces, profiles } from "./clusters.js";
import { analyses, environments, rollouts, tiers } from "./environments.js";
import { backups, dataServices, drills, services } from "./services.js";
import { projects, roles, secretStores, secrets } from "./access.js";

export default definePlatform({
  name: "bitvault",
  organisation: "BitVault",
  domain: "bitvault.io",
  // Seed 000 §5: "Ingress / TLS — ingress controller + cert-manager (ACME)". The address is ours.
  certificates: { acmeEmail: "platform@bitvault.io" },
  // Seed 000 "3. Repository strategy (three concerns, separated)".
  repositories: {
    app: "https://github.com/bitvault/bitvault",
    gitops: "https://github.com/bitvault/bitvault-gitops",
    infra: "https://github.com/bitvault/bitvault-infra",
  },
  revision: "main",
  // Seed 000 "Related ADRs" — the contested decisions this spec implements, plus the inherited
  // ones it leans on (tiers, observability, KMS).
  decisions: [
    { id: "ADR-0012", title: "Tiered packaging", decision: "Self-host runs a subset of the same charts: lite, standard or full (Compose or a lightweight cluster)" },
    { id: "ADR-0013", title: "Observability", decision: "OpenTelemetry Collector + Prometheus/Tempo/Loki (or vendor)" },
    { id: "ADR-0014", title: "KMS", decision: "Cloud KMS protects secret material and Vault's unseal" },
    { id: "ADR-0028", title: "Pull-based GitOps with ArgoCD; separate config repo", decision: "CI pushes artifacts, CD pulls state; CI never holds a kubeconfig" },
    { id: "ADR-0029", title: "Progressive delivery with Argo Rollouts (canary + analysis)", decision: "Metric-based auto-promote and auto-rollback, not big-bang deploys" },
    { id: "ADR-0030", title: "External Secrets Operator + cloud KMS", decision: "References in Git; secret material in KMS/Vault, synced by External Secrets" },
    { id: "ADR-0031", title: "IaC with OpenTofu; IaC/GitOps boundary", decision: "OpenTofu provisions clusters, VPC, buckets, KMS, IAM and bootstraps ArgoCD; ArgoCD owns everything in-cluster" },
    { id: "ADR-0032", title: "GitHub Actions + OIDC keyless + supply-chain security", decision: "Build once, sign with cosign keyless, SBOM and SLSA provenance, verify at admission" },
    { id: "ADR-0033", title: "Backup & DR (Velero + PITR; RTO/RPO targets)", decision: "DR is re-provision + re-sync + restore data" },
    { id: "ADR-0034", title: "Environment & promotion model (promote by digest via PR)", decision: "Promotion is a pull request in bitvault-gitops that moves one digest one rung" },
  ],
  profiles,
  clusters,
  namespaces,
  environments,
  tiers,
  services,
  dataServices,
  secretStores,
  secrets,
  analyses,
  rollouts,
  backups,
  drills,
  roles,
  projects,
});
