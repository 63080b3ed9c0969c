import type { Spec } from "../../spec/schema.js";
import { formatDuration } from "../../spec/units.js";
import type { ModelExternalSecret, ModelNamespace, ModelSecretStore } from "../model.js";
import { sorted, seconds } from "./util.js";

/** ClusterSecretStore unless the spec scopes the store to a namespace. */
export function storeKindOf(spec: Spec): (name: string) => "ClusterSecretStore" | "SecretStore" {
  const storeSpec = new Map(spec.secretStores.map((s) => [s.name, s]));
  return (name) => (storeSpec.get(name)?.scope === "namespace" ? "SecretStore" : "ClusterSecretStore");
}

/** The platform secrets of the spec (`secrets`), each an ExternalSecret in its namespace. */
export function resolvePlatformSecrets(spec: Spec, namespaces: readonly ModelNamespace[]): ModelExternalSecret[] {
  const storeKind = storeKindOf(spec);
  const refreshFor = (rotation?: string, explicit?: string) =>
    explicit ?? (rotation ? formatDuration(Math.min(3600, Math.max(60, seconds(rotation) / 24))) : "1h");

  const namespaceCluster = new Map(namespaces.map((n) => [n.name, n.cluster]));
  const externalSecrets: ModelExternalSecret[] = spec.secrets.map((s, i) => ({
    name: s.name,
    cluster: s.cluster ?? namespaceCluster.get(s.namespace)!,
    namespace: s.namespace,
    store: s.data[0]!.ref.store,
    storeKind: storeKind(s.data[0]!.ref.store),
    refreshInterval: refreshFor(s.rotation, s.refreshInterval),
    ...(s.rotation !== undefined && { rotation: s.rotation }),
    ...(s.purpose !== undefined && { purpose: s.purpose }),
    data: s.data.map((d) => ({ secretKey: d.secretKey, key: d.ref.key, ...(d.ref.property !== undefined && { property: d.ref.property }) })),
    at: ["secrets", i],
  }));

  return externalSecrets;
}

/** Secret stores, placed wherever an ExternalSecret reads them. */
export function resolveSecretStores(spec: Spec, externalSecrets: readonly ModelExternalSecret[]): ModelSecretStore[] {
  const storeKind = storeKindOf(spec);
  const stores: ModelSecretStore[] = spec.secretStores.map((s, i) => {
    const users = externalSecrets.filter((e) => e.store === s.name);
    const placements =
      s.scope === "cluster"
        ? sorted(users.map((u) => u.cluster)).map((cluster) => ({ cluster }))
        : sorted(users.map((u) => `${u.cluster}/${u.namespace}`)).map((key) => {
            const [cluster, namespace] = key.split("/") as [string, string];
            return { cluster, namespace };
          });
    // One Kubernetes auth mount per cluster in Vault: a spec path already ending in -<cluster> is kept.
    const vaultAuthMount = (cluster: string) =>
      s.vault && (s.vault.auth.mountPath.endsWith(`-${cluster}`) ? s.vault.auth.mountPath : `${s.vault.auth.mountPath}-${cluster}`);
    return {
      name: s.name,
      kind: storeKind(s.name),
      backend: s.backend,
      ...(s.vault && { vault: s.vault }),
      ...(s.aws && { aws: s.aws }),
      ...(s.kubernetes && { kubernetes: s.kubernetes }),
      placements: placements.map((p) => ({ ...p, ...(s.vault && { vaultAuthMount: vaultAuthMount(p.cluster)! }) })),
      at: ["secretStores", i],
    };
  });

  return assignMountOwners(stores);
}

/** One stack manages each KV mount: the first cluster (by name) reading any vault store on it. */
export function assignMountOwners(stores: readonly ModelSecretStore[]): ModelSecretStore[] {
  const owner = new Map<string, string>();
  for (const store of stores) {
    if (!store.vault) continue;
    for (const p of store.placements) if (!owner.has(store.vault.mount) || p.cluster < owner.get(store.vault.mount)!) owner.set(store.vault.mount, p.cluster);
  }
  return stores.map(({ mountOwner: _previous, ...s }) => (s.vault && owner.has(s.vault.mount) ? { ...s, mountOwner: owner.get(s.vault.mount)! } : s));
}
