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
import { clusterMeta, KIND_ORDER, type KubernetesObject, type Placed } from "./objects.js";
import { externalSecret, registryPullSecrets, secretStoreObjects } from "./secrets.js";
import { ipAddressPools, storageClasses } from "./storage.js";
import { certificateIssuers } from "./certificates.js";
import { gateways } from "./gateways.js";
import { previewBaseFiles } from "./previews.js";

const CLUSTER_FILE = "_cluster.yaml";
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function generate(model: Model): OutputFile[] {
  const placed: Placed[] = [];
  for (const ns of model.namespaces) {
    const objects: (KubernetesObject | undefined)[] = [
      namespaceObject(model, ns),
      resourceQuota(model, ns),
      limitRange(model, ns),
      ...networkPolicies(model, ns),
    ];
    for (const object of objects) if (object) placed.push({ cluster: ns.cluster, namespace: ns.name, object });
  }
  for (const cluster of model.clusters) {
    for (const name of cluster.componentNamespaces) placed.push({ cluster: cluster.name, namespace: name, object: { apiVersion: "v1", kind: "Namespace", metadata: clusterMeta(model, name) } });
  }
  placed.push(...secretStoreObjects(model));
  placed.push(...registryPullSecrets(model));
  for (const secret of model.externalSecrets) placed.push({ cluster: secret.cluster, namespace: secret.namespace, object: externalSecret(model, secret) });
  placed.push(...analysisTemplates(model));
  placed.push(...backupObjects(model));
  placed.push(...dataServiceObjects(model));
  placed.push(...storageClasses(model));
  placed.push(...ipAddressPools(model));
  placed.push(...certificateIssuers(model));
  placed.push(...gateways(model));

  // The root application syncs this tree: each object in the wave the deploy graph gives it.
  const wave = syncWaves(model);
  const files = new Map<string, KubernetesObject[]>();
  for (const { cluster, namespace, object } of placed) {
    const path = filePath(cluster, namespace);
    const meta = object.metadata ?? {};
    const annotations = { ...meta.annotations, ...waveAnnotation(wave(cluster, object.kind, meta.namespace, meta.name ?? "")) };
    const annotated = { ...object, metadata: { ...meta, annotations } };
    const objects = files.get(path);
    if (objects) objects.push(annotated);
    else files.set(path, [annotated]);
  }
  return [...[...files].map(([path, objects]) => ({ path, content: toYamlDocuments(objects.sort(byKindThenName)) })), ...previewBaseFiles(model)].sort((a, b) =>
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

function byKindThenName(a: KubernetesObject, b: KubernetesObject): number {
  const kind = kindRank(a) - kindRank(b);
  if (kind !== 0) return kind;
  const [x, y] = [a.metadata?.name ?? "", b.metadata?.name ?? ""];
  return x < y ? -1 : x > y ? 1 : 0;
}

function kindRank(object: KubernetesObject): number {
  const rank = (KIND_ORDER as readonly string[]).indexOf(object.kind);
  if (rank < 0) throw new Error(`kind ${object.kind} has no place in KIND_ORDER`);
  return rank;
}

export const kubernetesTarget: Target = {
  name: "kubernetes",
  description:
    "Namespaces with quotas, limits and network policies; secret stores and ExternalSecrets; Argo Rollouts analysis templates; the objects that take every backup: CloudNativePG clusters with scheduled backups, Velero schedules, snapshot schedules and snapshot CronJobs",
  generate,
};
