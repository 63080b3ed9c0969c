/**
 * Who takes each backup on schedule. A backup counts for RPO and RTO only when something performs it:
 * an object the generated tree holds (a Velero Schedule, a CloudNativePG ScheduledBackup and the
 * Cluster archiving WAL, a SnapScheduler SnapshotSchedule, a CronJob), or someone outside the tree
 * the spec names (`external.by`). Otherwise the backup is refused with the reason
 * (checks/backup-performers.ts). It also decides whether the copy leaves the storage it protects.
 */
import type { ModelBackup, ModelBackupPerformer, ModelCluster, ModelDataService, ModelProfile, ModelSecretStore } from "../model.js";

/** EBS volume types: the EBS CSI driver snapshots them into S3, away from the volume. */
const EBS_CLASSES = new Set(["gp2", "gp3", "io1", "io2", "st1", "sc1"]);

/**
 * The CSI driver behind a profile's StorageClass when it can take VolumeSnapshots, and whether those
 * snapshots survive losing the storage system (EBS snapshots live in S3; LVM and Longhorn snapshots
 * stay on the same disks). Classes without snapshot support (local-path, hostpath, NFS) have none.
 */
export function snapshotDriver(cluster: Pick<ModelCluster, "kind">, profile: ModelProfile): { name: string; driver: string; parameters: Record<string, string>; offStorage: boolean } | undefined {
  if (cluster.kind === "eks" && EBS_CLASSES.has(profile.storageClass)) return { name: "ebs-csi", driver: "ebs.csi.aws.com", parameters: {}, offStorage: true };
  if (profile.storageClass === "openebs-lvmpv") return { name: "openebs-lvm", driver: "local.csi.openebs.io", parameters: {}, offStorage: false };
  if (profile.storageClass === "longhorn") return { name: "longhorn", driver: "driver.longhorn.io", parameters: { type: "snap" }, offStorage: false };
  return undefined;
}

const none = (rule: "recovery/no-performer" | "recovery/no-snapshot-class", reason: string, hint: string): ModelBackupPerformer => ({ kind: "none", rule, reason, hint });
const EXTERNAL_HINT = "or declare who takes it: external: { by: \"…\" }";

/** The in-cluster Vault store and Kubernetes auth mount a raft-snapshot job logs in with, if any. */
export function vaultSnapshotLogin(cluster: ModelCluster, namespace: string, secretStores: readonly ModelSecretStore[]): { server: string; authMount: string } | undefined {
  for (const store of secretStores) {
    if (!store.vault || !store.vault.server.includes(`.${namespace}.svc`)) continue;
    const placement = store.placements.find((p) => p.cluster === cluster.name && p.vaultAuthMount !== undefined);
    if (placement) return { server: store.vault.server, authMount: placement.vaultAuthMount! };
  }
  return undefined;
}

/** Sets performer and offStorage of every backup, and the VolumeSnapshotClass of clusters whose backups need one. */
export function assignPerformers(
  backups: ModelBackup[],
  clusters: readonly ModelCluster[],
  profiles: readonly ModelProfile[],
  dataServices: readonly ModelDataService[],
  secretStores: readonly ModelSecretStore[],
): void {
  for (const backup of backups) {
    const cluster = clusters.find((c) => c.name === backup.cluster);
    const profile = cluster && profiles.find((p) => p.name === cluster.profile);
    const dataService = dataServices.find((d) => d.name === backup.dataService);
    const has = (component: string) => cluster?.components.some((c) => c.name === component) ?? false;
    const objects = (...list: { kind: string; namespace?: string; name: string }[]): ModelBackupPerformer => ({ kind: "objects", objects: list });
    let performer: ModelBackupPerformer;
    let offStorage = true;
    if (backup.external !== undefined) {
      performer = { kind: "external", by: backup.external };
      // A volume snapshot stays where its driver keeps it, whoever takes it.
      if (backup.method === "volume-snapshot") offStorage = cluster && profile ? (snapshotDriver(cluster, profile)?.offStorage ?? false) : false;
    } else if (!cluster || !profile) {
      performer = none("recovery/no-performer", `${backup.dataService ?? backup.name} runs on no Kubernetes cluster, where plinth places its backup jobs`, EXTERNAL_HINT);
    } else {
      switch (backup.method) {
        case "velero":
          performer = has("velero")
            ? objects({ kind: "Schedule", namespace: cluster.veleroServiceAccount.namespace, name: backup.name })
            : none("recovery/no-performer", `cluster ${cluster.name} does not install the velero component, which runs Velero Schedules`, `add "velero" to the cluster's components, ${EXTERNAL_HINT}`);
          break;
        case "cnpg-pitr":
          if (dataService?.engine !== "postgres") performer = none("recovery/no-performer", `cnpg-pitr backs up Postgres, not ${dataService?.engine ?? "this data service"}`, "choose the engine's own method");
          else if (!has("cloudnative-pg")) performer = none("recovery/no-performer", `cluster ${cluster.name} does not install the cloudnative-pg component, whose Cluster archives WAL`, `add "cloudnative-pg" to the cluster's components, ${EXTERNAL_HINT}`);
          else performer = objects(...backup.namespaces.flatMap((ns) => [{ kind: "Cluster", namespace: ns, name: dataService.name }, { kind: "ScheduledBackup", namespace: ns, name: backup.name }]));
          break;
        case "volume-snapshot": {
          const driver = snapshotDriver(cluster, profile);
          if (!driver) {
            performer = none(
              "recovery/no-snapshot-class",
              `cluster ${cluster.name} has no VolumeSnapshotClass: its StorageClass ${profile.storageClass} cannot take CSI snapshots`,
              `use a StorageClass whose CSI driver snapshots (EBS on EKS, openebs-lvmpv, longhorn), a velero backup, ${EXTERNAL_HINT}`,
            );
            break;
          }
          cluster.volumeSnapshotClass = driver;
          offStorage = driver.offStorage;
          performer = objects(...backup.namespaces.map((ns) => ({ kind: "SnapshotSchedule", namespace: ns, name: backup.name })));
          break;
        }
        case "vault-raft-snapshot": {
          const namespace = backup.namespaces[0];
          const login = namespace !== undefined ? vaultSnapshotLogin(cluster, namespace, secretStores) : undefined;
          if (dataService?.engine !== "vault") performer = none("recovery/no-performer", `vault-raft-snapshot backs up Vault, not ${dataService?.engine ?? "this data service"}`, "choose the engine's own method");
          else if (!login) performer = none("recovery/no-performer", `no secret store reads this Vault (${namespace ?? "?"}) from cluster ${cluster.name}, so the snapshot job has no Kubernetes auth mount to log in with`, EXTERNAL_HINT);
          else performer = objects({ kind: "ServiceAccount", namespace: namespace!, name: backup.name }, { kind: "CronJob", namespace: namespace!, name: backup.name });
          break;
        }
        case "etcd-snapshot":
          if (cluster.kind === "existing") performer = objects({ kind: "ServiceAccount", namespace: "kube-system", name: backup.name }, { kind: "CronJob", namespace: "kube-system", name: backup.name });
          else
            performer = none(
              "recovery/no-performer",
              cluster.kind === "eks"
                ? "EKS runs etcd for you: its control plane is not reachable to snapshot"
                : "k3s takes etcd snapshots itself, configured by its server flags, and plinth writes no k3s configuration",
              cluster.kind === "k3s" ? 'declare it: external: { by: "k3s --etcd-snapshot-schedule-cron on every server node" }' : `remove the backup, ${EXTERNAL_HINT}`,
            );
          break;
        case "pg-dump":
        case "redis-rdb":
          performer = none("recovery/no-performer", `plinth does not schedule ${backup.method} jobs yet`, `use ${backup.method === "pg-dump" ? "cnpg-pitr" : "volume-snapshot or velero"}, ${EXTERNAL_HINT}`);
          break;
      }
    }
    backup.performer = performer;
    backup.offStorage = performer.kind !== "none" && offStorage;
  }
}
