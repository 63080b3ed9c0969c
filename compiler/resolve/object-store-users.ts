import type { Spec } from "../../spec/schema.js";
import type { ModelBackup, ModelCluster, ModelExternalSecret, ModelObjectStoreUser, ModelProfile } from "../model.js";
import { VELERO_MINIO_CREDENTIALS_SECRET } from "./components.js";
import { storeKindOf } from "./secrets.js";
import { cmp, sorted } from "./util.js";

/** Where plinth keeps the keys of the MinIO users it creates, inside a vault store. */
export const OBJECT_STORE_KEY_PREFIX = "plinth/object-storage";

/** The Secret keys each consumer reads, per format. */
export const OBJECT_STORE_SECRET_KEYS: Record<ModelObjectStoreUser["secret"]["format"], string[]> = {
  // Velero's AWS plugin reads a shared-credentials file.
  "aws-credentials-file": ["cloud"],
  // CloudNativePG's barmanObjectStore.s3Credentials names these keys.
  "access-key-pair": ["ACCESS_KEY_ID", "ACCESS_SECRET_KEY"],
};

/**
 * One MinIO user per consumer of a MinIO-backed cluster: Velero (when the cluster runs it) and each
 * database backup that archives there. Each may touch only its own bucket prefix; its keys go where
 * the consumer's Secret comes from. S3 consumers use workload identities instead (identity.ts).
 */
export function resolveObjectStoreUsers(spec: Spec, clusters: readonly ModelCluster[], profiles: readonly ModelProfile[], backups: readonly ModelBackup[]): ModelObjectStoreUser[] {
  const users: ModelObjectStoreUser[] = [];
  for (const cluster of clusters) {
    const profile = profiles.find((p) => p.name === cluster.profile)!;
    if (profile.objectStorage.provider !== "minio") continue;
    const placementFor = (consumer: string): ModelObjectStoreUser["placement"] => {
      if (profile.secrets.backend === "kubernetes") return { kind: "secret" };
      const store = credentialsStoreOf(spec, profile);
      return store === undefined ? { kind: "none" } : { kind: "store", store, key: `${OBJECT_STORE_KEY_PREFIX}/${cluster.name}/${consumer}` };
    };
    const at = [...profile.at, "objectStorage"];
    const onCluster = backups.filter((b) => b.cluster === cluster.name);
    const velero = cluster.components.find((c) => c.name === "velero");
    const veleroBuckets = sorted(onCluster.filter((b) => b.method === "velero" && b.bucket !== undefined).map((b) => b.bucket!));
    if (velero && veleroBuckets.length > 0) {
      users.push({
        name: cluster.iam.veleroRole,
        cluster: cluster.name,
        consumer: "velero",
        grants: veleroBuckets.map((bucket) => ({ bucket })),
        secret: { namespace: cluster.veleroServiceAccount.namespace, name: VELERO_MINIO_CREDENTIALS_SECRET, format: "aws-credentials-file" },
        placement: placementFor("velero"),
        at,
      });
    }
    for (const backup of onCluster) {
      if (backup.credentialsSecret === undefined || backup.bucket === undefined || backup.external !== undefined) continue;
      // etcd snapshots run as a CronJob in kube-system, and only where plinth can place one (kubeadm).
      const etcd = backup.method === "etcd-snapshot";
      if (etcd ? cluster.kind !== "existing" : backup.namespaces.length !== 1) continue;
      users.push({
        name: `${cluster.resourcePrefix}-${backup.name}`,
        cluster: cluster.name,
        consumer: backup.name,
        grants: [{ bucket: backup.bucket, prefix: backup.prefix }],
        secret: { namespace: etcd ? "kube-system" : backup.namespaces[0]!, name: backup.credentialsSecret, format: "access-key-pair" },
        placement: placementFor(backup.name),
        at: backup.at,
      });
    }
  }
  return users.sort((a, b) => cmp(a.cluster, b.cluster) || cmp(a.consumer, b.consumer));
}

/** The vault store a profile's MinIO keys are written to: the one it names, else the spec's only vault store. */
export function credentialsStoreOf(spec: Spec, profile: ModelProfile): string | undefined {
  if (profile.objectStorage.credentialsStore !== undefined) return profile.objectStorage.credentialsStore;
  const vaultStores = spec.secretStores.filter((s) => s.backend === "vault");
  return vaultStores.length === 1 ? vaultStores[0]!.name : undefined;
}

/** The ExternalSecret that makes each consumer's Secret from the keys OpenTofu wrote into a store. */
export function objectStoreUserSecrets(spec: Spec, users: readonly ModelObjectStoreUser[]): ModelExternalSecret[] {
  const storeKind = storeKindOf(spec);
  return users.flatMap((user) => {
    if (user.placement.kind !== "store") return [];
    const { store, key } = user.placement;
    return [
      {
        name: user.secret.name,
        cluster: user.cluster,
        namespace: user.secret.namespace,
        store,
        storeKind: storeKind(store),
        refreshInterval: "1h",
        purpose: `object-storage keys of MinIO user ${user.name}, written by OpenTofu`,
        data: OBJECT_STORE_SECRET_KEYS[user.secret.format].map((k) => ({ secretKey: k, key, property: k })),
        at: user.at,
      },
    ];
  });
}
