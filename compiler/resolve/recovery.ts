import { countsForRecovery, isPerformed, type ModelRestoreDrill, type Model, type ModelBackup, type ModelCluster, type ModelEnvironment, type ModelRecoveryPlan, type ModelRestoreStep } from "../model.js";
import { shellQuote as q } from "../formats/shell.js";
import { cnpgObjectStore, cnpgRetentionPolicy } from "../formats/cnpg.js";

type PlanInput = Omit<Model, "recovery" | "restoreDrills" | "deploy">;

/** Default restore-step estimates in seconds; an environment's restoreEstimates override them by step id. */
export const DEFAULT_ESTIMATES: Record<string, number> = {
  "provision-eks": 25 * 60,
  "provision-k3s": 10 * 60,
  "provision-existing": 5 * 60,
  bootstrap: 5 * 60,
  sync: 10 * 60,
  pause: 60,
  resume: 5 * 60,
  "vault-raft-snapshot": 10 * 60,
  "etcd-snapshot": 15 * 60,
  velero: 20 * 60,
  "cnpg-pitr": 30 * 60,
  "pg-dump": 20 * 60,
  "redis-rdb": 5 * 60,
  "volume-snapshot": 15 * 60,
  verify: 5 * 60,
};

/** Where a kubeadm control plane keeps etcd's data and its static pod manifest. */
const ETCD_DATA_DIR = "/var/lib/etcd";
const ETCD_MANIFEST = "/etc/kubernetes/manifests/etcd.yaml";
/** Where k3s keeps etcd snapshots on a server node when they are not shipped to S3. */
const K3S_SNAPSHOT_DIR = "/var/lib/rancher/k3s/server/db/snapshots";

/**
 * The ordered restore procedure of each environment that promises an RTO or has a backup, with an
 * estimate per step: re-provision from Git, restore cluster state, bootstrap and sync from Git, pause
 * automated sync, restore data (secrets first, because everything else reads them; volumes before
 * databases, which Velero leaves to their operator), resume sync, verify. Every backup gets its
 * restore; only those that something performs and that leave the storage count toward the RTO, which
 * the recovery/rto-exceeded check compares with the sum.
 */
export function planRecovery(model: PlanInput): ModelRecoveryPlan[] {
  const plans: ModelRecoveryPlan[] = [];
  for (const env of model.environments) {
    if (env.runtime !== "kubernetes" || !env.cluster || env.preview) continue;
    const cluster = model.clusters.find((c) => c.name === env.cluster);
    if (!cluster) continue;
    const backups = orderBackups(relevantBackups(model, env, cluster));
    if (!env.recovery && backups.length === 0) continue;
    // By step id first, then by backup method (so "vault-raft-snapshot" covers every such step).
    const estimate = (id: string, fallback: string) =>
      env.restoreEstimates[id] ?? env.restoreEstimates[fallback] ?? DEFAULT_ESTIMATES[fallback] ?? DEFAULT_ESTIMATES[id] ?? 0;
    const velero = backups.filter((b) => b.method === "velero");
    const restore = (backup: ModelBackup): ModelRestoreStep => ({
      ...restoreStep(model, env, cluster, backup, estimate(backup.name, backup.method), velero),
      backup: backup.name,
      counts: countsForRecovery(backup),
    });
    const data = backups.filter((b) => b.method !== "etcd-snapshot");
    // Restores that replace what ArgoCD manages (workloads, volumes, database Clusters) run with automated sync paused.
    const paused = data.some((b) => PAUSED_METHODS.has(b.method) && isPerformed(b));
    const steps: ModelRestoreStep[] = [
      provisionStep(model, cluster, estimate("provision", `provision-${cluster.kind}`)),
      // etcd holds the cluster's own state: it goes back before anything is installed on top of it.
      ...backups.filter((b) => b.method === "etcd-snapshot").map(restore),
      bootstrapStep(cluster, estimate("bootstrap", "bootstrap")),
      syncStep(cluster, estimate("sync", "sync")),
      ...(paused ? [pauseStep(model, env, cluster, estimate("pause", "pause"))] : []),
      ...data.map(restore),
      ...(paused ? [resumeStep(cluster, estimate("resume", "resume"))] : []),
      verifyStep(env, cluster, estimate("verify", "verify")),
    ];
    const totalSeconds = steps.filter((step) => step.counts).reduce((sum, step) => sum + step.estimateSeconds, 0);
    plans.push({
      environment: env.name,
      cluster: cluster.name,
      ...(env.recovery && { rtoSeconds: env.recovery.rtoSeconds, rpoSeconds: env.recovery.rpoSeconds }),
      steps,
      totalSeconds,
      fitsRto: env.recovery === undefined || totalSeconds <= env.recovery.rtoSeconds,
    });
  }
  return plans;
}

function isEnvironmentNamespace(model: PlanInput, namespace: string): boolean {
  return model.environments.some((e) => e.namespace === namespace || e.dataNamespace === namespace);
}

/** The namespaces of `backup` that belong to `env`: its own and data namespace, and shared platform namespaces. */
function targetNamespaces(model: PlanInput, env: ModelEnvironment, backup: ModelBackup): string[] {
  return backup.namespaces.filter((n) => n === env.namespace || n === env.dataNamespace || !isEnvironmentNamespace(model, n));
}

/** Backups on the environment's cluster that cover the whole cluster or one of the environment's namespaces. */
function relevantBackups(model: PlanInput, env: ModelEnvironment, cluster: ModelCluster): ModelBackup[] {
  return model.backups.filter((b) => b.cluster === cluster.name && (b.namespaces.length === 0 || targetNamespaces(model, env, b).length > 0));
}

const PAUSED_METHODS = new Set<ModelBackup["method"]>(["velero", "volume-snapshot", "cnpg-pitr"]);

/** Label the SnapshotSchedule's snapshotTemplate puts on every snapshot it takes (kubernetes target). */
export const SNAPSHOT_LABEL = "plinth.dev/backup";

/** CloudNativePG's own resources, which a Velero restore leaves to the database's recovery step. */
const CNPG_RESOURCES = "clusters.postgresql.cnpg.io,scheduledbackups.postgresql.cnpg.io,backups.postgresql.cnpg.io";

// Secrets first (everything else may need them), then cluster objects and volumes, then databases.
const ORDER = ["etcd-snapshot", "vault-raft-snapshot", "velero", "volume-snapshot", "cnpg-pitr", "pg-dump", "redis-rdb"];
/**
 * Method order, then newest first within a method: Velero skips every object that already exists,
 * so the backup with the smallest worst-case loss must land before older ones, which then only add
 * what it lacks (restoring the nightly first would make the 15-minute one a no-op and lose the RPO).
 */
export function orderBackups(backups: readonly ModelBackup[]): ModelBackup[] {
  const loss = (b: ModelBackup) => b.maxDataLossSeconds ?? Number.POSITIVE_INFINITY;
  return [...backups].sort(
    (a, b) => ORDER.indexOf(a.method) - ORDER.indexOf(b.method) || loss(a) - loss(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
}

function provisionStep(model: PlanInput, cluster: ModelCluster, estimateSeconds: number): ModelRestoreStep {
  const checkout = "plinth-restore";
  const folder = model.platform.gitopsPath === "." ? checkout : `${checkout}/${model.platform.gitopsPath}`;
  const stack = `opentofu/${cluster.stacks.infra}`;
  return {
    id: "provision",
    counts: true,
    title: `Re-create the ${cluster.name} cluster and its infrastructure`,
    commands: [`git clone ${q(model.platform.repositories.gitops)} ${checkout}`, `cd ${q(folder)}`, `tofu -chdir=${q(stack)} init`, `tofu -chdir=${q(stack)} apply`],
    note: "Git is the source of truth: the generated tree (OpenTofu stacks, manifests, values) is checked out from the GitOps repository; the commands below run from that folder.",
    estimateSeconds,
  };
}

function bootstrapStep(cluster: ModelCluster, estimateSeconds: number): ModelRestoreStep {
  const stack = `opentofu/${cluster.stacks.bootstrap}`;
  return {
    id: "bootstrap",
    counts: true,
    title: "Install ArgoCD and the root application",
    commands: [`tofu -chdir=${q(stack)} init`, `tofu -chdir=${q(stack)} apply`],
    estimateSeconds,
  };
}

function syncStep(cluster: ModelCluster, estimateSeconds: number): ModelRestoreStep {
  const ns = q(cluster.argocdNamespace);
  const root = q(cluster.rootApplication);
  return {
    id: "sync",
    counts: true,
    title: "Sync every application from Git",
    commands: [
      `kubectl config set-context --current --namespace=${ns}`,
      "argocd login --core",
      `argocd app sync ${root}`,
      `argocd app wait ${root} --sync --health --timeout ${estimateSeconds}`,
      `kubectl -n ${ns} get applications.argoproj.io`,
    ],
    estimateSeconds,
  };
}

/** The ApplicationSet of an environment's services (argocd target: named after the environment), when it has services. */
function applicationSetOf(model: PlanInput, env: ModelEnvironment): string | undefined {
  return model.deployments.some((d) => d.environment === env.name) ? env.name : undefined;
}

/**
 * Stop ArgoCD from undoing the restore: the root application (which owns the CloudNativePG Clusters,
 * the Velero Schedules and the ApplicationSets) loses automated sync and self-heal, and the
 * environment's ApplicationSet stops syncing the Applications it generates (its controller would
 * revert a change made on an Application itself).
 */
function pauseStep(model: PlanInput, env: ModelEnvironment, cluster: ModelCluster, estimateSeconds: number): ModelRestoreStep {
  const ns = q(cluster.argocdNamespace);
  const appSet = applicationSetOf(model, env);
  return {
    id: "pause",
    title: "Pause automated sync while data is restored",
    counts: true,
    commands: [
      `argocd app set ${q(cluster.rootApplication)} --sync-policy none`,
      ...(appSet !== undefined
        ? [`kubectl -n ${ns} patch applicationset ${q(appSet)} --type json -p '[{"op":"remove","path":"/spec/template/spec/syncPolicy/automated"}]'`, `argocd app list --selector plinth.dev/environment=${q(env.name)}`]
        : []),
    ],
    note: `Without this, self-heal re-creates from Git what the restore replaces (an empty database, fresh volumes). The last command lists ${env.name}'s Applications: each shows no automated sync policy once the ApplicationSet has propagated the change.`,
    estimateSeconds,
  };
}

/** Give ArgoCD back its automated sync: Git's ApplicationSet (with its sync policy) is applied again. */
function resumeStep(cluster: ModelCluster, estimateSeconds: number): ModelRestoreStep {
  const root = q(cluster.rootApplication);
  const { prune, selfHeal } = cluster.rootSync;
  return {
    id: "resume",
    title: "Resume automated sync",
    counts: true,
    commands: [
      `argocd app set ${root} --sync-policy automated${selfHeal ? " --self-heal" : ""}${prune ? " --auto-prune" : ""}`,
      `argocd app sync ${root}`,
      `argocd app wait ${root} --sync --health --timeout ${estimateSeconds}`,
    ],
    note: "The sync re-applies every ApplicationSet from Git, which turns automated sync of its Applications back on.",
    estimateSeconds,
  };
}

function verifyStep(env: ModelEnvironment, cluster: ModelCluster, estimateSeconds: number): ModelRestoreStep {
  const namespaces = [...new Set([env.namespace, env.dataNamespace].filter((n): n is string => n !== undefined))];
  return {
    id: "verify",
    counts: true,
    title: "Verify health and resume traffic",
    commands: [
      ...namespaces.map((ns) => `kubectl -n ${q(ns)} get pods`),
      `kubectl -n ${q(cluster.argocdNamespace)} get applications.argoproj.io`,
      ...env.hosts.map((host) => `curl -fsSI ${q(`https://${host}/`)}`),
    ],
    estimateSeconds,
  };
}

/** `aws s3 …` against the backup's object store (with its endpoint for MinIO). */
function s3(backup: ModelBackup, args: string): string {
  return `aws s3 ${args}${backup.endpoint !== undefined ? ` --endpoint-url ${q(backup.endpoint)}` : ""}`;
}

/** Commands that download the newest object under the backup's prefix to `localFile`. */
function fetchLatest(backup: ModelBackup, localFile: string): string[] {
  if (!backup.destinationPath) return [];
  const prefix = `${backup.destinationPath}/`;
  return [`LATEST="$(${s3(backup, `ls ${q(prefix)}`)} | sort | tail -n 1 | awk '{print $4}')"`, `${s3(backup, `cp "${prefix}$LATEST" ${q(localFile)}`)}`];
}

function restoreStep(
  model: PlanInput,
  env: ModelEnvironment,
  cluster: ModelCluster,
  backup: ModelBackup,
  estimateSeconds: number,
  veleroBackups: readonly ModelBackup[],
): Omit<ModelRestoreStep, "counts" | "backup"> {
  const namespaces = targetNamespaces(model, env, backup);
  const ns = namespaces[0] ?? "default";
  const what = backup.dataService ?? (backup.method === "etcd-snapshot" || namespaces.length === 0 ? `the ${cluster.name} cluster state` : namespaces.join(", "));
  const base = { id: backup.name, title: `Restore ${what} from backup ${backup.name}`, estimateSeconds };
  const pod = (ordinal: number) => q(`${backup.dataService}-${ordinal}`);
  switch (backup.method) {
    case "velero": {
      const veleroNs = q(cluster.components.find((c) => c.name === "velero")?.namespace ?? "velero");
      // CloudNativePG recovers its own databases from their archive (a later step): Velero leaves
      // their objects and volumes alone. Objects that exist are skipped by Velero, so what the sync
      // created from Git in these namespaces (empty volumes) goes first, on the first Velero restore only.
      const cnpg = model.backups.some((b) => b.method === "cnpg-pitr" && b.cluster === cluster.name && b.namespaces.some((n) => namespaces.includes(n)));
      const first = veleroBackups.filter((b) => targetNamespaces(model, env, b).some((n) => namespaces.includes(n)))[0] === backup;
      const which = cnpg ? "-l '!cnpg.io/cluster'" : "--all";
      const kinds = ["deployment", "statefulset", ...(cluster.components.some((c) => c.name === "argo-rollouts") ? ["rollouts.argoproj.io"] : []), "persistentvolumeclaim"].join(",");
      return {
        ...base,
        commands: [
          // Only the environment's own namespaces: shared platform namespaces keep what the sync installed, Velero adds what is missing.
          ...(first ? namespaces.filter((n) => n === env.namespace || n === env.dataNamespace).map((n) => `kubectl -n ${q(n)} delete ${kinds} ${which} --wait`) : []),
          `velero backup get --namespace ${veleroNs} --selector velero.io/schedule-name=${q(backup.name)}`,
          `velero restore create --namespace ${veleroNs} --from-schedule ${q(backup.name)} --include-namespaces ${q(namespaces.join(","))}${cnpg ? ` --exclude-resources ${CNPG_RESOURCES} --selector '!cnpg.io/cluster'` : ""} --wait`,
        ],
        note: [
          first ? "Velero skips objects that exist, so the workloads and empty volumes the sync just created are deleted first (automated sync is paused, so ArgoCD does not re-create them); Velero then restores them with their data." : "",
          cnpg ? "CloudNativePG Clusters and their volumes (label cnpg.io/cluster) are left out: each database is recovered from its own archive in a later step." : "",
          veleroOrderNote(backup, veleroBackups),
          "--from-schedule restores the newest completed backup of the schedule; to go further back, pick one from the list and use --from-backup <backup-name> instead.",
        ]
          .filter((text) => text !== "")
          .join(" "),
      };
    }
    case "vault-raft-snapshot":
      return {
        ...base,
        commands: [
          ...fetchLatest(backup, "./vault.snap"),
          ...vaultSnapshotRestore(ns, `${backup.dataService}-0`),
          ...resyncCommands(model, env, cluster),
        ],
        note:
          "The fresh Vault is initialised with a throw-away key only to accept the snapshot; after the restore it is sealed with the original keys, so the last unseal uses the original unseal keys (repeat it up to the key threshold). External Secrets then re-reads every secret.",
      };
    case "etcd-snapshot":
      return {
        ...base,
        commands: cluster.kind === "k3s" ? k3sEtcdRestore(backup) : etcdutlRestore(cluster, backup),
        note:
          cluster.kind === "k3s"
            ? `Run on the first server node. Every other server node rejoins after its /var/lib/rancher/k3s/server/db directory is removed.`
            : `For a kubeadm-style control plane (etcd and the API server as static pods, etcd data in ${ETCD_DATA_DIR}). etcd restores a new cluster from one snapshot: every member restores the same file with its own --name and peer URL and the same member list, so the commands run in three rounds across the control-plane nodes, each round on every node before the next. Values in <angle brackets> are placeholders to fill in per node: each node's member name and peer URL are the --name and --initial-advertise-peer-urls of its current ${ETCD_MANIFEST}.${backup.destinationPath !== undefined ? "" : " Copy the newest snapshot to ./etcd.snapshot on every node first."}`,
      };
    case "cnpg-pitr": {
      const file = `${backup.dataService}-recovery.yaml`;
      const dataService = model.dataServices.find((d) => d.name === backup.dataService)!;
      const next = (backup.lineage ?? 1) + 1;
      const nextServer = `${dataService.name}-l${next}`;
      const lineagePath = `dataServices[${String(backup.at[1])}].backup.lineage`;
      return {
        ...base,
        commands: [
          `kubectl -n ${q(ns)} delete cluster.postgresql.cnpg.io/${q(dataService.name)} --ignore-not-found --wait`,
          // create, not apply: no last-applied annotation, so ArgoCD's next sync keeps bootstrap.recovery.
          `kubectl -n ${q(ns)} create -f ${q(file)}`,
          `kubectl -n ${q(ns)} wait cluster.postgresql.cnpg.io/${q(dataService.name)} --for=condition=Ready --timeout=${estimateSeconds}s`,
          `kubectl -n ${q(ns)} get cluster.postgresql.cnpg.io/${q(dataService.name)} -o jsonpath='{.status.firstRecoverabilityPoint}{"\\n"}{.status.lastSuccessfulBackup}{"\\n"}'`,
        ],
        manifest: { file, document: cnpgRecoveryCluster(model, cluster, backup, ns, nextServer) },
        note: [
          "The sync created an empty database from Git (automated sync is paused, so it is not re-created); it is replaced by one recovered from the newest base backup and the WAL archive, replayed to the end.",
          `To stop at a point in time instead, add one target under spec.bootstrap.recovery.recoveryTarget before creating it: targetTime ("2026-01-31 23:59:59+00", a timestamp in the archive's timeline), targetLSN, targetXID, targetName (a restore point made with pg_create_restore_point) or targetImmediate: true (the end of the base backup); exclusive: true stops just before the target.`,
          `The recovered cluster starts a new backup lineage: it reads the archive of lineage ${backup.lineage ?? 1} (serverName ${backup.serverName ?? dataService.name}) and archives under serverName ${nextServer} at the same destinationPath, so the history it recovered from is never overwritten.`,
          `Before resuming sync, switch archiving in Git to that lineage: set ${lineagePath} to ${next} in the spec (data service ${dataService.name}), run plinth build and push. Git's Cluster then archives where the recovered one does, and its ScheduledBackup takes a base backup of the new lineage right away.`,
        ].join(" "),
      };
    }
    case "pg-dump": {
      const usesCnpg = cluster.components.some((c) => c.name === "cloudnative-pg");
      const dump = `./${backup.dataService}.dump`;
      return {
        ...base,
        commands: [...fetchLatest(backup, dump), `kubectl -n ${q(ns)} exec -i ${pod(usesCnpg ? 1 : 0)} -- pg_restore --clean --if-exists -d app < ${q(dump)}`],
      };
    }
    case "redis-rdb":
      return {
        ...base,
        commands: [...fetchLatest(backup, "./dump.rdb"), `kubectl -n ${q(ns)} cp ./dump.rdb ${pod(0)}:/data/dump.rdb`, `kubectl -n ${q(ns)} delete pod ${pod(0)}`],
      };
    case "volume-snapshot": {
      const selector = `app.kubernetes.io/instance=${backup.dataService}`;
      const n = q(ns);
      return {
        ...base,
        commands: [
          `kubectl -n ${n} get volumesnapshot -l ${q(`${SNAPSHOT_LABEL}=${backup.name}`)} --sort-by=.metadata.creationTimestamp`,
          `kubectl -n ${n} scale statefulset -l ${q(selector)} --replicas=0`,
          `for PVC in $(kubectl -n ${n} get pvc -l ${q(selector)} -o jsonpath='{.items[*].metadata.name}'); do`,
          `  SNAP="$(kubectl -n ${n} get volumesnapshot -l ${q(`${SNAPSHOT_LABEL}=${backup.name}`)} --sort-by=.metadata.creationTimestamp -o jsonpath="{range .items[?(@.spec.source.persistentVolumeClaimName=='$PVC')]}{.metadata.name}{'\\n'}{end}" | tail -n 1)"`,
          `  kubectl -n ${n} get pvc "$PVC" -o json | jq --arg snap "$SNAP" '{apiVersion, kind, metadata: {name: .metadata.name, labels: .metadata.labels}, spec: (.spec | del(.volumeName, .dataSourceRef) | .dataSource = {apiGroup: "snapshot.storage.k8s.io", kind: "VolumeSnapshot", name: $snap})}' > "$PVC.restore.json"`,
          `  kubectl -n ${n} delete pvc "$PVC" --wait`,
          `  kubectl -n ${n} create -f "$PVC.restore.json"`,
          "done",
          `kubectl -n ${n} scale statefulset -l ${q(selector)} --replicas=${backup.namespaces.length > 0 ? (model.dataServices.find((d) => d.name === backup.dataService)?.placements.find((p) => p.cluster === cluster.name && p.namespace === ns)?.instances ?? 1) : 1}`,
        ],
        note: `Each PersistentVolumeClaim of ${backup.dataService} (label ${selector}) is re-created from its newest VolumeSnapshot of this schedule (SnapScheduler labels them ${SNAPSHOT_LABEL}=${backup.name}); its StatefulSet is scaled down meanwhile.${backup.offStorage ? "" : " These snapshots stay on the volumes' own storage system: they undo a mistake, but do not survive losing that storage, so they do not count toward the RTO or RPO."}`,
      };
    }
  }
}

/**
 * Restore ./vault.snap into the Vault of `pod`: initialise it with a throw-away key only to accept the
 * snapshot, restore, then unseal with the original keys (the snapshot brings its seal).
 */
function vaultSnapshotRestore(namespace: string, pod: string): string[] {
  const [n, p] = [q(namespace), q(pod)];
  return [
    `kubectl -n ${n} exec -ti ${p} -- vault operator init -key-shares=1 -key-threshold=1`,
    `kubectl -n ${n} exec -ti ${p} -- vault operator unseal`,
    `kubectl -n ${n} exec -ti ${p} -- vault login`,
    `kubectl -n ${n} cp ./vault.snap ${p}:/tmp/vault.snap`,
    `kubectl -n ${n} exec ${p} -- vault operator raft snapshot restore -force /tmp/vault.snap`,
    `kubectl -n ${n} exec -ti ${p} -- vault operator unseal`,
  ];
}

/** Force External Secrets to re-read every secret of the environment's namespaces (and shared platform ones) now. */
function resyncCommands(model: PlanInput, env: ModelEnvironment, cluster: ModelCluster): string[] {
  const namespaces = [...new Set(model.externalSecrets.filter((s) => s.cluster === cluster.name && (s.namespace === env.namespace || s.namespace === env.dataNamespace || !isEnvironmentNamespace(model, s.namespace))).map((s) => s.namespace))].sort();
  return namespaces.map((ns) => `kubectl annotate externalsecret --all -n ${q(ns)} force-sync=$(date +%s) --overwrite`);
}

function k3sEtcdRestore(backup: ModelBackup): string[] {
  if (backup.bucket !== undefined && backup.destinationPath !== undefined) {
    const endpoint = backup.endpoint !== undefined ? ` --etcd-s3-endpoint=${q(backup.endpoint.replace(/^https?:\/\//, ""))}` : "";
    const s3Flags = `--etcd-s3 --etcd-s3-bucket=${q(backup.bucket)} --etcd-s3-folder=${q(backup.prefix)}${endpoint}`;
    return [
      `LATEST="$(${s3(backup, `ls ${q(`${backup.destinationPath}/`)}`)} | sort | tail -n 1 | awk '{print $4}')"`,
      "systemctl stop k3s",
      `k3s server --cluster-reset ${s3Flags} --cluster-reset-restore-path="$LATEST"`,
      "systemctl start k3s",
    ];
  }
  return [
    `LATEST="$(ls -t ${K3S_SNAPSHOT_DIR} | head -n 1)"`,
    "systemctl stop k3s",
    `k3s server --cluster-reset --cluster-reset-restore-path="${K3S_SNAPSHOT_DIR}/$LATEST"`,
    "systemctl start k3s",
  ];
}

/**
 * etcd's documented disaster recovery (etcd.io op-guide/recovery): stop every API server, restore
 * the same snapshot on every member with its own --name/--initial-advertise-peer-urls and the same
 * --initial-cluster and new --initial-cluster-token, then start them all. The kubelet stops a static
 * pod whose manifest leaves its folder and starts it again when the manifest returns.
 */
function etcdutlRestore(cluster: ModelCluster, backup: ModelBackup): string[] {
  const manifests = "/etc/kubernetes/manifests";
  const parked = "/etc/kubernetes/manifests-stopped";
  return [
    "# Round 1, on every control-plane node: stop the API server and etcd.",
    `mkdir -p ${parked}`,
    `mv ${manifests}/kube-apiserver.yaml ${ETCD_MANIFEST} ${parked}/`,
    "# Round 2, on each control-plane node in turn: fill in the <placeholders> for that node, then restore.",
    ...fetchLatest(backup, "./etcd.snapshot"),
    "ETCD_NAME='<this node member name>'",
    "ETCD_PEER_URL='https://<this node IP>:2380'",
    "ETCD_INITIAL_CLUSTER='<member-1>=https://<IP-1>:2380,<member-2>=https://<IP-2>:2380,<member-3>=https://<IP-3>:2380'",
    `etcdutl snapshot restore ./etcd.snapshot --name "$ETCD_NAME" --initial-cluster "$ETCD_INITIAL_CLUSTER" --initial-cluster-token ${q(`${cluster.name}-restored`)} --initial-advertise-peer-urls "$ETCD_PEER_URL" --data-dir ${ETCD_DATA_DIR}-restored`,
    `mv ${ETCD_DATA_DIR} ${ETCD_DATA_DIR}-broken && mv ${ETCD_DATA_DIR}-restored ${ETCD_DATA_DIR}`,
    "# Round 3, on every control-plane node once all have restored: start etcd and the API server again.",
    `mv ${parked}/etcd.yaml ${parked}/kube-apiserver.yaml ${manifests}/`,
  ];
}

/** Why Velero schedules restore newest first, said on each restore of a plan with more than one. */
function veleroOrderNote(backup: ModelBackup, ordered: readonly ModelBackup[]): string {
  if (ordered.length < 2) return "";
  const position = ordered.indexOf(backup);
  const others = ordered.filter((b) => b !== backup).map((b) => b.name);
  const why =
    "Velero restores newest first, the backup with the smallest worst-case data loss before the others: Velero skips every object that already exists, so an older backup restored first would keep its stale copies and make the newer one a no-op.";
  return position === 0
    ? `${why} This is the newest; ${others.join(", ")} ${others.length === 1 ? "follows and only adds" : "follow and only add"} what it lacks.`
    : `${why} Run it after ${ordered.slice(0, position).map((b) => b.name).join(", ")}: it only adds what ${position === 1 ? "that backup lacks" : "those lack"}.`;
}

/** A CloudNativePG Cluster bootstrapped from the backup's base backup and WAL archive. */
function cnpgRecoveryCluster(model: PlanInput, cluster: ModelCluster, backup: ModelBackup, namespace: string, nextServerName: string): Record<string, unknown> {
  const dataService = model.dataServices.find((d) => d.name === backup.dataService)!;
  const storageClass = model.profiles.find((p) => p.name === cluster.profile)?.storageClass;
  // The same sizing the running Cluster has in this namespace.
  const placement = dataService.placements.find((p) => p.cluster === cluster.name && p.namespace === namespace);
  const origin = `${dataService.name}-origin`;
  const roleArn = cluster.workloadIdentities.find((i) => i.purpose === "database-backup" && i.serviceAccount.namespace === namespace && i.serviceAccount.name === dataService.name)?.roleArn;
  // The same archive the running Cluster (kubernetes target) writes to.
  const objectStore = cnpgObjectStore(backup);
  return {
    apiVersion: "postgresql.cnpg.io/v1",
    kind: "Cluster",
    metadata: { name: dataService.name, namespace },
    spec: {
      instances: placement?.instances ?? dataService.instances,
      ...(dataService.cnpgImage !== undefined && { imageName: dataService.cnpgImage }),
      ...((placement?.storage ?? dataService.storage) !== undefined && {
        storage: { size: placement?.storage ?? dataService.storage, ...(storageClass !== undefined && { storageClass }) },
      }),
      ...(placement?.resources && { resources: placement.resources }),
      ...(backup.archiveTimeoutSeconds !== undefined && { postgresql: { parameters: { archive_timeout: `${backup.archiveTimeoutSeconds}s` } } }),
      // The IAM role that reads and writes the archive on AWS (barman supports only IRSA), as the running Cluster has it.
      ...(roleArn !== undefined && { serviceAccountTemplate: { metadata: { annotations: { "eks.amazonaws.com/role-arn": roleArn } } } }),
      bootstrap: { recovery: { source: origin } },
      // Reads the lineage it recovers from; writes a new one, so the two never mix.
      externalClusters: [{ name: origin, barmanObjectStore: { ...objectStore, serverName: backup.serverName ?? dataService.name, wal: { maxParallel: 8 } } }],
      backup: { barmanObjectStore: { ...objectStore, serverName: nextServerName }, retentionPolicy: cnpgRetentionPolicy(backup) },
    },
  };
}

/**
 * One drill per backup: restore the newest copy somewhere scratch (a namespace of its own, or a
 * folder) without touching what runs, check that data came back, and clean up. Seeds 000 and 003
 * ask for regular restore testing; these are the commands, the spec's `drills` say how often.
 */
export function planRestoreDrills(model: PlanInput): ModelRestoreDrill[] {
  return model.backups.map((backup) => {
    const cluster = model.clusters.find((c) => c.name === backup.cluster);
    const ns = backup.namespaces[0] ?? "default";
    const scratch = `${ns}-drill`;
    const base = {
      backup: backup.name,
      ...(backup.cluster !== undefined && { cluster: backup.cluster }),
      title: `Drill: restore ${backup.name} into scratch and verify`,
      scratch: { namespaces: [] as string[], databases: [] as string[] },
    };
    switch (backup.method) {
      case "velero": {
        const veleroNs = q(cluster?.components.find((c) => c.name === "velero")?.namespace ?? "velero");
        const namespaces = backup.namespaces.length > 0 ? backup.namespaces : [];
        const mappings = namespaces.map((n) => `${n}:${n}-drill`).join(",");
        return {
          ...base,
          scratch: { namespaces: namespaces.map((n) => `${n}-drill`), databases: [] },
          commands: [
            `velero restore create ${q(`${backup.name}-drill`)} --namespace ${veleroNs} --from-schedule ${q(backup.name)}${namespaces.length > 0 ? ` --include-namespaces ${q(namespaces.join(","))} --namespace-mappings ${q(mappings)}` : ""} --wait`,
            `velero restore describe ${q(`${backup.name}-drill`)} --namespace ${veleroNs} --details`,
            ...namespaces.map((n) => `kubectl -n ${q(`${n}-drill`)} get pods,persistentvolumeclaims`),
            ...namespaces.map((n) => `kubectl delete namespace ${q(`${n}-drill`)} --wait`),
            `velero restore delete ${q(`${backup.name}-drill`)} --namespace ${veleroNs} --confirm`,
          ],
          note:
            namespaces.length > 0
              ? "Each namespace comes back under a -drill name beside the running one: the restore is complete when its phase is Completed with no errors and every volume shows its restored data."
              : "A whole-cluster schedule restores onto a scratch cluster only (re-provisioned from Git as in the restore plan), never beside the running one.",
        };
      }
      case "cnpg-pitr": {
        const name = backup.dataService!;
        const dataService = model.dataServices.find((d) => d.name === name);
        const file = `${name}-drill.yaml`;
        const store = cnpgObjectStore(backup);
        const document = {
          apiVersion: "postgresql.cnpg.io/v1",
          kind: "Cluster",
          metadata: { name: `${name}-drill`, namespace: scratch },
          spec: {
            instances: 1,
            ...(dataService?.cnpgImage !== undefined && { imageName: dataService.cnpgImage }),
            storage: { size: dataService?.placements.find((p) => p.namespace === ns)?.storage ?? "10Gi" },
            bootstrap: { recovery: { source: `${name}-origin` } },
            // Reads the archive only: no backup section, so the drill never writes into it.
            externalClusters: [{ name: `${name}-origin`, barmanObjectStore: { ...store, serverName: backup.serverName ?? name, wal: { maxParallel: 8 } } }],
          },
        };
        return {
          ...base,
          scratch: { namespaces: [scratch], databases: [`${scratch}/${name}-drill`] },
          commands: [
            `kubectl create namespace ${q(scratch)}`,
            ...(backup.credentialsSecret !== undefined
              ? [`kubectl -n ${q(ns)} get secret ${q(backup.credentialsSecret)} -o json | jq '{apiVersion, kind, type, data, metadata: {name: .metadata.name}}' | kubectl -n ${q(scratch)} create -f -`]
              : []),
            `kubectl -n ${q(scratch)} create -f ${q(file)}`,
            `kubectl -n ${q(scratch)} wait cluster.postgresql.cnpg.io/${q(`${name}-drill`)} --for=condition=Ready --timeout=3600s`,
            `kubectl -n ${q(scratch)} exec ${q(`${name}-drill-1`)} -- psql -U postgres -d app -c 'select now(), pg_last_xact_replay_timestamp();' -c '\\dt+'`,
            `kubectl delete namespace ${q(scratch)} --wait`,
          ],
          manifest: { file, document },
          note: `A one-instance copy recovered from the same base backups and WAL archive, in namespace ${scratch}; it has no backup section, so nothing is written to the archive. The replay timestamp is the newest transaction recovered: compare it with the time of the drill to measure the actual data loss.${backup.credentialsSecret === undefined && store.s3Credentials && "inheritFromIAMRole" in store.s3Credentials ? ` On AWS the archive's IAM role trusts only ${ns}/${name}: run the drill on a scratch cluster re-provisioned from Git, in namespace ${ns}, or add the drill's service account to the role's trust.` : ""}`,
        };
      }
      case "vault-raft-snapshot": {
        const chart = cluster?.components.find((c) => c.name === "vault")?.chart;
        return {
          ...base,
          scratch: { namespaces: ["vault-drill"], databases: [] },
          commands: [
            ...fetchLatest(backup, "./vault.snap"),
            "helm repo add hashicorp https://helm.releases.hashicorp.com",
            `helm install vault-drill hashicorp/vault --namespace vault-drill --create-namespace${chart !== undefined ? ` --version ${q(chart.version)}` : ""} --set server.ha.enabled=true --set server.ha.raft.enabled=true --set server.ha.replicas=1 --set injector.enabled=false`,
            "kubectl -n vault-drill wait pod/vault-drill-0 --for=jsonpath='{.status.phase}'=Running --timeout=300s",
            ...vaultSnapshotRestore("vault-drill", "vault-drill-0"),
            "kubectl -n vault-drill exec -ti vault-drill-0 -- vault login",
            "kubectl -n vault-drill exec vault-drill-0 -- vault secrets list",
            "helm uninstall vault-drill --namespace vault-drill",
            "kubectl delete namespace vault-drill --wait",
          ],
          note: "A throw-away one-node Vault accepts the snapshot; the second unseal and login use the original unseal keys and a token of the original Vault, which proves both still open the backup. The drill Vault has no Kubernetes auth configured, so nothing reads from it.",
        };
      }
      case "volume-snapshot": {
        const selector = `${SNAPSHOT_LABEL}=${backup.name}`;
        const n = q(ns);
        return {
          ...base,
          commands: [
            `SNAP="$(kubectl -n ${n} get volumesnapshot -l ${q(selector)} --sort-by=.metadata.creationTimestamp -o jsonpath='{.items[-1:].metadata.name}')"`,
            `kubectl -n ${n} get volumesnapshot "$SNAP" -o json | jq '{apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: {name: "${backup.name}-drill"}, spec: {accessModes: ["ReadWriteOnce"], resources: {requests: {storage: .status.restoreSize}}, dataSource: {apiGroup: "snapshot.storage.k8s.io", kind: "VolumeSnapshot", name: .metadata.name}}}' | kubectl -n ${n} create -f -`,
            `kubectl -n ${n} run ${q(`${backup.name}-drill`)} --image=busybox:1.37 --restart=Never --overrides='{"spec":{"volumes":[{"name":"data","persistentVolumeClaim":{"claimName":"${backup.name}-drill"}}],"containers":[{"name":"drill","image":"busybox:1.37","command":["sh","-c","ls -la /data && du -sh /data"],"volumeMounts":[{"name":"data","mountPath":"/data"}]}]}}'`,
            `kubectl -n ${n} wait pod/${q(`${backup.name}-drill`)} --for=jsonpath='{.status.phase}'=Succeeded --timeout=600s`,
            `kubectl -n ${n} logs ${q(`${backup.name}-drill`)}`,
            `kubectl -n ${n} delete pod/${q(`${backup.name}-drill`)} pvc/${q(`${backup.name}-drill`)} --wait`,
          ],
          note: "A VolumeSnapshot can only be restored in its own namespace: the drill makes a scratch claim from the newest one beside the running volumes, lists what is on it, and removes it.",
        };
      }
      case "etcd-snapshot":
        return {
          ...base,
          commands: [
            ...(backup.destinationPath !== undefined ? fetchLatest(backup, "./etcd.snapshot") : [`cp "${K3S_SNAPSHOT_DIR}/$(ls -t ${K3S_SNAPSHOT_DIR} | head -n 1)" ./etcd.snapshot`]),
            "etcdutl snapshot status ./etcd.snapshot -w table",
            "etcdutl snapshot restore ./etcd.snapshot --data-dir ./etcd-drill",
            "etcd --data-dir ./etcd-drill --listen-client-urls http://127.0.0.1:23790 --advertise-client-urls http://127.0.0.1:23790 --listen-peer-urls http://127.0.0.1:23800 &",
            "ETCDCTL_API=3 etcdctl --endpoints=http://127.0.0.1:23790 get /registry/namespaces --prefix --keys-only",
            "kill %1 && rm -rf ./etcd-drill",
          ],
          note: "On any machine with etcd and etcdutl of the cluster's etcd version, away from the control plane: the snapshot is restored into a scratch data directory and served on local ports; the namespace keys listed are the cluster's.",
        };
      case "pg-dump":
        return { ...base, commands: [...fetchLatest(backup, `./${backup.dataService}.dump`), `pg_restore --list ${q(`./${backup.dataService}.dump`)}`], note: "The dump's table of contents lists every object it would restore." };
      case "redis-rdb":
        return { ...base, commands: [...fetchLatest(backup, "./dump.rdb"), "redis-check-rdb ./dump.rdb"] };
    }
  });
}
