/**
 * The binding contract: the environment variables a service that uses a data service receives, the
 * same names on Kubernetes (Helm values) and in Compose bundles. For a data service named `<name>`
 * the prefix is `<NAME>` (upper case, `_` for anything else):
 *
 * | engine     | variables |
 * | ---------- | --------- |
 * | postgres   | `<P>_HOST`, `<P>_PORT`, `<P>_DATABASE`, `<P>_USERNAME`, `<P>_PASSWORD_FILE` |
 * | opensearch | `<P>_HOST`, `<P>_PORT`, `<P>_URL`, `<P>_USERNAME`, `<P>_PASSWORD_FILE` |
 * | redis/nats | `<P>_HOST`, `<P>_PORT`, `<P>_URL` |
 * | vault/minio| `<P>_HOST`, `<P>_PORT` |
 *
 * Secrets arrive as files on both runtimes: `<X>_FILE` is the path of a file holding the value
 * (Compose: a bundle secret under /run/secrets; Kubernetes: the operator's Secret, or the service's
 * own, mounted under /run/secrets/<secret>/). Kubernetes also passes a service's own secrets as `<X>`.
 */
import type {
  ModelBindings,
  ModelDataConnection,
  ModelDataService,
  ModelDeployment,
  ModelEnvironment,
  ModelExternalSecret,
  ModelSecretStore,
  ModelService,
} from "../model.js";
import { getOrMake } from "../collections.js";
import { cmp } from "./util.js";

export const bindingPrefix = (dataService: string) => dataService.toUpperCase().replace(/[^A-Z0-9]+/g, "_");

export interface BindingNames {
  host: string;
  port: string;
  url?: string;
  database?: string;
  username?: string;
  /** The variable naming the password file. */
  passwordFile?: string;
}

/** Names by engine and data service: asked once per deployment and runtime, made once (shared, not to be changed). */
const bindingNamesMade = new Map<string, Readonly<BindingNames>>();

export function bindingNames(ds: Pick<ModelDataService, "name" | "engine">): Readonly<BindingNames> {
  const id = `${ds.engine}\u0000${ds.name}`;
  let names = bindingNamesMade.get(id);
  if (!names) bindingNamesMade.set(id, (names = Object.freeze(makeBindingNames(ds))));
  return names;
}

function makeBindingNames(ds: Pick<ModelDataService, "name" | "engine">): BindingNames {
  const p = bindingPrefix(ds.name);
  const base = { host: `${p}_HOST`, port: `${p}_PORT` };
  switch (ds.engine) {
    case "postgres":
      return { ...base, database: `${p}_DATABASE`, username: `${p}_USERNAME`, passwordFile: `${p}_PASSWORD_FILE` };
    case "opensearch":
      return { ...base, url: `${p}_URL`, username: `${p}_USERNAME`, passwordFile: `${p}_PASSWORD_FILE` };
    case "redis":
    case "nats":
      return { ...base, url: `${p}_URL` };
    case "vault":
    case "minio":
      return base;
  }
}

/** Every variable name of the binding, sorted. */
export const bindingVariables = (ds: Pick<ModelDataService, "name" | "engine">): string[] =>
  Object.values(bindingNames(ds))
    .filter((v): v is string => v !== undefined)
    .sort();

/** The URL scheme of an engine's `<P>_URL` (opensearch: https on Kubernetes, where the operator serves TLS). */
export const URL_SCHEMES: Partial<Record<ModelDataService["engine"], string>> = { redis: "redis", nats: "nats", opensearch: "http" };

/** Where a Secret is mounted in a service's container on Kubernetes: one folder per Secret, one file per key. */
export const secretMountFolder = (secret: string) => `/run/secrets/${secret}`;

/** The namespaced Kubernetes store a service namespace reads another namespace's data credentials through. */
export const dataStoreName = (dataNamespace: string) => `data-${dataNamespace}`;
/** The copy of a data service's credentials in a service's namespace (when the data runs in another). */
export const dataCredentialsName = (dataService: string) => `${dataService}-credentials`;

/**
 * Fills each deployment's bindings: its own secrets as files, and for every data service it uses that
 * its environment runs, the connection variables of the placement it reaches. Credentials come from
 * the operator's Secret in the same namespace, or from a copy an ExternalSecret keeps in the
 * service's namespace through a Kubernetes store reading the data namespace (both added here).
 */
export function resolveBindings(
  deployments: ModelDeployment[],
  services: readonly ModelService[],
  dataServices: readonly ModelDataService[],
  environments: readonly ModelEnvironment[],
  externalSecrets: ModelExternalSecret[],
  secretStores: ModelSecretStore[],
): void {
  const serviceByName = new Map(services.map((s) => [s.name, s]));
  const environmentByName = new Map(environments.map((e) => [e.name, e]));
  const dataServiceByName = new Map(dataServices.map((x) => [x.name, x]));
  // The ExternalSecrets that exist, by cluster, namespace and name: a copy is made once per namespace.
  const secretKey = (cluster: string, namespace: string, name: string) => `${cluster}\u0000${namespace}\u0000${name}`;
  const existing = new Set(externalSecrets.map((e) => secretKey(e.cluster, e.namespace, e.name)));
  // The same entries serve every deployment of a service, and every deployment reaching a placement
  // from inside (or from outside) its namespace: made once, shared by the immutable Model.
  const ownSecretEntries = new Map<ModelService, Map<string, { env: ModelBindings["env"]; mount: ModelBindings["secretMounts"][number] }>>();
  const ownSecret = (service: ModelService, secretName: string) => {
    return getOrMake(getOrMake(ownSecretEntries, service, () => new Map()), secretName, () => {
      const mountPath = secretMountFolder(secretName);
      return { env: service.secretEnv.map((s) => ({ name: `${s.name}_FILE`, value: `${mountPath}/${s.name}` })), mount: { secret: secretName, mountPath } };
    });
  };
  const placementEntries = new Map<object, Map<string, { env: ModelBindings["env"]; mount?: ModelBindings["secretMounts"][number] }>>();
  const reach = (ds: ModelDataService, placement: ModelDataService["placements"][number], secret: string | undefined) => {
    let bySecret = placementEntries.get(placement);
    if (!bySecret) placementEntries.set(placement, (bySecret = new Map()));
    let made = bySecret.get(secret ?? "");
    if (made) return made;
    const names = bindingNames(ds);
    const c = placement.connection;
    const env: ModelBindings["env"] = [{ name: names.host, value: c.host }, { name: names.port, value: String(c.port) }];
    if (names.database !== undefined && c.database !== undefined) env.push({ name: names.database, value: c.database });
    if (names.url !== undefined) env.push({ name: names.url, value: `${c.scheme ?? URL_SCHEMES[ds.engine]}://${c.host}:${c.port}` });
    made = { env };
    if (c.secret !== undefined && secret !== undefined) {
      if (names.username !== undefined) env.push({ name: names.username, secretKeyRef: { name: secret, key: c.secret.usernameKey } });
      if (names.passwordFile !== undefined) {
        env.push({ name: names.passwordFile, value: `${secretMountFolder(secret)}/${c.secret.passwordKey}` });
        made.mount = { secret, mountPath: secretMountFolder(secret) };
      }
    }
    bySecret.set(secret ?? "", made);
    return made;
  };
  for (const d of deployments) {
    const service = serviceByName.get(d.service)!;
    const env = environmentByName.get(d.environment)!;
    const bindings: ModelBindings = { env: [], secretMounts: [] };
    if (d.secretName !== undefined) {
      const own = ownSecret(service, d.secretName);
      bindings.secretMounts.push(own.mount);
      for (let i = 0; i < own.env.length; i++) bindings.env.push(own.env[i]!);
    }
    for (const name of service.dependsOn.dataServices) {
      const ds = dataServiceByName.get(name);
      if (!ds || !env.dataServices.includes(name)) continue;
      // The environment's own placement (a preview's copy per pull request), else the cluster's shared one.
      const placement =
        (env.preview ? ds.previewPlacements : ds.placements).find((p) => p.environment === env.name) ??
        ds.placements.find((p) => p.environment === undefined && p.cluster === d.cluster);
      if (!placement) continue;
      const c = placement.connection;
      let secret = c.secret?.name;
      if (c.secret !== undefined && placement.namespace !== d.namespace) {
        secret = dataCredentialsName(ds.name);
        if (!existing.has(secretKey(d.cluster, d.namespace, secret))) {
          existing.add(secretKey(d.cluster, d.namespace, secret));
          externalSecrets.push(credentialsCopy(d, ds, placement.namespace, c.secret, secret));
        }
        placeDataStore(d, ds, placement.namespace, secretStores);
      }
      const reached = reach(ds, placement, secret);
      for (let i = 0; i < reached.env.length; i++) bindings.env.push(reached.env[i]!);
      if (reached.mount) bindings.secretMounts.push(reached.mount);
    }
    // A variable the spec sets itself keeps the spec's value.
    bindings.env = sortedByName(bindings.env.filter((e) => !(e.name in d.env)));
    d.bindings = bindings;
  }
  externalSecrets.sort((a, b) => cmp(a.cluster, b.cluster) || cmp(a.namespace, b.namespace) || cmp(a.name, b.name));
}

/** The namespaced Kubernetes store a service namespace reads another namespace's data credentials through, placed there. */
function placeDataStore(d: ModelDeployment, ds: ModelDataService, dataNamespace: string, secretStores: ModelSecretStore[]): void {
  const storeName = dataStoreName(dataNamespace);
  let store = secretStores.find((s) => s.name === storeName);
  if (!store) {
    store = { name: storeName, kind: "SecretStore", backend: "kubernetes", kubernetes: { namespace: dataNamespace }, placements: [], at: ds.at };
    secretStores.push(store);
  }
  if (!store.placements.some((p) => p.cluster === d.cluster && p.namespace === d.namespace)) {
    store.placements.push({ cluster: d.cluster, namespace: d.namespace });
    store.placements.sort((a, b) => cmp(a.cluster, b.cluster) || cmp(a.namespace ?? "", b.namespace ?? ""));
  }
}

/** The copy of a data service's credentials an ExternalSecret keeps in a service's namespace. */
function credentialsCopy(d: ModelDeployment, ds: ModelDataService, dataNamespace: string, source: NonNullable<ModelDataConnection["secret"]>, name: string): ModelExternalSecret {
  return {
    name,
    cluster: d.cluster,
    namespace: d.namespace,
    store: dataStoreName(dataNamespace),
    storeKind: "SecretStore",
    refreshInterval: "1h",
    purpose: `${ds.name}'s credentials from ${dataNamespace}/${source.name}, for the services of ${d.namespace}`,
    environment: d.environment,
    data: [source.usernameKey, source.passwordKey].map((key) => ({ secretKey: key, key: source.name, property: key })),
    copiesFrom: { namespace: dataNamespace, secret: source.name },
    at: ds.at,
  };
}

/**
 * A deployment's handful of variables sorted by name in place, stably: an insertion sort, which
 * allocates nothing (Array.prototype.sort copies into a work array, ten thousand times at scale).
 */
function sortedByName<T extends { name: string }>(items: T[]): T[] {
  for (let i = 1; i < items.length; i++) {
    const item = items[i]!;
    let j = i - 1;
    for (; j >= 0 && items[j]!.name > item.name; j--) items[j + 1] = items[j]!;
    items[j + 1] = item;
  }
  return items;
}
