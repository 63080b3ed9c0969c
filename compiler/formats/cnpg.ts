/**
 * CloudNativePG's object-store settings of a backup, shared by the Cluster the kubernetes target
 * writes and the recovery Cluster the restore runbook applies: both must name the same archive.
 * Field names follow the postgresql.cnpg.io/v1 Cluster CRD (spec.backup.barmanObjectStore).
 */
import type { ModelBackup } from "../model.js";

/** A key of a Kubernetes Secret in the Cluster's namespace. */
export interface CnpgSecretKeyRef {
  name: string;
  key: string;
}

/** spec.backup.barmanObjectStore (and externalClusters[].barmanObjectStore) of a CNPG Cluster. */
export interface CnpgBarmanObjectStore {
  destinationPath: string;
  endpointURL?: string;
  serverName?: string;
  s3Credentials: { inheritFromIAMRole: true } | { accessKeyId: CnpgSecretKeyRef; secretAccessKey: CnpgSecretKeyRef };
  wal?: { compression?: "gzip" | "bzip2" | "snappy"; maxParallel?: number };
  data?: { compression?: "gzip" | "bzip2" | "snappy" };
}

/**
 * Where a cnpg-pitr backup writes base backups and WAL: the Model's destinationPath (unique per
 * namespace), the MinIO endpoint when there is one, and credentials — the pod's IAM role on AWS, the
 * Model's credentials Secret (ACCESS_KEY_ID / ACCESS_SECRET_KEY) on MinIO. Both compressed with gzip.
 */
export function cnpgObjectStore(backup: ModelBackup): CnpgBarmanObjectStore {
  if (backup.destinationPath === undefined) throw new Error(`backup "${backup.name}" has no destinationPath in the Model`);
  const secret = backup.credentialsSecret;
  return {
    destinationPath: backup.destinationPath,
    ...(backup.endpoint !== undefined && { endpointURL: backup.endpoint }),
    s3Credentials:
      secret !== undefined
        ? { accessKeyId: { name: secret, key: "ACCESS_KEY_ID" }, secretAccessKey: { name: secret, key: "ACCESS_SECRET_KEY" } }
        : { inheritFromIAMRole: true },
    wal: { compression: "gzip" },
    data: { compression: "gzip" },
  };
}

/** CNPG's retention policy (`<n>d`) of a backup's retention, in whole days. */
export function cnpgRetentionPolicy(backup: ModelBackup): string {
  return `${backup.retentionDays}d`;
}
