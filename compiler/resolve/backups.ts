import type { Spec } from "../../spec/schema.js";
import type { ModelBackup, ModelBucket, ModelCluster, ModelDataService, ModelProfile } from "../model.js";
import { cronMaxGapSeconds } from "./cron.js";
import { byName, cmp, seconds, sorted } from "./util.js";

/** Default WAL archive_timeout of a CloudNativePG cluster. */
const DEFAULT_ARCHIVE_TIMEOUT = "5m";

/** Cluster backups and one backup per place a backed-up data service runs, with their object-store locations. */
export function resolveBackups(
  spec: Spec,
  clusters: readonly ModelCluster[],
  profiles: readonly ModelProfile[],
  dataServices: readonly ModelDataService[],
): ModelBackup[] {
  const platformName = spec.name;
  const clusterByName = new Map(clusters.map((c) => [c.name, c]));
  const profileByName = new Map(profiles.map((p) => [p.name, p]));
  // Buckets: one backup bucket per cluster that has anything to back up.
  const bucketName = (cluster: string) => `${platformName}-${cluster}-backups`;
  const backups: ModelBackup[] = [];
  spec.backups.forEach((b, i) => {
    const cluster = clusterByName.get(b.cluster)!;
    const covered = b.namespaces ?? cluster.namespaces;
    // etcd snapshots go to the bucket when plinth's CronJob takes them (kubeadm-style control planes).
    const inBucket = b.method === "velero" || b.bucket !== undefined || (b.method === "etcd-snapshot" && cluster.kind === "existing" && b.external === undefined);
    const interval = cronMaxGapSeconds(b.schedule);
    backups.push({
      name: b.name,
      method: b.method,
      cluster: b.cluster,
      namespaces: b.method === "etcd-snapshot" ? [] : sorted(covered),
      schedule: b.schedule,
      retention: b.retention,
      retentionDays: Math.ceil(seconds(b.retention) / 86400),
      ...(inBucket && { bucket: b.bucket ?? bucketName(b.cluster) }),
      prefix: b.method === "velero" ? "velero" : `etcd/${b.name}`,
      ...(interval !== undefined && { maxDataLossSeconds: interval }),
      ...window(b.retention, interval, b.expireAfter),
      performer: UNASSIGNED,
      offStorage: false,
      ...(b.external !== undefined && { external: b.external.by }),
      at: ["backups", i],
    });
  });
  // One backup per place a data service runs (cluster and namespace): each instance writes its own
  // archive, so the prefix carries the namespace. Two instances sharing a prefix (dev and staging in
  // one bucket) would mix their WAL archives. Names get the environment (or, for a fixed namespace on
  // several clusters, the cluster) only when the data service runs in more than one place.
  spec.dataServices.forEach((d, i) => {
    if (!d.backup) return;
    const seen = new Set<string>();
    const placements = dataServices.find((x) => x.name === d.name)!.placements
      .filter((p) => !seen.has(`${p.cluster}/${p.namespace}`) && seen.add(`${p.cluster}/${p.namespace}`))
      .sort((a, b) => cmp(a.cluster, b.cluster) || cmp(a.namespace, b.namespace));
    const pitr = d.backup.method === "cnpg-pitr";
    const archiveTimeout = pitr ? seconds(d.backup.archiveTimeout ?? DEFAULT_ARCHIVE_TIMEOUT) : undefined;
    const interval = cronMaxGapSeconds(d.backup.schedule);
    const maxDataLoss = archiveTimeout ?? interval;
    for (const placement of placements.length > 0 ? placements : [undefined]) {
      const base = `${d.name}-${d.backup.method}`;
      backups.push({
        name: placements.length > 1 ? `${base}-${placement!.environment ?? placement!.cluster}` : base,
        method: d.backup.method,
        ...(placement !== undefined && { cluster: placement.cluster }),
        dataService: d.name,
        namespaces: placement !== undefined ? [placement.namespace] : [],
        schedule: d.backup.schedule,
        retention: d.backup.retention,
        retentionDays: Math.ceil(seconds(d.backup.retention) / 86400),
        ...(placement !== undefined && { bucket: d.backup.bucket ?? bucketName(placement.cluster) }),
        prefix: placement !== undefined ? `${d.engine}/${placement.namespace}/${d.name}` : `${d.engine}/${d.name}`,
        ...(maxDataLoss !== undefined && { maxDataLossSeconds: maxDataLoss }),
        ...(archiveTimeout !== undefined && { archiveTimeoutSeconds: archiveTimeout }),
        ...window(d.backup.retention, interval, d.backup.expireAfter),
        ...(pitr && { lineage: d.backup.lineage, serverName: d.backup.lineage === 1 ? d.name : `${d.name}-l${d.backup.lineage}` }),
        performer: UNASSIGNED,
        offStorage: false,
        ...(d.backup.external !== undefined && { external: d.backup.external.by }),
        at: ["dataServices", i, "backup"],
      });
    }
  });
  backups.sort((a, b) => cmp(a.cluster ?? "", b.cluster ?? "") || byName(a, b));
  // Object-store location of each bucket-backed backup: its writer and the restore runbook share it.
  for (const backup of backups) {
    // CSI snapshots stay on the cluster's storage, not in a bucket.
    if (!backup.bucket || !backup.cluster || backup.method === "volume-snapshot") continue;
    const storage = profileByName.get(clusterByName.get(backup.cluster)!.profile)!.objectStorage;
    backup.destinationPath = `s3://${backup.bucket}/${backup.prefix}`;
    if (storage.provider === "minio") {
      if (storage.endpoint !== undefined) backup.endpoint = storage.endpoint;
      // Velero reads its own Secret (its chart's values); every other writer runs in a pod of its own.
      if (backup.dataService !== undefined) backup.credentialsSecret = `${backup.dataService}-backup-s3`;
      else if (backup.method === "etcd-snapshot") backup.credentialsSecret = `${backup.name}-backup-s3`;
    }
  }
  return backups;
}

/** Filled in by assignPerformers (resolve/index.ts), once the secret stores its Vault logins use are known. */
const UNASSIGNED = { kind: "none", rule: "recovery/no-performer", reason: "not yet assigned", hint: "" } as const;

/**
 * The recovery window's needs: the oldest point still within retention was taken after a base backup
 * up to one interval older, so objects must stay retention + one interval (whole days).
 */
function window(retention: string, intervalSeconds: number | undefined, expireAfter: string | undefined): Pick<ModelBackup, "intervalSeconds" | "windowDays" | "expireAfterDays"> {
  const windowDays = Math.ceil((seconds(retention) + (intervalSeconds ?? 0)) / 86400);
  return {
    ...(intervalSeconds !== undefined && { intervalSeconds }),
    windowDays,
    expireAfterDays: expireAfter !== undefined ? Math.ceil(seconds(expireAfter) / 86400) : windowDays,
  };
}

/** One bucket per bucket name the backups write to; its lifecycle keeps objects as long as the longest-lived backup in it needs. */
export function resolveBuckets(backups: readonly ModelBackup[], clusters: readonly ModelCluster[]): ModelBucket[] {
  const clusterByName = new Map(clusters.map((c) => [c.name, c]));
  const bucketMap = new Map<string, ModelBucket>();
  for (const backup of backups) {
    if (!backup.bucket || !backup.cluster) continue;
    const existing = bucketMap.get(backup.bucket);
    const expireAfterDays = Math.max(existing?.expireAfterDays ?? 0, backup.expireAfterDays);
    bucketMap.set(backup.bucket, {
      name: backup.bucket,
      cluster: backup.cluster,
      profile: clusterByName.get(backup.cluster)!.profile,
      purpose: "backups",
      expireAfterDays,
    });
  }
  return [...bucketMap.values()].sort(byName);

}
