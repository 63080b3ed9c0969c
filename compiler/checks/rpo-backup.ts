import { formatDuration } from "../../spec/units.js";
import type { Diagnostic } from "../diagnostics.js";
import { countsForRecovery, type ModelBackup } from "../model.js";
import type { ModelRule } from "./types.js";

/** Why a backup that would meet the RPO does not count (only performed copies that leave the storage do). */
function whyNotCounted(backup: ModelBackup): string {
  return backup.performer.kind === "none" ? "nothing performs it" : "its snapshots stay on the storage they protect";
}

/** The part of the message naming a backup that would meet the RPO but does not count. */
function onlyBy(uncounted: readonly ModelBackup[], rpoSeconds: number): string {
  const meets = uncounted.find((b) => (b.maxDataLossSeconds ?? Infinity) <= rpoSeconds);
  return meets ? `; only ${meets.method} '${meets.name}' would meet it, and it does not count: ${whyNotCounted(meets)}` : "";
}

/**
 * An environment that promises an RPO must have, for each stateful data service it runs, a backup
 * whose worst-case data loss (longest gap between runs, or the WAL archive timeout) is within it.
 */
export const rpoBackupRule: ModelRule = {
  id: "recovery/rpo",
  severity: "error",
  stage: "model",
  description: "A stateful data service has no backup, or its backup cannot meet the environment's RPO.",
  check(model) {
    const out: Diagnostic[] = [];
    for (const env of model.environments) {
      if (env.runtime !== "kubernetes" || env.preview || !env.cluster) continue;
      const stateful = model.dataServices.filter((d) => d.stateful);
      // An environment with no data service declared keeps its state in volumes: when a velero
      // schedule covers its namespace, that schedule must meet the RPO.
      const envNamespaces = new Set([env.namespace, env.dataNamespace].filter((n): n is string => n !== undefined));
      const allVolumeBackups = model.backups.filter((b) => b.cluster === env.cluster && b.method === "velero" && b.namespaces.some((n) => envNamespaces.has(n)));
      const volumeBackups = allVolumeBackups.filter(countsForRecovery);
      if (env.recovery && allVolumeBackups.length > 0 && env.dataServices.length === 0 && !stateful.some((d) => d.namespace !== undefined && envNamespaces.has(d.namespace))) {
        const best = Math.min(...volumeBackups.map((b) => b.maxDataLossSeconds ?? Infinity));
        if (best > env.recovery.rpoSeconds) {
          const worst = volumeBackups.find((b) => (b.maxDataLossSeconds ?? Infinity) === best);
          out.push({
            rule: "recovery/rpo-unachievable",
            severity: "error",
            path: [...env.at, "recovery", "rpo"],
            message:
              `${env.name} promises an RPO of ${env.recovery.rpo}, but ` +
              (worst ? `its volumes are backed up at best every ${Number.isFinite(best) ? formatDuration(best) : "(unknown)"} (velero '${worst.name}', schedule "${worst.schedule}")` : "no backup of its volumes counts") +
              onlyBy(allVolumeBackups.filter((b) => !countsForRecovery(b)), env.recovery.rpoSeconds),
            hint: "schedule the velero backup more often, or promise a longer RPO",
          });
        }
      }
      for (const data of stateful) {
        const placements = data.placements.filter(
          (p) => p.cluster === env.cluster && (p.environment === undefined || p.environment === env.name),
        );
        if (placements.length === 0) continue;
        const namespaces = new Set(placements.map((p) => p.namespace));
        const covering = model.backups.filter(
          (b) => b.cluster === env.cluster && b.namespaces.some((n) => namespaces.has(n)) && (b.dataService === data.name || b.method === "velero"),
        );
        if (covering.length === 0) {
          out.push({
            rule: "recovery/no-backup",
            severity: "error",
            path: data.at,
            message: `stateful data service '${data.name}' runs in ${env.name} (${[...namespaces].join(", ")}) with no backup`,
            hint: "add a backup policy to the data service, or a velero backup covering its namespace; set stateful: false for a cache",
          });
          continue;
        }
        if (!env.recovery) continue;
        // Only backups something takes, whose copy survives losing the storage, keep the promise.
        const counted = covering.filter(countsForRecovery);
        const best = Math.min(...counted.map((b) => b.maxDataLossSeconds ?? Infinity));
        if (best <= env.recovery.rpoSeconds) continue;
        const bestBackup = counted.find((b) => (b.maxDataLossSeconds ?? Infinity) === best);
        out.push({
          rule: "recovery/rpo-unachievable",
          severity: "error",
          path: [...env.at, "recovery", "rpo"],
          message:
            `${env.name} promises an RPO of ${env.recovery.rpo}, but '${data.name}' ` +
            (bestBackup
              ? `can lose up to ${Number.isFinite(best) ? formatDuration(best) : "an unknown amount"} of data (${bestBackup.method} '${bestBackup.name}', schedule "${bestBackup.schedule}")`
              : "has no backup that counts") +
            onlyBy(covering.filter((b) => !countsForRecovery(b)), env.recovery.rpoSeconds),
          hint: "back it up more often (or use continuous WAL archiving), or promise a longer RPO",
        });
      }
    }
    return out;
  },
};
