/**
 * kubernetes target: the namespaced platform objects of every cluster, as plain manifests.
 *
 * Every object carries the ArgoCD sync wave of its node in the Model's deploy graph: the cluster's
 * root application syncs this tree together with argocd/<cluster>/, in one ordered sync.
 *
 * Layout (one file per namespace, so a namespace's whole setup reads top to bottom):
 *   kubernetes/<cluster>/<namespace>.yaml            Namespace, ResourceQuota, LimitRange, NetworkPolicy,
 *                                                     ServiceAccount, Role, RoleBinding, SecretStore,
 *                                                     ExternalSecret, AnalysisTemplate, Cluster and
 *                                                     ScheduledBackup (CloudNativePG), Redis and
 *                                                     RedisReplication (redis-operator), OpenSearchCluster,
 *                                                     Schedule (Velero),
 *                                                     SnapshotSchedule (SnapScheduler), CronJob (Vault
 *                                                     raft and etcd snapshots; etcd's in kube-system.yaml),
 *                                                     IPAddressPool and L2Advertisement (MetalLB),
 *                                                     Gateway and its HTTPS redirect HTTPRoute (Gateway API; in
 *                                                     its implementation's namespace)
 *                                                     — in that kind order, by name within a kind
 *   kubernetes/_previews/<cluster>/<env>/           a preview's Namespace and data services, per pull
 *                                                     request (previews.ts; not synced by the root application)
 *   kubernetes/<cluster>/_cluster.yaml                cluster-scoped objects: StorageClass (EKS gp3, OpenEBS LVM),
 *                                                     VolumeSnapshotClass (scheduled volume snapshots),
 *                                                     ClusterRoleBinding (Vault token review),
 *                                                     ClusterIssuer (cert-manager, ACME),
 *                                                     GatewayClass (the Gateway API implementation's),
 *                                                     ClusterSecretStores, ClusterExternalSecret (image
 *                                                     pull Secret of the profile's registry) — in that kind order
 * Velero Schedules live in the file of the velero component's namespace (Velero reads them only
 * there), e.g. kubernetes/<cluster>/velero.yaml; when plinth does not manage that namespace, the
 * file holds only the Schedules and the velero Application creates the namespace.
 * The leading underscore keeps the cluster-scoped file from ever colliding with a namespace file:
 * namespace names are DNS-1123 labels and cannot contain "_".
 */
import type { Model } from "../../compiler/model.js";
import type { OutputFile, Target } from "../types.js";
import { toYamlDocuments } from "../shared/yaml.js";
import { syncWaves, waveAnnotation } from "../shared/waves.js";
import { analysisTemplates } from "./analyses.js";
import { backupObjects } from "./backups.js";
import { dataServiceObjects } from "./data.js";
import { limitRange, namespaceObject, networkPolicies, resourceQuota } from "./namespaces.js";
import { clusterMeta, KIND_ORDER, setOwn, type KubernetesObject, type Placed } from "./objects.js";
import { externalSecret, registryPullSecrets, secretStoreObjects } from "./secrets.js";
import { ipAddressPools, storageClasses } from "./storage.js";
import { certificateIssuers } from "./certificates.js";
import { gateways } from "./gateways.js";
import { previewBaseFiles } from "./previews.js";
import { getOrMake } from "../../compiler/collections.js";

const CLUSTER_FILE = "_cluster.yaml";
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function generate(model: Model): OutputFile[] {
  // The root application syncs this tree: each object in the wave the deploy graph gives it. Each
  // object is written out as it is placed (its document kept, the object left to die young), then
  // each file's documents are ordered by kind and name.
  const wave = syncWaves(model);
  // Documents by file, the file found by cluster and namespace (ten thousand objects share a few dozen files).
  const files = new Map<string, { rank: number; name: string; text: string }[]>();
  const fileOf = new Map<string, Map<string | undefined, { rank: number; name: string; text: string }[]>>();
  const place = ({ cluster, namespace, object }: Placed) => {
    const documents = getOrMake(getOrMake(fileOf, cluster, () => new Map()), namespace, () => getOrMake(files, filePath(cluster, namespace), () => []));
    const meta = object.metadata ?? {};
    const annotations = { ...meta.annotations, ...waveAnnotation(wave(cluster, object.kind, meta.namespace, meta.name ?? "")) };
    documents.push({ rank: kindRank(object), name: meta.name ?? "", text: toYamlDocuments([withMetadata(object, { ...meta, annotations })]) });
  };
  for (const ns of model.namespaces) {
    const objects: (KubernetesObject | undefined)[] = [
      namespaceObject(model, ns),
      resourceQuota(model, ns),
      limitRange(model, ns),
      ...networkPolicies(model, ns),
    ];
    for (const object of objects) if (object) place({ cluster: ns.cluster, namespace: ns.name, object });
  }
  for (const cluster of model.clusters) {
    for (const name of cluster.componentNamespaces) place({ cluster: cluster.name, namespace: name, object: { apiVersion: "v1", kind: "Namespace", metadata: clusterMeta(model, name) } });
  }
  secretStoreObjects(model).forEach(place);
  registryPullSecrets(model).forEach(place);
  for (const secret of model.externalSecrets) place({ cluster: secret.cluster, namespace: secret.namespace, object: externalSecret(model, secret) });
  analysisTemplates(model).forEach(place);
  backupObjects(model).forEach(place);
  dataServiceObjects(model).forEach(place);
  storageClasses(model).forEach(place);
  ipAddressPools(model).forEach(place);
  certificateIssuers(model).forEach(place);
  gateways(model).forEach(place);

  // A stable sort: objects of one kind and name keep the order they were placed in.
  const byKindThenName = (a: { rank: number; name: string }, b: { rank: number; name: string }) => a.rank - b.rank || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  return [...[...files].map(([path, documents]) => ({ path, content: documents.sort(byKindThenName).map((d) => d.text).join("") })), ...previewBaseFiles(model)].sort((a, b) =>
    a.path < b.path ? -1 : a.path > b.path ? 1 : 0,
  );
}

function filePath(cluster: string, namespace: string | undefined): string {
  for (const name of [cluster, namespace]) {
    // Checks reject such names earlier; this keeps a path from ever leaving the output folder.
    if (name !== undefined && !DNS1123_LABEL.test(name)) throw new Error(`not a DNS-1123 label, cannot be a file name: ${JSON.stringify(name)}`);
  }
  return `kubernetes/${cluster}/${namespace === undefined ? CLUSTER_FILE : `${namespace}.yaml`}`;
}

const KIND_RANK = new Map<string, number>(KIND_ORDER.map((kind, rank) => [kind, rank]));

function kindRank(object: KubernetesObject): number {
  const rank = KIND_RANK.get(object.kind);
  if (rank === undefined) throw new Error(`kind ${object.kind} has no place in KIND_ORDER`);
  return rank;
}

/**
 * The object with its metadata replaced, keys in the same order (as `{ ...object, metadata }`
 * gives them), copied key by key: a spread with a key after it copies as it grows, for each of
 * thousands of objects.
 */
function withMetadata(object: KubernetesObject, metadata: KubernetesObject["metadata"]): KubernetesObject {
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(object)) setOwn(copy, key, key === "metadata" ? metadata : (object as unknown as Record<string, unknown>)[key]);
  if (!("metadata" in copy)) copy.metadata = metadata;
  return copy as unknown as KubernetesObject;
}

export const kubernetesTarget: Target = {
  name: "kubernetes",
  description:
    "Namespaces with quotas, limits and network policies; secret stores and ExternalSecrets; Argo Rollouts analysis templates; the objects that take every backup: CloudNativePG clusters with scheduled backups, Velero schedules, snapshot schedules and snapshot CronJobs",
  generate,
};
