/**
 * Secrets and who may do what. Seed 000 "1. Platform principles": "No secrets in Git, ever.
 * References in Git; secret material in a KMS/vault, synced by External Secrets Operator (ADR-0030)."
 */
import { secretRef } from "plinth";
import type { PlatformInput, SecretInput, SecretStoreInput } from "plinth";

export const secretStores: SecretStoreInput[] = [
  {
    // Application secrets: one Vault, a path per environment (seed 002 "Secrets" row:
    // "Vault dev namespace", "Vault staging namespace", "Vault prod namespace").
    name: "vault",
    backend: "vault",
    scope: "cluster",
    vault: {
      server: "https://vault.bitvault.io",
      mount: "kv",
      kvVersion: "v2",
      auth: { role: "external-secrets", mountPath: "kubernetes" },
    },
  },
  {
    // Platform-owned credentials kept in AWS Secrets Manager, encrypted with the cloud KMS key
    // (ADR-0014, ADR-0030); read by External Secrets through IRSA.
    name: "aws-secrets-manager",
    backend: "aws-secrets-manager",
    scope: "cluster",
    aws: { region: "eu-west-1", roleName: "bitvault-prod-external-secrets" },
  },
];

export const secrets: SecretInput[] = [
  {
    name: "opensearch-admin",
    namespace: "bitvault-data",
    purpose: "OpenSearch admin credentials for the prod search cluster",
    data: [
      { secretKey: "username", ref: secretRef("aws-secrets-manager", "bitvault/prod/opensearch-admin", "username") },
      { secretKey: "password", ref: secretRef("aws-secrets-manager", "bitvault/prod/opensearch-admin", "password") },
    ],
    rotation: "90d",
  },
  {
    // The previews' pull-request generator lists bitvault/bitvault's pull requests with it (a private
    // repository; unauthenticated, GitHub allows 60 requests an hour). A fine-grained token with
    // read access to pull requests, rotated with the team's other CI tokens.
    name: "github-pull-requests",
    cluster: "nonprod",
    namespace: "platform",
    purpose: "GitHub token ArgoCD lists bitvault/bitvault's pull requests with (previews)",
    data: [{ secretKey: "token", ref: secretRef("vault", "platform/argocd/github", "token") }],
    rotation: "90d",
  },
];

// Seed 000 "3. Repository strategy": engineers write the app repo, CI bumps digests, platform
// writes config and IaC. CI has no role here on purpose: "CI never holds a kubeconfig" (ADR-0028);
// its only write is a pull request to bitvault-gitops.
export const roles: NonNullable<PlatformInput["roles"]> = [
  {
    name: "engineer",
    description: "Works in the app repo; inspects and re-syncs non-production environments",
    groups: ["bitvault:engineers"],
    environments: ["dev", "preview", "staging"],
    actions: ["get", "sync"],
  },
  {
    name: "release-approver",
    description: "Approves the GitOps pull requests that promote a digest to staging and prod",
    groups: ["bitvault:release-approvers"],
    environments: ["staging", "prod"],
    actions: ["get", "approve", "promote"],
  },
  {
    name: "platform",
    description: "Owns bitvault-gitops and bitvault-infra; runs restores and secret rotation",
    groups: ["bitvault:platform"],
    actions: ["get", "sync", "override", "action", "delete", "approve", "promote", "rotate-secrets", "restore"],
  },
];

export const projects: NonNullable<PlatformInput["projects"]> = [
  {
    name: "bitvault",
    description: "The BitVault application in every environment",
    namespaces: ["dev", "staging", "bitvault", "bitvault-data"],
    roles: ["engineer", "release-approver", "platform"],
  },
  {
    name: "platform",
    description: "Platform components (ArgoCD, External Secrets, ingress, monitoring, operators)",
    namespaces: ["platform"],
    roles: ["platform"],
    clusterResources: true,
  },
];
