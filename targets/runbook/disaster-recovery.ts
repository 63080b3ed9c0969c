import { countsForRecovery, type Model, type ModelBackup, type ModelRecoveryPlan, type ModelRestoreDrill, type ModelStateBackend } from "../../compiler/model.js";
import { toYaml } from "../shared/yaml.js";
import { code, codeBlock, escapeText, table } from "../shared/markdown.js";
import { duration } from "./format.js";
import { Outline } from "./outline.js";

const METHOD_LABEL: Record<ModelBackup["method"], string> = {
  velero: "Velero schedule",
  "cnpg-pitr": "CloudNativePG base backups + WAL archive (PITR)",
  "pg-dump": "pg_dump",
  "vault-raft-snapshot": "Vault raft snapshot",
  "redis-rdb": "Redis RDB dump",
  "volume-snapshot": "CSI volume snapshot",
  "etcd-snapshot": "etcd snapshot",
};

/** One sentence a tired reader cannot misread: does the sum of the steps fit the promise? */
export function verdict(plan: ModelRecoveryPlan): string {
  const total = duration(plan.totalSeconds);
  if (plan.rtoSeconds === undefined) return `No RTO is promised; the steps below add up to ${total}.`;
  const rto = duration(plan.rtoSeconds);
  if (plan.totalSeconds === plan.rtoSeconds) return `The steps below add up to ${total}, which fits the RTO of ${rto} exactly, with no time to spare.`;
  return plan.fitsRto
    ? `The steps below add up to ${total}, which fits the RTO of ${rto} (${duration(plan.rtoSeconds - plan.totalSeconds)} to spare).`
    : `The steps below add up to ${total}, which does NOT fit the RTO of ${rto}: it is exceeded by ${duration(plan.totalSeconds - plan.rtoSeconds)}.`;
}

function location(backup: ModelBackup): string {
  if (backup.destinationPath !== undefined) return `${code(backup.destinationPath)}${backup.endpoint !== undefined ? ` at ${code(backup.endpoint)}` : ""}`;
  if (backup.method === "etcd-snapshot") return "on the server nodes";
  if (backup.method === "volume-snapshot") return "CSI snapshots on the cluster's storage";
  return "in the cluster";
}

function protects(backup: ModelBackup): string {
  const namespaces = backup.namespaces.length > 0 ? backup.namespaces.map(code).join(", ") : "the whole cluster";
  return backup.dataService !== undefined ? `${code(backup.dataService)} in ${namespaces}` : namespaces;
}

/** What takes the backup: the objects of this tree, or who the spec says runs it outside the tree. */
function takenBy(backup: ModelBackup): string {
  switch (backup.performer.kind) {
    case "objects":
      return backup.performer.objects.map((o) => code(`${o.kind} ${o.namespace !== undefined ? `${o.namespace}/` : ""}${o.name}`)).join(", ");
    case "external":
      return `**external**: ${escapeText(backup.performer.by)}`;
    case "none":
      return "nothing";
  }
}

function counts(backup: ModelBackup): string {
  if (countsForRecovery(backup)) return "yes";
  return backup.performer.kind === "none" ? "no: nothing takes it" : "no: stays on the storage it protects (quick undo only)";
}

function inventory(model: Model): string {
  return table(
    ["Backup", "Method", "Cluster", "Protects", "Schedule", "Retention", "Stored at", "Worst-case data loss", "Taken by", "Counts for RPO/RTO"],
    model.backups.map((b) => [
      code(b.name),
      escapeText(METHOD_LABEL[b.method]),
      b.cluster !== undefined ? code(b.cluster) : "—",
      protects(b),
      code(b.schedule),
      escapeText(b.retention),
      location(b),
      b.maxDataLossSeconds !== undefined ? duration(b.maxDataLossSeconds) : "unknown",
      takenBy(b),
      counts(b),
    ]),
  );
}

function repositories(model: Model): string {
  const { app, gitops, infra, monorepo } = model.platform.repositories;
  const tree = model.platform.gitopsPath === "." ? "the repository root" : code(model.platform.gitopsPath);
  const rows = monorepo
    ? [[code(gitops), "monorepo", `application source, the spec, and the generated tree at ${tree} (OpenTofu stacks, manifests, values)`]]
    : [
        [code(gitops), "GitOps", `the generated tree at ${tree}: OpenTofu stacks, Kubernetes and ArgoCD manifests, Helm values; ArgoCD syncs from it`],
        [code(infra), "infrastructure", "infrastructure code and its history"],
        [code(app), "application", "application source, Dockerfiles and charts; images are rebuilt from it only for new releases"],
      ];
  return table(["Repository", "Role", "Holds"], rows);
}

function stateLocation(state: ModelStateBackend): string {
  switch (state.type) {
    case "s3":
      return `S3 bucket ${code(state.bucket)}, key ${code(state.key)} (${escapeText(state.region)})`;
    case "http":
      return `HTTP backend ${code(state.address)}`;
    case "local":
      // A relative path resolves inside the stack folder (tofu -chdir), on the machine that applied it.
      return `local file ${code(state.path)}${state.path.startsWith("/") ? "" : " in the stack folder"}, on the machine that last applied it`;
  }
}

/** One row per OpenTofu stack: each has its own state (Model.clusters[].stateBackends). */
function stateBackends(model: Model): string {
  return table(
    ["Cluster", "Stack", "OpenTofu state"],
    model.clusters.flatMap((c) => [
      [code(c.name), code(`opentofu/${c.stacks.infra}`), stateLocation(c.stateBackends.infra)],
      [code(c.name), code(`opentofu/${c.stacks.bootstrap}`), stateLocation(c.stateBackends.bootstrap)],
    ]),
  );
}

function planView(model: Model, plan: ModelRecoveryPlan, outline: Outline) {
  const heading = outline.heading(2, `Restore ${plan.environment}`);
  let elapsed = 0;
  const rows = plan.steps.map((step, i) => {
    // A restore that does not count toward the RTO (a snapshot kept on the storage it protects) runs after the rest, if at all.
    if (step.counts) elapsed += step.estimateSeconds;
    return [String(i + 1), escapeText(step.title), code(step.id), `${duration(step.estimateSeconds)}${step.counts ? "" : " (not counted)"}`, duration(elapsed)];
  });
  const env = model.environments.find((e) => e.name === plan.environment)!;
  return {
    heading,
    context: escapeText(
      `Environment ${plan.environment} runs on cluster ${plan.cluster}${env.namespace !== undefined ? ` in namespace ${env.namespace}` : ""}. ${plan.rtoSeconds !== undefined && plan.rpoSeconds !== undefined ? `Promised: RTO ${duration(plan.rtoSeconds)}, RPO ${duration(plan.rpoSeconds)}.` : "No RTO or RPO is promised: the restore is still written for every backup."}`,
    ),
    verdict: escapeText(verdict(plan)),
    stepsTable: table(["#", "Step", "Estimate key", "Estimate", "Elapsed"], rows, ["right", "left", "left", "right", "right"]),
    steps: plan.steps.map((step, i) => ({
      heading: outline.heading(3, `Step ${i + 1}: ${step.title} (${duration(step.estimateSeconds)})`, false),
      note: escapeText([externalNote(model, step.backup), step.note ?? ""].filter((text) => text !== "").join(" ")),
      commands: codeBlock("sh", step.commands),
      manifestIntro: step.manifest ? `Save this manifest as ${code(step.manifest.file)}:` : "",
      manifest: step.manifest ? codeBlock("yaml", toYaml(step.manifest.document)) : "",
    })),
  };
}

/** A restore of a backup that something outside this tree takes says so first. */
function externalNote(model: Model, backupName: string | undefined): string {
  const performer = model.backups.find((b) => b.name === backupName)?.performer;
  return performer?.kind === "external" ? `This backup is taken outside the generated tree, by: ${performer.by}. Check with them that its newest copy is where the commands below look.` : "";
}

function drillView(drill: ModelRestoreDrill, outline: Outline) {
  return {
    heading: outline.heading(3, drill.title, false),
    note: drill.note !== undefined ? escapeText(drill.note) : "",
    commands: codeBlock("sh", drill.commands),
    manifestIntro: drill.manifest ? `Save this manifest as ${code(drill.manifest.file)}:` : "",
    manifest: drill.manifest ? codeBlock("yaml", toYaml(drill.manifest.document)) : "",
  };
}

export function disasterRecoveryView(model: Model) {
  const outline = new Outline();
  const title = outline.heading(1, `Disaster recovery of ${model.platform.name}`);
  const contentsHeading = outline.heading(2, "Contents", false);
  const objectivesHeading = outline.heading(2, "Recovery objectives");
  const withPlan = new Set(model.recovery.map((p) => p.environment));
  const objectives = table(
    ["Environment", "Cluster", "RTO", "RPO", "Restore estimate", "Fits the RTO"],
    model.recovery.map((plan) => [
      code(plan.environment),
      code(plan.cluster),
      plan.rtoSeconds !== undefined ? duration(plan.rtoSeconds) : "none promised",
      plan.rpoSeconds !== undefined ? duration(plan.rpoSeconds) : "none promised",
      duration(plan.totalSeconds),
      plan.rtoSeconds === undefined ? "—" : plan.fitsRto ? "yes" : `**no**, over by ${duration(plan.totalSeconds - plan.rtoSeconds)}`,
    ]),
  );
  const unprotected = model.environments.filter((e) => !withPlan.has(e.name)).map((e) => code(e.name));
  const inventoryHeading = outline.heading(2, "What is backed up where");
  const gitHeading = outline.heading(3, "Git, the source of truth");
  const backupsHeading = outline.heading(3, "Backups");
  const bucketsHeading = model.buckets.length > 0 ? outline.heading(3, "Buckets") : "";
  const stateHeading = outline.heading(3, "OpenTofu state");
  const plans = model.recovery.map((plan) => planView(model, plan, outline));
  const showDrills = model.drills.length > 0 || model.restoreDrills.length > 0;
  const drillsHeading = showDrills ? outline.heading(2, "Restore drills") : "";
  const restoreDrills = model.restoreDrills.map((drill) => drillView(drill, outline));
  return {
    title,
    intro: escapeText(
      "Clusters are rebuilt, not repaired: everything needed to re-create a cluster is in Git, so a recovery is re-provision, re-sync from Git, then restore the data that Git does not hold. Each restore below lists its steps in order with exact commands and an estimated duration.",
    ),
    contentsHeading,
    objectivesHeading,
    objectives: model.recovery.length > 0 ? objectives : escapeText("No environment promises an RTO or has a backup, so there is no restore plan."),
    unprotected: unprotected.length > 0 ? `No recovery promise and no backup (rebuilt from Git only): ${unprotected.join(", ")}.` : "",
    inventoryHeading,
    gitHeading,
    git: repositories(model),
    backupsHeading,
    backups: model.backups.length > 0 ? inventory(model) : escapeText("No backups are declared."),
    showBuckets: model.buckets.length > 0,
    bucketsHeading,
    buckets: table(
      ["Bucket", "Cluster", "Profile", "Kept for"],
      model.buckets.map((b) => [code(b.name), code(b.cluster), code(b.profile), `${b.expireAfterDays} days`]),
    ),
    stateHeading,
    state: stateBackends(model),
    plans,
    showDrills,
    drillsHeading,
    drills:
      model.drills.length > 0
        ? table(
            ["Environment", "Every", "What"],
            model.drills.map((d) => [code(d.environment), escapeText(d.every), d.description !== undefined ? escapeText(d.description) : "full restore following this runbook"]),
          )
        : escapeText("The spec schedules no drills; each backup's drill below restores it into scratch without touching what runs."),
    drillsIntro: escapeText("Each backup's drill restores its newest copy into scratch beside what runs, checks that data came back, and cleans up."),
    restoreDrills,
    contents: outline.tableOfContents(3),
  };
}
