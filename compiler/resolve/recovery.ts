import type { Model, ModelBackup, ModelCluster, ModelEnvironment, ModelRecoveryPlan, ModelRestoreStep } from "../model.js";
import { shellQuote as q } from "../formats/shell.js";
import { cnpgObjectStore, cnpgRetentionPolicy } from "../formats/cnpg.js";

type PlanInput = Omit<Model, "recovery" | "deploy">;

/** Default restore-step estimates in seconds; an environment's restoreEstimates override them by step id. */
export const DEFAULT_ESTIMATES: Record<string, number> = {
  "provision-eks": 25 * 60,
  "provision-k3s": 10 * 60,
  "provision-existing": 5 * 60,
  bootstrap: 5 * 60,
  sync: 10 * 60,
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
 * The ordered restore procedure of each environment that promises an RTO, with an estimate per step:
 * re-provision from Git, restore cluster state, bootstrap and sync from Git, then restore data
 * (secrets first, because everything else reads them). The runbook prints it and the
 * recovery/rto-exceeded check compares its sum with the RTO.
 */
export function planRecovery(model: PlanInput): ModelRecoveryPlan[] {
  const plans: ModelRecoveryPlan[] = [];
  for (const env of model.environments) {
    if (!env.recovery || env.runtime !== "kubernetes" || !env.cluster || env.preview) continue;
    const cluster = model.clusters.find((c) => c.name === env.cluster);
    if (!cluster) continue;
    // By step id first, then by backup method (so "vault-raft-snapshot" covers every such step).
    const estimate = (id: string, fallback: string) =>
      env.restoreEstimates[id] ?? env.restoreEstimates[fallback] ?? DEFAULT_ESTIMATES[fallback] ?? DEFAULT_ESTIMATES[id] ?? 0;
    const backups = orderBackups(relevantBackups(model, env, cluster));
    const velero = backups.filter((b) => b.method === "velero");
    const restore = (backup: ModelBackup) => restoreStep(model, env, cluster, backup, estimate(backup.name, backup.method), velero);

    const steps: ModelRestoreStep[] = [
      provisionStep(model, cluster, estimate("provision", `provision-${cluster.kind}`)),
      // etcd holds the cluster's own state: it goes back before anything is installed on top of it.
      ...backups.filter((b) => b.method === "etcd-snapshot").map(restore),
      bootstrapStep(cluster, estimate("bootstrap", "bootstrap")),
      syncStep(cluster, estimate("sync", "sync")),
      ...backups.filter((b) => b.method !== "etcd-snapshot").map(restore),
      verifyStep(env, cluster, estimate("verify", "verify")),
    ];
    const totalSeconds = steps.reduce((sum, step) => sum + step.estimateSeconds, 0);
    plans.push({
      environment: env.name,
      cluster: cluster.name,
      rtoSeconds: env.recovery.rtoSeconds,
      rpoSeconds: env.recovery.rpoSeconds,
      steps,
      totalSeconds,
      fitsRto: totalSeconds <= env.recovery.rtoSeconds,
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

function verifyStep(env: ModelEnvironment, cluster: ModelCluster, estimateSeconds: number): ModelRestoreStep {
  const namespaces = [...new Set([env.namespace, env.dataNamespace].filter((n): n is string => n !== undefined))];
  return {
    id: "verify",
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
): ModelRestoreStep {
  const namespaces = targetNamespaces(model, env, backup);
  const ns = namespaces[0] ?? "default";
  const what = backup.dataService ?? (backup.method === "etcd-snapshot" || namespaces.length === 0 ? `the ${cluster.name} cluster state` : namespaces.join(", "));
  const base = { id: backup.name, title: `Restore ${what} from backup ${backup.name}`, estimateSeconds };
  const pod = (ordinal: number) => q(`${backup.dataService}-${ordinal}`);
  switch (backup.method) {
    case "velero": {
      const veleroNs = q(cluster.components.find((c) => c.name === "velero")?.namespace ?? "velero");
      return {
        ...base,
        commands: [
          `velero backup get --namespace ${veleroNs} --selector velero.io/schedule-name=${q(backup.name)}`,
          `velero restore create --namespace ${veleroNs} --from-schedule ${q(backup.name)} --include-namespaces ${q(namespaces.join(","))} --wait`,
        ],
        note: [veleroOrderNote(backup, veleroBackups), "--from-schedule restores the newest completed backup of the schedule; to go further back, pick one from the list and use --from-backup <backup-name> instead."]
          .filter((text) => text !== "")
          .join(" "),
      };
    }
    case "vault-raft-snapshot":
      return {
        ...base,
        commands: [
          ...fetchLatest(backup, "./vault.snap"),
          `kubectl -n ${q(ns)} exec -ti ${pod(0)} -- vault operator init -key-shares=1 -key-threshold=1`,
          `kubectl -n ${q(ns)} exec -ti ${pod(0)} -- vault operator unseal`,
          `kubectl -n ${q(ns)} exec -ti ${pod(0)} -- vault login`,
          `kubectl -n ${q(ns)} cp ./vault.snap ${pod(0)}:/tmp/vault.snap`,
          `kubectl -n ${q(ns)} exec ${pod(0)} -- vault operator raft snapshot restore -force /tmp/vault.snap`,
          `kubectl -n ${q(ns)} exec -ti ${pod(0)} -- vault operator unseal`,
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
      return {
        ...base,
        commands: [
          `kubectl -n ${q(ns)} delete cluster.postgresql.cnpg.io/${q(backup.dataService!)} --ignore-not-found --wait`,
          `kubectl -n ${q(ns)} apply -f ${q(file)}`,
          `kubectl -n ${q(ns)} wait cluster.postgresql.cnpg.io/${q(backup.dataService!)} --for=condition=Ready --timeout=${estimateSeconds}s`,
        ],
        manifest: { file, document: cnpgRecoveryCluster(model, cluster, backup, ns) },
        note:
          "The sync created an empty database from Git; it is replaced by one recovered from the base backup and WAL archive (keep ArgoCD from re-creating it meanwhile by suspending automated sync of the application that owns it). To stop at a point in time, add recoveryTarget.targetTime under bootstrap.recovery.",
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
    case "volume-snapshot":
      return {
        ...base,
        commands: namespaces.map((n) => `kubectl -n ${q(n)} get volumesnapshot`),
        note: "Re-create each PersistentVolumeClaim with spec.dataSource pointing at its newest VolumeSnapshot before the workload starts.",
      };
  }
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
function cnpgRecoveryCluster(model: PlanInput, cluster: ModelCluster, backup: ModelBackup, namespace: string): Record<string, unknown> {
  const dataService = model.dataServices.find((d) => d.name === backup.dataService)!;
  const storageClass = model.profiles.find((p) => p.name === cluster.profile)?.storageClass;
  // The same sizing the running Cluster has in this namespace.
  const placement = dataService.placements.find((p) => p.cluster === cluster.name && p.namespace === namespace);
  const origin = `${dataService.name}-origin`;
  // The same archive the running Cluster (kubernetes target) writes to.
  const objectStore = cnpgObjectStore(backup);
  return {
    apiVersion: "postgresql.cnpg.io/v1",
    kind: "Cluster",
    metadata: {
      name: dataService.name,
      namespace,
      // The recovered cluster opens a new timeline and keeps archiving to the same place.
      annotations: { "cnpg.io/skipEmptyWalArchiveCheck": "enabled" },
    },
    spec: {
      instances: placement?.instances ?? dataService.instances,
      ...(dataService.cnpgImage !== undefined && { imageName: dataService.cnpgImage }),
      ...((placement?.storage ?? dataService.storage) !== undefined && {
        storage: { size: placement?.storage ?? dataService.storage, ...(storageClass !== undefined && { storageClass }) },
      }),
      ...(placement?.resources && { resources: placement.resources }),
      ...(backup.archiveTimeoutSeconds !== undefined && { postgresql: { parameters: { archive_timeout: `${backup.archiveTimeoutSeconds}s` } } }),
      bootstrap: { recovery: { source: origin } },
      externalClusters: [{ name: origin, barmanObjectStore: { ...objectStore, serverName: dataService.name, wal: { maxParallel: 8 } } }],
      backup: { barmanObjectStore: objectStore, retentionPolicy: cnpgRetentionPolicy(backup) },
    },
  };
}
