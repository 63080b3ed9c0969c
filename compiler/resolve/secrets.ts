import type { Spec } from "../../spec/schema.js";
import { formatDuration } from "../../spec/units.js";
import type { ModelCluster, ModelDeployment, ModelEnvironment, ModelExternalSecret, ModelNamespace, ModelProfile, ModelSecretStore } from "../model.js";
import { EXTERNAL_DNS_CREDENTIALS_SECRET } from "./components.js";
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
export function resolveSecretStores(spec: Spec, externalSecrets: readonly ModelExternalSecret[], clusters: readonly ModelCluster[] = []): ModelSecretStore[] {
  const storeKind = storeKindOf(spec);
  const stores: ModelSecretStore[] = spec.secretStores.map((s, i) => {
    // Readers: ExternalSecrets, and each cluster's image pull ClusterExternalSecret (cluster-wide stores only).
    const users = [
      ...externalSecrets.filter((e) => e.store === s.name),
      ...clusters.filter((c) => c.registryPull?.store === s.name && s.scope === "cluster").map((c) => ({ cluster: c.name, namespace: "" })),
    ];
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

/** Who creates each Secrets Manager secret the platform reads: the first cluster (by name) reading it. */
export function assignSecretOwners(
  stores: readonly ModelSecretStore[],
  externalSecrets: readonly ModelExternalSecret[],
  deployments: readonly ModelDeployment[],
  clusters: readonly ModelCluster[] = [],
): ModelSecretStore[] {
  // Each Secrets Manager store's keys, and the first cluster (by name) that reads each.
  const owners = new Map<string, Map<string, string>>();
  for (const store of stores) if (store.backend === "aws-secrets-manager") owners.set(store.name, new Map());
  const read = (store: string, key: string, cluster: string) => {
    const keys = owners.get(store);
    if (keys === undefined) return;
    const owner = keys.get(key);
    if (owner === undefined || cluster < owner) keys.set(key, cluster);
  };
  for (const c of clusters) if (c.registryPull) read(c.registryPull.store, c.registryPull.key, c.name);
  for (const e of externalSecrets) for (const d of e.data) read(e.store, d.key, e.cluster);
  for (const d of deployments) for (const item of d.chartExternalSecret?.data ?? []) read(d.chartExternalSecret!.store, item.key, d.cluster);
  return stores.map((store) => {
    const keys = owners.get(store.name);
    if (store.backend !== "aws-secrets-manager" || keys === undefined) return store;
    return { ...store, secretOwners: [...keys].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, cluster]) => ({ key, cluster })) };
  });
}

/** The Secrets Manager keys of a store a cluster's infra stack creates: those it reads first, in its own region. */
export function secretsCreatedBy(store: ModelSecretStore, cluster: ModelCluster, profile: ModelProfile): string[] {
  if (store.aws === undefined || store.aws.region !== (cluster.region ?? profile.region)) return [];
  return (store.secretOwners ?? []).filter((o) => o.cluster === cluster.name).map((o) => o.key);
}

/**
 * The ExternalSecret of external-dns's API credentials on each cluster that runs external-dns against
 * a DNS adapter with a key (cloudflare, powerdns), when the profile says where the key lives.
 */
export function resolveDnsCredentialSecrets(spec: Spec, clusters: readonly ModelCluster[], profiles: readonly ModelProfile[]): ModelExternalSecret[] {
  const storeKind = storeKindOf(spec);
  return clusters.flatMap((cluster) => {
    const profile = profiles.find((p) => p.name === cluster.profile)!;
    const component = cluster.components.find((c) => c.name === "external-dns");
    const credentials = profile.dns.credentials;
    if (!component || !credentials || profile.dns.provider === "route53") return [];
    return [
      {
        name: EXTERNAL_DNS_CREDENTIALS_SECRET,
        cluster: cluster.name,
        namespace: component.namespace,
        store: credentials.store,
        storeKind: storeKind(credentials.store),
        refreshInterval: "1h",
        purpose: `${profile.dns.provider} API credentials of external-dns`,
        data: [{ secretKey: profile.dns.provider === "cloudflare" ? "api-token" : "api-key", key: credentials.key, ...(credentials.property !== undefined && { property: credentials.property }) }],
        at: [...profile.at, "dns", "credentials"],
      },
    ];
  });
}

/** The label Argo CD's tokenRef strict mode requires of a Secret a pull-request generator reads. */
export const SCM_CREDENTIALS_LABEL = { "argocd.argoproj.io/secret-type": "scm-creds" } as const;

/** Marks the Secrets previews' pull-request generators read their GitHub token from. */
export function labelPreviewTokens(environments: readonly ModelEnvironment[], clusters: readonly ModelCluster[], externalSecrets: ModelExternalSecret[]): void {
  for (const env of environments) {
    const token = env.preview?.token;
    const cluster = clusters.find((c) => c.name === env.cluster);
    if (!token || !cluster) continue;
    const secret = externalSecrets.find((e) => e.cluster === cluster.name && e.namespace === cluster.argocdNamespace && e.name === token.secret);
    if (secret) secret.secretLabels = { ...secret.secretLabels, ...SCM_CREDENTIALS_LABEL };
  }
}
