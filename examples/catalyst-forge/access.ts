/**
 * Secrets and roles (seed 004 "Secret Management Patterns", "Authentication & Authorization Model").
 *
 * "Configuration contains only secret references, never values." The seed's reference is
 * `{ provider, …provider fields }`: `{ provider: "aws", secretName, region? }` or
 * `{ provider: "vault", path, key?, version? }`. In plinth the provider is the secret store and the
 * fields are `{ store, key, property }`: AWS secretName → key, a JSON field → property; Vault
 * path → key, key → property.
 */
import { secretRef } from "plinth";
import type { PlatformInput, SecretInput, SecretStoreInput } from "plinth";
import { AWS_REGION } from "./profiles.js";

export const secretStores: SecretStoreInput[] = [
  {
    // AWS adapter: "AWS Secrets Manager Provider (Initial Release) — Authentication: IRSA".
    // The IAM role is plinth's per-cluster External Secrets role.
    name: "aws-secrets-manager",
    backend: "aws-secrets-manager",
    aws: { region: AWS_REGION },
  },
  {
    // On-prem adapter: "External Secrets Operator with Vault".
    name: "vault",
    backend: "vault",
    vault: {
      server: "https://vault.forge-hetzner.projectcatalyst.io",
      mount: "kv",
      kvVersion: "v2",
      auth: { role: "external-secrets", mountPath: "kubernetes-forge-onprem" },
    },
  },
];

/**
 * Secrets that are not a service's own environment: on-prem there is no IRSA, so the MinIO keys are
 * a secret there; on AWS the workers reach S3 and Secrets Manager through IRSA with no secret at
 * all. (The services' own secrets are declared on the services, without a store: each environment's
 * adapter supplies them.)
 */
export function environmentSecrets(env: { namespace: string; secrets: { store: string; prefix: string } }): SecretInput[] {
  const { store, prefix } = env.secrets;
  const out: SecretInput[] = [];
  if (store === "vault") {
    out.push({
      name: "object-storage-credentials",
      namespace: env.namespace,
      purpose: "MinIO access keys (artifacts, logs, run results)",
      data: [
        { secretKey: "AWS_ACCESS_KEY_ID", ref: secretRef(store, `${prefix}/minio`, "access_key") },
        { secretKey: "AWS_SECRET_ACCESS_KEY", ref: secretRef(store, `${prefix}/minio`, "secret_key") },
      ],
      rotation: "30d",
    });
  }
  return out;
}

// "Role-Based Access Control" — the seed's four roles, managed as Keycloak groups.
export const roles: NonNullable<PlatformInput["roles"]> = [
  {
    name: "developer",
    description: "Read pipeline status, manual deployments to dev",
    groups: ["forge-developers"],
    environments: ["dev"],
    actions: ["get", "sync"],
  },
  {
    // "Production: Approval-only deployments with named approvers".
    name: "approver",
    description: "Approve releases for promotion",
    groups: ["forge-approvers"],
    environments: ["staging", "production"],
    actions: ["get", "approve", "promote"],
  },
  {
    name: "operator",
    description: "Platform administration",
    groups: ["forge-operators"],
    actions: ["get", "sync", "override", "action", "delete", "approve", "promote", "rotate-secrets", "restore"],
  },
  {
    // The Deployment Handler updates ReleasePointer files; ArgoCD syncs what it wrote.
    name: "service-account",
    description: "Automated system operations",
    groups: ["forge-service-accounts"],
    actions: ["get", "sync", "promote"],
  },
];

export const projects: NonNullable<PlatformInput["projects"]> = [
  {
    name: "catalyst-forge",
    description: "The Catalyst Forge platform services in every environment",
    namespaces: ["forge-dev", "forge-staging", "forge-production"],
    roles: ["developer", "approver", "operator", "service-account"],
    // Releases carry Crossplane composite resources (XRs), which are cluster-scoped.
    clusterResources: true,
  },
];
