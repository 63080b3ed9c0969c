import { z } from "zod";
import { secretRef } from "./secrets.js";

export const dnsProvider = z.enum(["route53", "cloudflare", "powerdns"]);
export const secretsBackend = z.enum(["aws-secrets-manager", "vault", "kubernetes"]);
export const objectStorageProvider = z.enum(["s3", "minio"]);
export const registryProvider = z.enum(["ecr", "harbor", "ghcr"]);

/** OpenTofu state encryption with a passphrase only the operators (and CI) hold. */
const stateEncryption = z.literal("passphrase").optional();

/** A set of adapters a cluster is bound to (ports and adapters): the same spec on aws or on-prem. */
export const profile = z.strictObject({
  name: z.string(),
  cloud: z.enum(["aws", "onprem"]),
  /** Cloud region (aws) or site name (onprem). */
  region: z.string().optional(),
  /**
   * AWS account id (aws): lets plinth annotate the service accounts of External Secrets and Velero
   * with the ARNs of the IRSA roles the infra stack creates. Without it they are left unannotated.
   */
  accountId: z
    .string()
    .regex(/^\d{12}$/, "an AWS account id is 12 digits")
    .optional(),
  dns: z.strictObject({
    provider: dnsProvider,
    zone: z.string(),
    endpoint: z.string().optional(),
    /**
     * Where external-dns's API credentials live (cloudflare: an API token; powerdns: the API key), as
     * a secret reference: plinth syncs it into the Secret external-dns reads. Route53 needs none (the
     * workload identity).
     */
    credentials: secretRef.optional(),
  }),
  secrets: z.strictObject({
    backend: secretsBackend,
    /** Vault address for the vault backend. */
    address: z.string().optional(),
  }),
  objectStorage: z.strictObject({
    provider: objectStorageProvider,
    /** S3-compatible endpoint (minio). */
    endpoint: z.string().optional(),
    /**
     * minio: the secret store (backend vault) OpenTofu writes the keys of each MinIO user it creates
     * into (Velero's, each database backup's), for their ExternalSecrets to read. Defaults to the only
     * vault store of the spec; with the kubernetes secrets backend OpenTofu writes the Secrets directly.
     */
    credentialsStore: z.string().optional(),
  }),
  registry: z.strictObject({
    provider: registryProvider,
    url: z.string(),
    /**
     * Pull credentials (harbor: a robot account; ghcr: a token) as a secret reference whose object has
     * `username` and `password`: plinth syncs them into an image pull Secret in every environment
     * namespace of the clusters on this profile. ECR on EKS needs none (the node role pulls).
     */
    credentials: secretRef.optional(),
  }),
  /** Default StorageClass for persistent volumes (gp3, longhorn, openebs-hostpath, local-path…). */
  storageClass: z.string(),
  /** openebs-lvmpv: the LVM volume group on the nodes the class provisions from (plinth then creates the class). */
  volumeGroup: z.string().optional(),
  /**
   * Where OpenTofu keeps its state for this profile. `encryption: "passphrase"` turns on OpenTofu's
   * state and plan encryption (AES-GCM, key derived with PBKDF2 from TF_VAR_state_passphrase): required
   * for a local state that holds credentials (the MinIO users' keys).
   */
  stateBackend: z
    .discriminatedUnion("type", [
      z.strictObject({ type: z.literal("s3"), bucket: z.string(), region: z.string(), key: z.string().optional(), encryption: stateEncryption }),
      z.strictObject({ type: z.literal("http"), address: z.string(), encryption: stateEncryption }),
      z.strictObject({ type: z.literal("local"), path: z.string().optional(), encryption: stateEncryption }),
    ])
    .optional(),
});
