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
import type { Model, ModelBackup } from "../compiler/model.js";
import { rpoBackupRule } from "../compiler/checks/rpo-backup.js";
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

describe("what counts for RPO and RTO", () => {
  it("a volume snapshot kept on the storage it protects (Longhorn) is taken, restored, but counts for neither", async () => {
    const { model } = await editedExample("catalyst-forge", (spec) => {
      const nats = spec.dataServices.find((d) => d.name === "nats")!;
      nats.stateful = true;
      nats.backup = { method: "volume-snapshot", schedule: "*/5 * * * *", retention: "1d", lineage: 1 };
      spec.environments.find((e) => e.name === "dev")!.recovery = { rto: "8h", rpo: "15m" };
    });
    const snapshot = model.backups.find((b) => b.name === "nats-volume-snapshot-dev")!;
    expect(snapshot.performer).toEqual({ kind: "objects", objects: [{ kind: "SnapshotSchedule", namespace: "forge-dev", name: "nats-volume-snapshot-dev" }] });
    expect(snapshot.offStorage).toBe(false);
    expect(model.clusters.find((c) => c.name === "forge-onprem")!.volumeSnapshotClass).toMatchObject({ name: "longhorn", driver: "driver.longhorn.io", offStorage: false });
    const step = model.recovery.find((p) => p.environment === "dev")!.steps.find((s) => s.backup === snapshot.name)!;
    expect(step.counts).toBe(false);
    const messages = rpoBackupRule.check(model as Model).map((d) => `${d.rule}: ${d.message}`);
    expect(messages).toContain(
      "recovery/rpo-unachievable: dev promises an RPO of 15m, but 'nats' has no backup that counts; only volume-snapshot 'nats-volume-snapshot-dev' would meet it, and it does not count: its snapshots stay on the storage they protect",
    );
  });

  it("the same snapshot declared external counts once it leaves the storage (EBS), and nothing is emitted for it", async () => {
    const { model } = await editedExample("bitvault", (spec) => {
      spec.dataServices.find((d) => d.name === "nats")!.backup!.external = { by: "the storage team's EBS lifecycle policy" };
    });
    const external = model.backups.filter((b) => b.dataService === "nats");
    expect(external.every((b) => b.performer.kind === "external" && b.offStorage)).toBe(true);
    const files = emit(model);
    expect(files.some((f) => f.path.startsWith("kubernetes/") && f.content.includes("name: nats-volume-snapshot"))).toBe(false);
    expect(files.find((f) => f.path === "runbooks/disaster-recovery.md")!.content).toContain("**external**: the storage team's EBS lifecycle policy");
  });
});

describe("PITR into a new lineage and a lifecycle that keeps the window", () => {
  it("the recovery Cluster reads the running lineage and archives under the next; setting lineage moves Git's Cluster there", async () => {
    const { model, files } = await buildExample("catalyst-forge");
    const step = model.recovery.find((p) => p.environment === "production")!.steps.find((s) => s.id === "postgres-cnpg-pitr-production")!;
    const spec = step.manifest!.document.spec as Doc;
    expect(spec.externalClusters[0].barmanObjectStore.serverName).toBe("postgres");
    expect(spec.backup.barmanObjectStore.serverName).toBe("postgres-l2");
    expect(spec.externalClusters[0].barmanObjectStore.destinationPath).toBe(spec.backup.barmanObjectStore.destinationPath);
    // On AWS the recovered Cluster needs the archive's IAM role as much as the running one.
    expect(spec.serviceAccountTemplate.metadata.annotations["eks.amazonaws.com/role-arn"]).toMatch(/^arn:aws:iam::\d{12}:role\//);
    expect(step.commands.some((c) => c.includes("create -f postgres-recovery.yaml"))).toBe(true);
    expect(step.note).toContain("set dataServices[0].backup.lineage to 2");
    const running = documents(files, "forge-aws").find((d) => d.kind === "Cluster")!;
    expect(running.spec.backup.barmanObjectStore.serverName).toBe("postgres");

    const { model: next } = await editedExample("catalyst-forge", (s) => void (s.dataServices.find((d) => d.name === "postgres")!.backup!.lineage = 2));
    const switched = documents(emit(next), "forge-aws").find((d) => d.kind === "Cluster")!;
    expect(switched.spec.backup.barmanObjectStore.serverName).toBe("postgres-l2");
    const nextStep = next.recovery.find((p) => p.environment === "production")!.steps.find((s) => s.id === "postgres-cnpg-pitr-production")!;
    expect(((nextStep.manifest!.document.spec as Doc).externalClusters[0].barmanObjectStore.serverName)).toBe("postgres-l2");
  });

  it("every bucket keeps objects at least retention + one interval of each backup it holds, in its lifecycle rule", async () => {
    for (const example of EXAMPLES) {
      const { model, files } = await buildExample(example);
      for (const backup of model.backups.filter((b) => b.bucket !== undefined)) {
        const bucket = model.buckets.find((b) => b.name === backup.bucket)!;
        expect(backup.windowDays).toBe(Math.ceil((Number(backup.retentionDays) * 86400 + (backup.intervalSeconds ?? 0)) / 86400));
        expect(bucket.expireAfterDays).toBeGreaterThanOrEqual(backup.windowDays);
        const infra = files.find((f) => f.path === `opentofu/${model.clusters.find((c) => c.name === bucket.cluster)!.stacks.infra}/main.tf`)!.content;
        expect(infra).toMatch(new RegExp(`"?${bucket.name}"? = \\{[^}]*expire_after_days = ${bucket.expireAfterDays}\\n`));
        expect(infra).toContain("local.backup_buckets[each.key].expire_after_days");
      }
    }
  });
});

describe("snapshot jobs on AWS", () => {
  it("upload with their service account's IAM role, limited to the backup's prefix, with no keys in the manifest", async () => {
    const { model } = await editedExample("gitops-monorepo", (spec) => {
      const profile = spec.profiles[0]!;
      profile.cloud = "aws";
      profile.region = "eu-west-1";
      profile.accountId = "123456789012";
      profile.objectStorage = { provider: "s3" };
    });
    const etcd = model.backups.find((b) => b.method === "etcd-snapshot")!;
    expect(etcd.performer.kind).toBe("objects");
    expect(etcd.credentialsSecret).toBeUndefined();
    const identity = model.clusters[0]!.workloadIdentities.find((i) => i.purpose === "backup-job")!;
    // An existing (not EKS) cluster: IRSA, so the role ARN goes on the service account.
    expect(identity).toMatchObject({ mechanism: "irsa", serviceAccount: { namespace: "kube-system", name: etcd.name }, bucket: etcd.bucket, prefix: etcd.prefix });
    const files = emit(model);
    const docs = documents(files, "main");
    expect(find(docs, "ServiceAccount", "kube-system", etcd.name)!.metadata.annotations["eks.amazonaws.com/role-arn"]).toBe(identity.roleArn);
    const job = find(docs, "CronJob", "kube-system", etcd.name)!;
    expect(job.spec.jobTemplate.spec.template.spec.serviceAccountName).toBe(etcd.name);
    const upload = job.spec.jobTemplate.spec.template.spec.containers[0];
    expect(upload.env.map((e: Doc) => e.name)).toEqual(["AWS_DEFAULT_REGION", "HOME"]);
    expect(upload.command.join(" ")).toContain(`"${etcd.destinationPath}/`);
    const infra = files.find((f) => f.path === `opentofu/${model.clusters[0]!.stacks.infra}/main.tf`)!.content;
    expect(infra).toContain(`# IAM role ${identity.role}: Snapshot CronJob kube-system/${etcd.name} uploads snapshots to`);
    expect(infra).toContain(`"system:serviceaccount:kube-system:${etcd.name}"`);
    expect(infra).toContain(`:s3:::${etcd.bucket}/${etcd.prefix}/*"]`);
    // The graph wants the identity, which the infra stack provides.
    const node = model.deploy.nodes.find((n) => n.objects.some((o) => o.kind === "CronJob" && o.name === etcd.name))!;
    expect(node.needs.map((n) => n.resource)).toContain(`Identity main/kube-system/${etcd.name}`);
    expect(model.deploy.nodes.some((n) => n.kind === "stack" && n.provides.includes(`Identity main/kube-system/${etcd.name}`))).toBe(true);
  });
});
