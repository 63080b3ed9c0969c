/**
 * Pinned versions of what the generated stacks download. Exact pins: the same spec builds the same
 * infrastructure until plinth itself is upgraded. The aws pin matches the provider mirrors plinth is
 * tested against (`terraform init -plugin-dir`).
 */

/** OpenTofu and Terraform both read these files; 1.10 is the first of each with S3-native locking (use_lockfile). */
export const REQUIRED_VERSION = ">= 1.10.0";

export type ProviderName = "aws" | "helm" | "kubernetes" | "minio" | "vault" | "cloudflare" | "powerdns";

export const PROVIDERS: Record<ProviderName, { source: string; version: string }> = {
  aws: { source: "hashicorp/aws", version: "5.100.0" },
  helm: { source: "hashicorp/helm", version: "2.17.0" },
  kubernetes: { source: "hashicorp/kubernetes", version: "2.38.0" },
  minio: { source: "aminueza/minio", version: "3.5.2" },
  vault: { source: "hashicorp/vault", version: "4.8.0" },
  cloudflare: { source: "cloudflare/cloudflare", version: "4.49.1" },
  powerdns: { source: "pan-net/powerdns", version: "1.5.0" },
};

/**
 * argo-helm's argocd-apps chart renders the root Application. A second release is needed because the
 * argo-cd chart ships the Application CRD as a template: a custom resource in the same release would
 * fail to map before the CRD exists.
 */
export const ARGOCD_APPS_CHART = { repository: "https://argoproj.github.io/argo-helm", name: "argocd-apps", version: "2.0.2" };
