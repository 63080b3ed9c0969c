import { z } from "zod";
import { secretRef } from "./secrets.js";

export const dnsProvider = z.enum(["route53", "cloudflare", "powerdns"]);
export const secretsBackend = z.enum(["aws-secrets-manager", "vault", "kubernetes"]);
export const objectStorageProvider = z.enum(["s3", "minio"]);
export const registryProvider = z.enum(["ecr", "harbor", "ghcr"]);

/** OpenTofu state encryption with a passphrase only the operators (and CI) hold. */
const stateEncryption = z.literal("passphrase").optional().describe("OpenTofu state and plan encryption with a passphrase from TF_VAR_state_passphrase.");

/** A set of adapters a cluster is bound to (ports and adapters): the same spec on aws or on-prem. */
export const profile = z.strictObject({
  name: z.string().describe("Profile name, referenced by clusters (`profile`)."),
  cloud: z.enum(["aws", "onprem"]).describe("Where the clusters of this profile run: `aws` (EKS, IAM, S3) or `onprem` (existing or k3s clusters)."),
  region: z.string().optional().describe("Cloud region (aws) or site name (onprem)."),
  accountId: z
    .string()
    .regex(/^\d{12}$/, "an AWS account id is 12 digits")
    .optional().describe("AWS account id (aws): lets plinth annotate the service accounts of External Secrets and Velero with the ARNs of the IRSA roles the infra stack creates. Without it they are left unannotated."),
  dns: z.strictObject({
    provider: dnsProvider.describe("DNS provider external-dns writes records to."),
    zone: z.string().describe("DNS zone external-dns manages (its domain filter), e.g. \"bitvault.io\"."),
    endpoint: z.string().optional().describe("powerdns: the API server URL (`--pdns-server`)."),
    credentials: secretRef.optional().describe("Where external-dns's API credentials live (cloudflare: an API token; powerdns: the API key), as a secret reference: plinth syncs it into the Secret external-dns reads. Route53 needs none (the workload identity)."),
  }).describe("The DNS adapter: where environment hosts get their records."),
  secrets: z.strictObject({
    backend: secretsBackend.describe("Secrets backend External Secrets reads: aws-secrets-manager, vault or kubernetes Secrets."),
    address: z.string().optional().describe("Vault address for the vault backend."),
  }).describe("The secrets adapter: where secret values live (plinth only ever writes references)."),
  objectStorage: z.strictObject({
    provider: objectStorageProvider.describe("Object storage for backups and buckets: s3 or minio."),
    endpoint: z.string().optional().describe("S3-compatible endpoint (minio)."),
    credentialsStore: z
      .string()
      .optional()
      .describe(
        "minio: the secret store (backend vault) OpenTofu writes the keys of each MinIO user it creates into (Velero's, each database backup's), for their ExternalSecrets to read. Defaults to the only vault store of the spec; with the kubernetes secrets backend OpenTofu writes the Secrets directly.",
      ),
  }).describe("The object storage adapter: where backups and buckets go."),
  registry: z.strictObject({
    provider: registryProvider.describe("Container registry images are pulled from: ecr, harbor or ghcr."),
    url: z.string().describe("Registry address images live under, e.g. \"123456789012.dkr.ecr.eu-west-1.amazonaws.com\" or \"ghcr.io/acme\"."),
    credentials: secretRef
      .optional()
      .describe(
        "Pull credentials (harbor: a robot account; ghcr: a token) as a secret reference whose object has `username` and `password`: plinth syncs them into an image pull Secret in every environment namespace of the clusters on this profile. ECR on EKS needs none (the node role pulls).",
      ),
  }).describe("The registry adapter: where service images are pulled from."),
  storageClass: z.string().describe("Default StorageClass for persistent volumes (gp3, longhorn, openebs-hostpath, local-path…)."),
  volumeGroup: z.string().optional().describe("openebs-lvmpv: the LVM volume group on the nodes the class provisions from (plinth then creates the class)."),
  stateBackend: z
    .discriminatedUnion("type", [
      z.strictObject({
        type: z.literal("s3").describe("State in an S3 bucket (created before the first `tofu init`)."),
        bucket: z.string().describe("Bucket that holds the state."),
        region: z.string().describe("Region of the bucket."),
        key: z.string().optional().describe("Key prefix of the state objects; one state per stack below it."),
        encryption: stateEncryption,
      }),
      z.strictObject({ type: z.literal("http").describe("State behind an HTTP backend (GitLab, Terraform-compatible servers)."), address: z.string().describe("Base URL of the HTTP backend."), encryption: stateEncryption }),
      z.strictObject({ type: z.literal("local").describe("State in a local file (one per stack)."), path: z.string().optional().describe("State file path."), encryption: stateEncryption }),
    ])
    .optional()
    .describe(
      'Where OpenTofu keeps its state for this profile. `encryption: "passphrase"` turns on OpenTofu\'s state and plan encryption (AES-GCM, key derived with PBKDF2 from TF_VAR_state_passphrase): required for a local state that holds credentials (the MinIO users\' keys).',
    ),
});
