import type { Model } from "../../compiler/model.js";
import type { INamespace } from "kubernetes-models/v1/Namespace";

/** ObjectMeta, taken from a kubernetes-models type (its own package is only a transitive dependency). */
export type IObjectMeta = NonNullable<INamespace["metadata"]>;

/** Any object this target emits: enough to place it in a file and order it there. */
export interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata?: IObjectMeta;
}

/** An object, its cluster, and the namespace whose file holds it (undefined: the cluster-scoped file). */
export interface Placed {
  cluster: string;
  namespace?: string;
  object: KubernetesObject;
}

/**
 * Order of kinds inside a namespace file: the Namespace first, then what constrains the namespace,
 * then the identities and stores that ExternalSecrets need, then what workloads reference, then the
 * data and backup objects (CNPG Cluster, its ScheduledBackup, Velero Schedules).
 */
export const KIND_ORDER = [
  "StorageClass",
  "VolumeSnapshotClass",
  "ClusterRoleBinding",
  "ClusterIssuer",
  "GatewayClass",
  "Namespace",
  "ResourceQuota",
  "LimitRange",
  "NetworkPolicy",
  "ServiceAccount",
  "Role",
  "RoleBinding",
  "ClusterSecretStore",
  "ClusterExternalSecret",
  "SecretStore",
  "ExternalSecret",
  "AnalysisTemplate",
  "Cluster",
  "ScheduledBackup",
  "Redis",
  "RedisReplication",
  "OpenSearchCluster",
  "Schedule",
  "SnapshotSchedule",
  "CronJob",
  "IPAddressPool",
  "L2Advertisement",
  "Gateway",
  "HTTPRoute",
] as const;

export type Kind = (typeof KIND_ORDER)[number];

/** Labels every object carries so `kubectl get -l app.kubernetes.io/managed-by=plinth` finds them. */
export function commonLabels(model: Model): Record<string, string> {
  return { "app.kubernetes.io/managed-by": "plinth", "app.kubernetes.io/part-of": model.platform.name };
}

/** Metadata of a namespaced object. */
export function namespacedMeta(model: Model, name: string, namespace: string, labels: Record<string, string> = {}): IObjectMeta {
  return { name, namespace, labels: withCommonLabels(model, labels) };
}

/** Metadata of a cluster-scoped object. */
export function clusterMeta(model: Model, name: string, labels: Record<string, string> = {}): IObjectMeta {
  return { name, labels: withCommonLabels(model, labels) };
}

/**
 * The common labels and `labels` (which win), sorted by key: merged into one fresh record key by key
 * (thousands of objects carry labels), and sorted only when its keys are out of order.
 */
function withCommonLabels(model: Model, labels: Record<string, string>): Record<string, string> {
  const merged = commonLabels(model);
  for (const key of Object.keys(labels)) setOwn(merged, key, labels[key]!);
  const keys = Object.keys(merged);
  for (let i = 1; i < keys.length; i++) if (keys[i - 1]! > keys[i]!) return sortedRecord(merged);
  return merged;
}

export function sortedRecord<T>(record: Record<string, T>): Record<string, T> {
  // Built key by key (no list of pairs): this runs for each of thousands of objects' labels.
  const keys = Object.keys(record).sort();
  const sorted: Record<string, T> = {};
  for (let i = 0; i < keys.length; i++) setOwn(sorted, keys[i]!, record[keys[i]!]!);
  return sorted;
}

/** Sets an own key of a record built key by key, "__proto__" too (which assignment takes for the prototype, and a spread defines). */
export function setOwn<T>(record: Record<string, T>, key: string, value: T): void {
  if (key === "__proto__") Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
  else record[key] = value;
}
