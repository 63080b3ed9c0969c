/**
 * Every backup the Model of an example promises is taken by something: an object of the generated
 * tree that does it on the backup's schedule, to the backup's destination (found here by reading the
 * tree, not by trusting the Model's performer), or a declared external performer the runbook shows.
 * Every backup also has a restore step and a restore drill in the DR runbook.
 */
import { parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";
import { withSeconds } from "../targets/kubernetes/backups.js";
import { emit } from "../compiler/emit.js";
import type { ModelBackup } from "../compiler/model.js";
import type { OutputFile } from "../targets/types.js";
import { buildExample, editedExample, EXAMPLES } from "./helpers.js";

type Doc = Record<string, any>;

function documents(files: readonly OutputFile[], cluster: string): Doc[] {
  return files
    .filter((f) => f.path.startsWith(`kubernetes/${cluster}/`) || f.path.startsWith(`argocd/${cluster}/`))
    .flatMap((f) => parseAllDocuments(f.content).map((d) => d.toJS() as Doc))
    .filter((d) => d !== null && typeof d === "object");
}

const find = (docs: readonly Doc[], kind: string, namespace: string | undefined, name: string) =>
  docs.find((d) => d.kind === kind && d.metadata?.name === name && d.metadata?.namespace === namespace);

/** The command line a CronJob's containers run, joined, to look for the upload destination. */
const commandsOf = (job: Doc): string =>
  [...(job.spec.jobTemplate.spec.template.spec.initContainers ?? []), ...job.spec.jobTemplate.spec.template.spec.containers].flatMap((c: Doc) => c.command ?? []).join(" ");

/** Problems with what performs `backup` in the tree; [] when an object takes it on schedule (or it is declared external). */
export function performerProblems(files: readonly OutputFile[], backup: ModelBackup): string[] {
  const runbook = files.find((f) => f.path === "runbooks/disaster-recovery.md")?.content ?? "";
  if (backup.performer.kind === "external") {
    const row = runbook.split("\n").find((line) => line.startsWith(`| \`${backup.name}\` |`));
    return row?.includes("**external**") ? [] : [`${backup.name}: declared external, but the runbook's inventory does not show it as such`];
  }
  if (backup.cluster === undefined) return [`${backup.name}: runs on no cluster and nothing takes it`];
  const docs = documents(files, backup.cluster);
  const problems: string[] = [];
  const need = (ok: boolean, what: string) => void (ok || problems.push(`${backup.name}: ${what}`));
  switch (backup.method) {
    case "velero": {
      const schedule = docs.find((d) => d.kind === "Schedule" && d.apiVersion === "velero.io/v1" && d.metadata.name === backup.name);
      need(schedule !== undefined, "no Velero Schedule of that name");
      if (!schedule) break;
      need(schedule.spec.schedule === backup.schedule, `Schedule runs on "${schedule.spec.schedule}", not "${backup.schedule}"`);
      const template = schedule.spec.template;
      // Volume data must be captured: EBS snapshots through a snapshot location, or the node agent's file copies.
      const velero = docs.find((d) => d.kind === "Application" && d.metadata.name.endsWith("velero"));
      const values = velero?.spec?.source?.helm?.valuesObject ?? velero?.spec?.sources?.[0]?.helm?.valuesObject ?? {};
      const snapshots = template.snapshotVolumes === true && values.snapshotsEnabled === true && (values.configuration?.volumeSnapshotLocation ?? []).length > 0;
      const fileCopies = template.defaultVolumesToFsBackup === true && values.deployNodeAgent === true;
      need(snapshots || fileCopies, "the Schedule captures no volume data (no volume snapshot location, no file-system backup with the node agent)");
      break;
    }
    case "cnpg-pitr":
      for (const namespace of backup.namespaces) {
        const cluster = find(docs, "Cluster", namespace, backup.dataService!);
        const scheduled = find(docs, "ScheduledBackup", namespace, backup.name);
        need(cluster?.spec?.backup?.barmanObjectStore?.destinationPath === backup.destinationPath, `no CloudNativePG Cluster ${namespace}/${backup.dataService} archiving WAL to ${backup.destinationPath}`);
        need(scheduled?.spec?.cluster?.name === backup.dataService && scheduled?.spec?.schedule === withSeconds(backup.schedule), `no ScheduledBackup ${namespace}/${backup.name} of that Cluster on the schedule`);
      }
      break;
    case "volume-snapshot":
      for (const namespace of backup.namespaces) {
        const schedule = find(docs, "SnapshotSchedule", namespace, backup.name);
        need(schedule?.spec?.schedule === backup.schedule, `no SnapshotSchedule ${namespace}/${backup.name} on the schedule`);
        need(schedule?.spec?.claimSelector?.matchLabels?.["app.kubernetes.io/instance"] === backup.dataService, "the SnapshotSchedule selects other PVCs than the data service's");
        const snapshotClass = schedule?.spec?.snapshotTemplate?.snapshotClassName;
        need(find(docs, "VolumeSnapshotClass", undefined, snapshotClass) !== undefined, `no VolumeSnapshotClass ${String(snapshotClass)} in the cluster`);
        need(docs.some((d) => d.kind === "Application" && d.metadata.name.endsWith("snapscheduler")), "SnapScheduler, which acts on SnapshotSchedules, is not installed");
      }
      break;
    case "vault-raft-snapshot":
    case "etcd-snapshot": {
      const namespaces = backup.method === "etcd-snapshot" ? ["kube-system"] : backup.namespaces;
      for (const namespace of namespaces) {
        const job = find(docs, "CronJob", namespace, backup.name);
        need(job?.spec?.schedule === backup.schedule, `no CronJob ${namespace}/${backup.name} on the schedule`);
        if (job) need(backup.destinationPath !== undefined && commandsOf(job).includes(backup.destinationPath), `the CronJob does not upload to ${backup.destinationPath}`);
        if (job) need(commandsOf(job).includes(backup.method === "etcd-snapshot" ? "etcdctl" : "vault operator raft snapshot save"), "the CronJob takes no snapshot");
      }
      break;
    }
    default:
      problems.push(`${backup.name}: no object performs ${backup.method} and it is not declared external`);
  }
  return problems;
}

describe.each(EXAMPLES)("backups of example %s", (example) => {
  it("every backup in the Model is taken by an object of the tree (or a declared external performer)", async () => {
    const { model, files } = await buildExample(example);
    expect(model.backups.length).toBeGreaterThan(0);
    expect(model.backups.flatMap((backup) => performerProblems(files, backup))).toEqual([]);
  });

  it("the DR runbook restores every backup it lists, and drills each", async () => {
    const { model, files } = await buildExample(example);
    const runbook = files.find((f) => f.path === "runbooks/disaster-recovery.md")!.content;
    for (const backup of model.backups) {
      expect(runbook, backup.name).toContain(`| \`${backup.name}\` |`);
      expect(model.recovery.some((plan) => plan.steps.some((step) => step.backup === backup.name)), `a restore step for ${backup.name}`).toBe(true);
      expect(runbook).toMatch(new RegExp(`### Step \\d+: Restore .* from backup ${backup.name} \\(`));
      expect(runbook).toContain(`### Drill: restore ${backup.name} into scratch and verify`);
    }
  });
});

it("catalyst-forge restores its three Postgres clusters", async () => {
  const { model } = await buildExample("catalyst-forge");
  const restored = model.recovery.flatMap((plan) => plan.steps.filter((s) => s.backup !== undefined && s.id.startsWith("postgres-cnpg-pitr")).map((s) => `${plan.cluster}/${s.id}`));
  expect(restored.sort()).toEqual(["forge-aws/postgres-cnpg-pitr-production", "forge-onprem/postgres-cnpg-pitr-dev", "forge-onprem/postgres-cnpg-pitr-staging"]);
});

describe("a planted backup with no performer", () => {
  it("is found by the performer search (a Velero backup on a cluster without Velero)", async () => {
    const { model } = await editedExample("k3s-homelab", (spec) => {
      spec.backups.push({ name: "planted-velero", method: "velero", cluster: "k3s", schedule: "0 * * * *", retention: "7d" } as (typeof spec.backups)[number]);
    });
    const planted = model.backups.find((b) => b.name === "planted-velero")!;
    expect(planted.performer.kind).toBe("none");
    expect(performerProblems(emit(model), planted)).toEqual(["planted-velero: no Velero Schedule of that name"]);
  });

  it("is found when the Model claims an object the tree does not hold", async () => {
    const { model } = await editedExample("gitops-monorepo");
    const etcd = model.backups.find((b) => b.method === "etcd-snapshot")!;
    // A Model that says a CronJob performs it while the tree (built from another Model) has none.
    const files = emit({ ...model, backups: model.backups.filter((b) => b !== etcd) });
    expect(performerProblems(files, etcd)).toEqual([`${etcd.name}: no CronJob kube-system/${etcd.name} on the schedule`]);
  });
});
