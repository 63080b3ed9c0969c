/**
 * The objects that take the backups the Model promises: a Velero Schedule per velero backup, and per
 * cnpg-pitr backup the CloudNativePG Cluster that archives its WAL plus a ScheduledBackup for its base
 * backups. Neither CRD has a typed model in the installed packages, so the shapes below are local and
 * follow the CRDs (velero.io/v1 Schedule; postgresql.cnpg.io/v1 Cluster and ScheduledBackup).
 *
 * Not emitted: vault-raft-snapshot (needs a CronJob with a Vault token and an S3 client; the restore
 * runbook documents the snapshot commands), pg-dump, redis-rdb and volume-snapshot jobs, and
 * etcd-snapshot (configured on the k3s/etcd servers, not through the API).
 */
import type { Model, ModelBackup, ModelCluster } from "../../compiler/model.js";
import { cnpgObjectStore, cnpgRetentionPolicy, type CnpgBarmanObjectStore } from "../../compiler/formats/cnpg.js";
import { toGoDurationString } from "../shared/go-duration.js";
import { DATA_INSTANCE_LABEL } from "../../compiler/resolve/data-engines.js";
import { namespacedMeta, type IObjectMeta, type Placed } from "./objects.js";

/** velero.io/v1 Schedule: the fields plinth sets. */
export interface VeleroSchedule {
  apiVersion: "velero.io/v1";
  kind: "Schedule";
  metadata: IObjectMeta;
  spec: {
    schedule: string;
    /** Backups outlive their Schedule: deleting the Schedule must not delete what it took. */
    useOwnerReferencesInBackup: boolean;
    template: { includedNamespaces: string[]; ttl: string; storageLocation: string };
  };
}

/** postgresql.cnpg.io/v1 Cluster: the fields plinth sets. */
export interface CnpgCluster {
  apiVersion: "postgresql.cnpg.io/v1";
  kind: "Cluster";
  metadata: IObjectMeta;
  spec: {
    instances: number;
    imageName: string;
    /** Labels CNPG puts on everything it creates for the Cluster, its PVCs included. */
    inheritedMetadata?: { labels: Record<string, string> };
    storage?: { size: string; storageClass?: string };
    resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
    postgresql?: { parameters: Record<string, string> };
    /** IRSA: the annotation that gives the Cluster's service account its IAM role (barman backups support only IRSA). */
    serviceAccountTemplate?: { metadata: { annotations: Record<string, string> } };
    /** Absent for a Postgres no cnpg-pitr backup archives (targets/kubernetes/data.ts). */
    backup?: { barmanObjectStore: CnpgBarmanObjectStore; retentionPolicy: string };
  };
}

/** postgresql.cnpg.io/v1 ScheduledBackup: the fields plinth sets. */
export interface CnpgScheduledBackup {
  apiVersion: "postgresql.cnpg.io/v1";
  kind: "ScheduledBackup";
  metadata: IObjectMeta;
  spec: {
    /** Six fields: CNPG's cron (robfig/cron) starts with seconds. */
    schedule: string;
    cluster: { name: string };
    method: "barmanObjectStore";
    /** A base backup right away, so the WAL archive is restorable from the first day. */
    immediate: boolean;
    backupOwnerReference: "none" | "self" | "cluster";
  };
}

/**
 * The BackupStorageLocation Velero writes to: the one its chart configures, which Velero calls
 * `default` (a Schedule without one would use the location marked default, if any).
 */
const VELERO_STORAGE_LOCATION = "default";

/** Every backup object of the Model, placed in its cluster and namespace. */
export function backupObjects(model: Model): Placed[] {
  const clusters = new Map(model.clusters.map((c) => [c.name, c]));
  const engines = new Map(model.dataServices.map((d) => [d.name, d.engine]));
  const placed: Placed[] = [];
  for (const backup of model.backups) {
    if (backup.cluster === undefined) continue;
    const cluster = clusters.get(backup.cluster);
    if (!cluster) throw new Error(`backup "${backup.name}" is on unknown cluster "${backup.cluster}"`);
    if (backup.method === "velero") {
      const schedule = veleroSchedule(model, cluster, backup);
      placed.push({ cluster: cluster.name, namespace: schedule.metadata.namespace, object: schedule });
    } else if (backup.method === "cnpg-pitr" && engines.get(backup.dataService ?? "") === "postgres") {
      for (const namespace of backup.namespaces) {
        placed.push(
          { cluster: cluster.name, namespace, object: cnpgCluster(model, cluster, backup, namespace) },
          { cluster: cluster.name, namespace, object: cnpgScheduledBackup(model, backup, namespace) },
        );
      }
    }
  }
  return placed;
}

/** A Velero Schedule in the velero component's namespace (Velero only reads Schedules there). */
export function veleroSchedule(model: Model, cluster: ModelCluster, backup: ModelBackup): VeleroSchedule {
  return {
    apiVersion: "velero.io/v1",
    kind: "Schedule",
    metadata: namespacedMeta(model, backup.name, cluster.veleroServiceAccount.namespace),
    spec: {
      schedule: backup.schedule,
      useOwnerReferencesInBackup: false,
      template: {
        // No namespaces in the Model means the whole cluster.
        includedNamespaces: backup.namespaces.length > 0 ? [...backup.namespaces] : ["*"],
        ttl: toGoDurationString(backup.retention),
        storageLocation: VELERO_STORAGE_LOCATION,
      },
    },
  };
}

/**
 * The data service's CloudNativePG Cluster: its instances, storage and resources, archiving WAL
 * (at least every archiveTimeoutSeconds) and base backups to the backup's object store.
 */
export function cnpgCluster(model: Model, cluster: ModelCluster, backup: ModelBackup, namespace: string): CnpgCluster {
  const dataService = model.dataServices.find((d) => d.name === backup.dataService);
  if (!dataService) throw new Error(`backup "${backup.name}" protects unknown data service "${String(backup.dataService)}"`);
  if (dataService.cnpgImage === undefined) throw new Error(`data service "${dataService.name}" (${dataService.engine}) has no CloudNativePG image in the Model`);
  const storageClass = model.profiles.find((p) => p.name === cluster.profile)?.storageClass;
  // Sized for this placement (an environment may override the data service's sizing).
  const placement = dataService.placements.find((p) => p.cluster === cluster.name && p.namespace === namespace);
  if (!placement) throw new Error(`data service "${dataService.name}" has no placement in ${cluster.name}/${namespace}`);
  const resources = placement.resources;
  const roleArn = cluster.workloadIdentities.find((i) => i.purpose === "database-backup" && i.serviceAccount.namespace === namespace && i.serviceAccount.name === dataService.name)?.roleArn;
  return {
    apiVersion: "postgresql.cnpg.io/v1",
    kind: "Cluster",
    metadata: namespacedMeta(model, dataService.name, namespace),
    spec: {
      instances: placement.instances,
      imageName: dataService.cnpgImage,
      inheritedMetadata: { labels: { [DATA_INSTANCE_LABEL]: dataService.name } },
      ...(placement.storage !== undefined && { storage: { size: placement.storage, ...(storageClass !== undefined && { storageClass }) } }),
      ...(resources && {
        resources: { ...(resources.requests && { requests: { ...resources.requests } }), ...(resources.limits && { limits: { ...resources.limits } }) },
      }),
      ...(backup.archiveTimeoutSeconds !== undefined && { postgresql: { parameters: { archive_timeout: `${backup.archiveTimeoutSeconds}s` } } }),
      ...(roleArn !== undefined && { serviceAccountTemplate: { metadata: { annotations: { "eks.amazonaws.com/role-arn": roleArn } } } }),
      backup: { barmanObjectStore: cnpgObjectStore(backup), retentionPolicy: cnpgRetentionPolicy(backup) },
    },
  };
}

/** Base backups of the Cluster on the backup's schedule. */
export function cnpgScheduledBackup(model: Model, backup: ModelBackup, namespace: string): CnpgScheduledBackup {
  return {
    apiVersion: "postgresql.cnpg.io/v1",
    kind: "ScheduledBackup",
    metadata: namespacedMeta(model, backup.name, namespace),
    spec: {
      schedule: withSeconds(backup.schedule),
      cluster: { name: backup.dataService! },
      method: "barmanObjectStore",
      immediate: true,
      // The Backup records (not the archived data, which retentionPolicy prunes) belong to the ScheduledBackup.
      backupOwnerReference: "self",
    },
  };
}

/** A five-field cron with a leading seconds field (at second 0); @-macros mean the same in both forms. */
export function withSeconds(cron: string): string {
  const trimmed = cron.trim();
  if (trimmed.startsWith("@")) return trimmed;
  const fields = trimmed.split(/\s+/);
  if (fields.length !== 5) throw new Error(`not a five-field cron expression: ${JSON.stringify(cron)}`);
  return `0 ${fields.join(" ")}`;
}
