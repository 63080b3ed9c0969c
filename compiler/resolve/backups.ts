import type { Spec } from "../../spec/schema.js";
import type { ModelBackup, ModelBucket, ModelCluster, ModelDataService, ModelProfile } from "../model.js";
import { cronMaxGapSeconds } from "./cron.js";
import { byName, cmp, seconds, sorted } from "./util.js";

/** Default WAL archive_timeout of a CloudNativePG cluster. */
const DEFAULT_ARCHIVE_TIMEOUT = "5m";

/** Cluster backups and one backup per place a backed-up data service runs, with their object-store locations. */
export function resolveBackups(spec: Spec, clusters: readonly ModelCluster[], profiles: readonly ModelProfile[], dataServices: readonly ModelDataService[]): ModelBackup[] {
  const platformName = spec.name;
  const clusterByName = new Map(clusters.map((c) => [c.name, c]));
  const profileByName = new Map(profiles.map((p) => [p.name, p]));
  // Buckets: one backup bucket per cluster that has anything to back up.
  const bucketName = (cluster: string) => `${platformName}-${cluster}-backups`;
  const backups: ModelBackup[] = [];
  spec.backups.forEach((b, i) => {
    const cluster = clusterByName.get(b.cluster)!;
    const covered = b.namespaces ?? cluster.namespaces;
    backups.push({
      name: b.name,
      method: b.method,
      cluster: b.cluster,
      namespaces: sorted(covered),
      schedule: b.schedule,
      retention: b.retention,
      retentionDays: Math.ceil(seconds(b.retention) / 86400),
      ...(b.method === "velero" && { bucket: b.bucket ?? bucketName(b.cluster) }),
      prefix: b.method === "velero" ? "velero" : `etcd/${b.name}`,
      ...(cronMaxGapSeconds(b.schedule) !== undefined && { maxDataLossSeconds: cronMaxGapSeconds(b.schedule)! }),
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
    const maxDataLoss = archiveTimeout ?? cronMaxGapSeconds(d.backup.schedule);
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
      if (backup.dataService !== undefined) backup.credentialsSecret = `${backup.dataService}-backup-s3`;
    }
  }

  return backups;
}

/** One bucket per bucket name the backups write to, kept as long as its longest retention. */
export function resolveBuckets(backups: readonly ModelBackup[], clusters: readonly ModelCluster[]): ModelBucket[] {
  const clusterByName = new Map(clusters.map((c) => [c.name, c]));
  const bucketMap = new Map<string, ModelBucket>();
  for (const backup of backups) {
    if (!backup.bucket || !backup.cluster) continue;
    const existing = bucketMap.get(backup.bucket);
    const retentionDays = Math.max(existing?.retentionDays ?? 0, backup.retentionDays);
    bucketMap.set(backup.bucket, {
      name: backup.bucket,
      cluster: backup.cluster,
      profile: clusterByName.get(backup.cluster)!.profile,
      purpose: "backups",
      retentionDays,
    });
  }
  return [...bucketMap.values()].sort(byName);

}
