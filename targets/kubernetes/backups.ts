/**
 * The objects that take the backups the Model promises (each backup's performer,
 * compiler/resolve/performers.ts): a Velero Schedule per velero backup; per cnpg-pitr backup the
 * CloudNativePG Cluster that archives its WAL plus a ScheduledBackup for its base backups; per
 * volume-snapshot backup a SnapScheduler SnapshotSchedule and the cluster's VolumeSnapshotClass; per
 * Vault raft snapshot and kubeadm etcd snapshot a CronJob that uploads to the backup's bucket. The
 * CRDs have no typed model in the installed packages, so their shapes are local and follow the CRDs
 * (velero.io/v1 Schedule; postgresql.cnpg.io/v1 Cluster and ScheduledBackup; snapscheduler.backube/v1
 * SnapshotSchedule; snapshot.storage.k8s.io/v1 VolumeSnapshotClass). Backups performed outside the
 * tree (`external`) have no object; those nothing performs are refused before targets run.
 */
import type { ICronJob } from "kubernetes-models/batch/v1/CronJob";
import type { IServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import type { IContainer } from "kubernetes-models/v1/Container";
import type { IPodSpec } from "kubernetes-models/v1/PodSpec";
import type { ISecurityContext } from "kubernetes-models/v1/SecurityContext";
import type { Model, ModelBackup, ModelCluster } from "../../compiler/model.js";
import { SNAPSHOT_LABEL } from "../../compiler/resolve/recovery.js";
import { vaultSnapshotLogin } from "../../compiler/resolve/performers.js";
import { backupJobServiceAccount } from "../../compiler/resolve/identity.js";
import { shellQuote as q } from "../../compiler/formats/shell.js";
import { cnpgObjectStore, cnpgRetentionPolicy, type CnpgBarmanObjectStore } from "../../compiler/formats/cnpg.js";
import { toGoDurationString } from "../shared/go-duration.js";
import { DATA_INSTANCE_LABEL } from "../../compiler/resolve/data-engines.js";
import { parseDuration } from "../../spec/units.js";
import { clusterMeta, namespacedMeta, type IObjectMeta, type Placed } from "./objects.js";

/** velero.io/v1 Schedule: the fields plinth sets. */
export interface VeleroSchedule {
  apiVersion: "velero.io/v1";
  kind: "Schedule";
  metadata: IObjectMeta;
  spec: {
    schedule: string;
    /** Backups outlive their Schedule: deleting the Schedule must not delete what it took. */
    useOwnerReferencesInBackup: boolean;
    template: {
      includedNamespaces: string[];
      ttl: string;
      storageLocation: string;
      /** EBS volumes: snapshots through the AWS plugin's VolumeSnapshotLocation (kept in S3, off the volume). */
      snapshotVolumes: boolean;
      /** Elsewhere: the node agent copies every pod volume's files to the bucket (kopia). */
      defaultVolumesToFsBackup?: boolean;
    };
  };
}

/** snapscheduler.backube/v1 SnapshotSchedule: the fields plinth sets. */
export interface SnapshotSchedule {
  apiVersion: "snapscheduler.backube/v1";
  kind: "SnapshotSchedule";
  metadata: IObjectMeta;
  spec: {
    schedule: string;
    claimSelector: { matchLabels: Record<string, string> };
    /** Go duration in hours (the CRD accepts only h, m or s). */
    retention: { expires: string };
    snapshotTemplate: { snapshotClassName: string; labels: Record<string, string> };
  };
}

/** snapshot.storage.k8s.io/v1 VolumeSnapshotClass. */
export interface VolumeSnapshotClass {
  apiVersion: "snapshot.storage.k8s.io/v1";
  kind: "VolumeSnapshotClass";
  metadata: IObjectMeta;
  driver: string;
  deletionPolicy: "Delete" | "Retain";
  parameters?: Record<string, string>;
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
    backup?: { barmanObjectStore: CnpgBarmanObjectStore & { serverName: string }; retentionPolicy: string };
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
  const placed: Placed[] = [];
  for (const backup of model.backups) {
    if (backup.cluster === undefined || backup.performer.kind !== "objects") continue;
    const cluster = clusters.get(backup.cluster);
    if (!cluster) throw new Error(`backup "${backup.name}" is on unknown cluster "${backup.cluster}"`);
    const onS3 = model.profiles.find((p) => p.name === cluster.profile)?.objectStorage.provider === "s3";
    switch (backup.method) {
      case "velero": {
        const schedule = veleroSchedule(model, cluster, backup, onS3);
        placed.push({ cluster: cluster.name, namespace: schedule.metadata.namespace, object: schedule });
        break;
      }
      case "cnpg-pitr":
        for (const namespace of backup.namespaces) {
          placed.push(
            { cluster: cluster.name, namespace, object: cnpgCluster(model, cluster, backup, namespace) },
            { cluster: cluster.name, namespace, object: cnpgScheduledBackup(model, backup, namespace) },
          );
        }
        break;
      case "volume-snapshot":
        for (const namespace of backup.namespaces) placed.push({ cluster: cluster.name, namespace, object: snapshotSchedule(model, cluster, backup, namespace) });
        break;
      case "vault-raft-snapshot":
        for (const namespace of backup.namespaces) {
          placed.push({ cluster: cluster.name, namespace, object: jobServiceAccount(model, cluster, backup) }, { cluster: cluster.name, namespace, object: vaultSnapshotJob(model, cluster, backup, namespace) });
        }
        break;
      case "etcd-snapshot":
        placed.push({ cluster: cluster.name, namespace: "kube-system", object: jobServiceAccount(model, cluster, backup) }, { cluster: cluster.name, namespace: "kube-system", object: etcdSnapshotJob(model, cluster, backup) });
        break;
      default:
        throw new Error(`backup "${backup.name}" (${backup.method}) has an object performer the kubernetes target does not emit`);
    }
  }
  // One VolumeSnapshotClass per cluster whose scheduled snapshots need it.
  for (const cluster of model.clusters) {
    const snapshotClass = cluster.volumeSnapshotClass;
    if (!snapshotClass || !model.backups.some((b) => b.cluster === cluster.name && b.method === "volume-snapshot" && b.performer.kind === "objects")) continue;
    const object: VolumeSnapshotClass = {
      apiVersion: "snapshot.storage.k8s.io/v1",
      kind: "VolumeSnapshotClass",
      metadata: clusterMeta(model, snapshotClass.name),
      driver: snapshotClass.driver,
      // Deleting an expired VolumeSnapshot deletes the snapshot itself, so retention frees the storage.
      deletionPolicy: "Delete",
      ...(Object.keys(snapshotClass.parameters).length > 0 && { parameters: { ...snapshotClass.parameters } }),
    };
    placed.push({ cluster: cluster.name, object });
  }
  return placed;
}

/**
 * Scheduled CSI snapshots of a data service's PVCs: those labelled with its instance name (the data
 * services' label convention), on the backup's cron, deleted after its retention.
 */
export function snapshotSchedule(model: Model, cluster: ModelCluster, backup: ModelBackup, namespace: string): SnapshotSchedule {
  if (!cluster.volumeSnapshotClass) throw new Error(`cluster "${cluster.name}" has no VolumeSnapshotClass in the Model`);
  return {
    apiVersion: "snapscheduler.backube/v1",
    kind: "SnapshotSchedule",
    metadata: namespacedMeta(model, backup.name, namespace),
    spec: {
      schedule: backup.schedule,
      claimSelector: { matchLabels: { "app.kubernetes.io/instance": backup.dataService! } },
      // The CRD takes one unit only (^\d+(h|m|s)$): whole hours, rounded up so nothing goes early.
      retention: { expires: `${Math.ceil(parseDuration(backup.retention)! / 3600)}h` },
      snapshotTemplate: { snapshotClassName: cluster.volumeSnapshotClass.name, labels: { [SNAPSHOT_LABEL]: backup.name } },
    },
  };
}

/**
 * The service account a snapshot CronJob runs as; on AWS with IRSA it names the IAM role that may
 * write the backup's prefix (with EKS Pod Identity the association needs nothing here).
 */
function jobServiceAccount(model: Model, cluster: ModelCluster, backup: ModelBackup): IServiceAccount {
  const serviceAccount = backupJobServiceAccount(backup);
  const roleArn = cluster.workloadIdentities.find((i) => i.purpose === "backup-job" && i.serviceAccount.namespace === serviceAccount.namespace && i.serviceAccount.name === serviceAccount.name)?.roleArn;
  const metadata = namespacedMeta(model, serviceAccount.name, serviceAccount.namespace);
  return { apiVersion: "v1", kind: "ServiceAccount", metadata: roleArn !== undefined ? { ...metadata, annotations: { "eks.amazonaws.com/role-arn": roleArn } } : metadata };
}

/** AWS CLI image the upload containers run (MinIO speaks the S3 API). */
export const AWS_CLI_IMAGE = "amazon/aws-cli:2.17.0";
/** etcd's own image (etcdctl), the 3.5 line Kubernetes 1.29–1.31 run. */
export const ETCD_IMAGE = "registry.k8s.io/etcd:3.5.15-0";

/** Upload `file` to the backup's prefix under a UTC timestamped name, so `aws s3 ls | sort | tail -n 1` is the newest. */
function uploadContainer(cluster: ModelCluster, region: string | undefined, backup: ModelBackup, file: string, suffix: string): IContainer {
  if (backup.destinationPath === undefined) throw new Error(`backup "${backup.name}" has no destination in the Model`);
  const endpoint = backup.endpoint !== undefined ? ` --endpoint-url ${q(backup.endpoint)}` : "";
  const secret = (name: string, key: string) => ({ name, valueFrom: { secretKeyRef: { name: backup.credentialsSecret!, key } } });
  // MinIO: a user's keys from a Secret (any region); S3: the service account's IAM role, in the cluster's region.
  const credentials = backup.credentialsSecret !== undefined ? [secret("AWS_ACCESS_KEY_ID", "ACCESS_KEY_ID"), secret("AWS_SECRET_ACCESS_KEY", "ACCESS_SECRET_KEY")] : [];
  const awsRegion = backup.credentialsSecret !== undefined ? "us-east-1" : (cluster.region ?? region);
  return {
    name: "upload",
    image: AWS_CLI_IMAGE,
    command: ["/bin/sh", "-c", `aws s3 cp ${q(file)} "${backup.destinationPath}/$(date -u +%Y%m%dT%H%M%SZ)${suffix}"${endpoint}`],
    env: [...credentials, ...(awsRegion !== undefined ? [{ name: "AWS_DEFAULT_REGION", value: awsRegion }] : []), { name: "HOME", value: "/tmp" }],
    volumeMounts: [{ name: "snapshot", mountPath: "/snapshot" }],
  };
}

const profileRegion = (model: Model, cluster: ModelCluster) => model.profiles.find((p) => p.name === cluster.profile)?.region;

/** A CronJob that never overlaps itself and keeps a short history. */
function cronJob(model: Model, backup: ModelBackup, namespace: string, pod: IPodSpec): ICronJob {
  return {
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: namespacedMeta(model, backup.name, namespace),
    spec: {
      schedule: backup.schedule,
      concurrencyPolicy: "Forbid",
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 3,
      jobTemplate: { spec: { backoffLimit: 2, template: { metadata: { labels: { "app.kubernetes.io/name": backup.name } }, spec: pod } } },
    },
  };
}

/** What Pod Security's restricted level asks of a container: the Vault job runs in Vault's namespace, whatever its level. */
const restricted = (): ISecurityContext => ({
  runAsNonRoot: true,
  runAsUser: 65534,
  allowPrivilegeEscalation: false,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
});

/**
 * Vault raft snapshots: the job logs in with its service account through the cluster's Kubernetes
 * auth mount (the snapshot role of the config stack), saves a snapshot, and uploads it.
 */
export function vaultSnapshotJob(model: Model, cluster: ModelCluster, backup: ModelBackup, namespace: string): ICronJob {
  const login = vaultSnapshotLogin(cluster, namespace, model.secretStores);
  const dataService = model.dataServices.find((d) => d.name === backup.dataService);
  if (!login || !dataService) throw new Error(`backup "${backup.name}" has no Vault login on cluster "${cluster.name}" in the Model`);
  const script = [
    `VAULT_TOKEN="$(vault write -field=token ${q(`auth/${login.authMount}/login`)} role=${q(backup.name)} jwt=@/var/run/secrets/kubernetes.io/serviceaccount/token)"`,
    "export VAULT_TOKEN",
    "vault operator raft snapshot save /snapshot/vault.snap",
  ].join("\n");
  return cronJob(model, backup, namespace, {
    serviceAccountName: backup.name,
    restartPolicy: "OnFailure",
    initContainers: [
      {
        name: "snapshot",
        image: dataService.composeImage,
        command: ["/bin/sh", "-c", script],
        env: [{ name: "VAULT_ADDR", value: login.server }, { name: "HOME", value: "/tmp" }],
        securityContext: restricted(),
        volumeMounts: [{ name: "snapshot", mountPath: "/snapshot" }],
      },
    ],
    containers: [{ ...uploadContainer(cluster, profileRegion(model, cluster), backup, "/snapshot/vault.snap", ".snap"), securityContext: restricted() }],
    volumes: [{ name: "snapshot", emptyDir: {} }],
  });
}

/**
 * etcd snapshots on a kubeadm-style control plane: a pod on a control-plane node (host network, the
 * node's etcd client certificates) saves a snapshot with etcdctl and uploads it.
 */
export function etcdSnapshotJob(model: Model, cluster: ModelCluster, backup: ModelBackup): ICronJob {
  const pki = "/etc/kubernetes/pki/etcd";
  return cronJob(model, backup, "kube-system", {
    serviceAccountName: backup.name,
    restartPolicy: "OnFailure",
    hostNetwork: true,
    nodeSelector: { "node-role.kubernetes.io/control-plane": "" },
    tolerations: [{ key: "node-role.kubernetes.io/control-plane", operator: "Exists", effect: "NoSchedule" }],
    initContainers: [
      {
        name: "snapshot",
        image: ETCD_IMAGE,
        command: [
          "etcdctl",
          "--endpoints=https://127.0.0.1:2379",
          `--cacert=${pki}/ca.crt`,
          `--cert=${pki}/healthcheck-client.crt`,
          `--key=${pki}/healthcheck-client.key`,
          "snapshot",
          "save",
          "/snapshot/etcd.db",
        ],
        volumeMounts: [
          { name: "etcd-certs", mountPath: pki, readOnly: true },
          { name: "snapshot", mountPath: "/snapshot" },
        ],
      },
    ],
    containers: [uploadContainer(cluster, profileRegion(model, cluster), backup, "/snapshot/etcd.db", ".db")],
    volumes: [
      { name: "etcd-certs", hostPath: { path: pki, type: "Directory" } },
      { name: "snapshot", emptyDir: {} },
    ],
  });
}

/** A Velero Schedule in the velero component's namespace (Velero only reads Schedules there). */
export function veleroSchedule(model: Model, cluster: ModelCluster, backup: ModelBackup, onS3: boolean): VeleroSchedule {
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
        // Volume data leaves the cluster's storage either way: EBS snapshots on AWS, the node agent's file copies elsewhere.
        snapshotVolumes: onS3,
        ...(!onS3 && { defaultVolumesToFsBackup: true }),
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
      // The lineage this Cluster archives under: a recovery starts the next (restore runbook).
      backup: { barmanObjectStore: { ...cnpgObjectStore(backup), serverName: backup.serverName ?? dataService.name }, retentionPolicy: cnpgRetentionPolicy(backup) },
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
