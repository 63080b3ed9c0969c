/**
 * What each platform component's chart provides to the rest of the tree (CRDs, StorageClasses, a
 * Service) and what its values make it consume (existing Secrets, StorageClasses, an identity, DNS
 * credentials, load-balancer addresses). The deploy graph is built from these.
 */
import type { ModelCluster, ModelComponent, ModelProfile, SpecPath } from "../model.js";
import { EXTERNAL_DNS_CREDENTIALS_SECRET } from "./components.js";
import { deployKey } from "./deploy-keys.js";

export interface ComponentNeed {
  resource: string;
  /** Path inside the component's values (or [] for the component itself). */
  valuesPath: (string | number)[];
  why: string;
}

/** Custom resource kinds (`<group>/<Kind>`) each component's chart installs the CRDs of. */
const COMPONENT_CRDS: Record<string, readonly string[]> = {
  "argo-rollouts": ["argoproj.io/Rollout", "argoproj.io/AnalysisTemplate"],
  "external-secrets": ["external-secrets.io/ExternalSecret", "external-secrets.io/SecretStore", "external-secrets.io/ClusterSecretStore", "external-secrets.io/ClusterExternalSecret"],
  "cert-manager": ["cert-manager.io/ClusterIssuer", "cert-manager.io/Certificate"],
  "cloudnative-pg": ["postgresql.cnpg.io/Cluster", "postgresql.cnpg.io/ScheduledBackup"],
  velero: ["velero.io/Schedule", "velero.io/Restore"],
  monitoring: ["monitoring.coreos.com/ServiceMonitor", "monitoring.coreos.com/PodMonitor", "monitoring.coreos.com/PrometheusRule"],
  metallb: ["metallb.io/IPAddressPool", "metallb.io/L2Advertisement"],
  "envoy-gateway": ["gateway.networking.k8s.io/GatewayClass", "gateway.networking.k8s.io/Gateway", "gateway.networking.k8s.io/HTTPRoute"],
  keda: ["keda.sh/ScaledObject"],
  longhorn: ["longhorn.io/Volume"],
  "redis-operator": ["redis.redis.opstreelabs.in/Redis", "redis.redis.opstreelabs.in/RedisReplication"],
  "opensearch-operator": ["opensearch.opster.io/OpenSearchCluster"],
  snapscheduler: ["snapscheduler.backube/SnapshotSchedule"],
};

/** The CRDs ArgoCD itself brings (installed by the bootstrap stack). */
export const ARGOCD_CRDS = ["argoproj.io/Application", "argoproj.io/AppProject", "argoproj.io/ApplicationSet"] as const;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** StorageClasses a provisioner component creates with its chart's defaults (or the name its values give). */
function storageClassesOf(component: ModelComponent): string[] {
  switch (component.name) {
    case "longhorn":
      return ["longhorn"];
    case "openebs":
      // OpenEBS 4 creates its hostpath class by default; LVM and ZFS classes need a volume group first.
      return ["openebs-hostpath"];
    case "nfs-provisioner": {
      const storageClass = component.values.storageClass;
      const name = isRecord(storageClass) && typeof storageClass.name === "string" ? storageClass.name : "nfs-client";
      return [name];
    }
    default:
      return [];
  }
}

/** What a component's Application brings; its namespace only when plinth does not manage that namespace itself. */
export function componentProvides(cluster: ModelCluster, component: ModelComponent): string[] {
  return [
    ...(cluster.namespaces.includes(component.namespace) || cluster.componentNamespaces.includes(component.namespace) ? [] : [deployKey.namespace(cluster.name, component.namespace)]),
    ...(COMPONENT_CRDS[component.name] ?? []).map((kind) => deployKey.crd(cluster.name, kind)),
    ...storageClassesOf(component).map((name) => deployKey.storageClass(cluster.name, name)),
    ...(component.name === "vault" ? [deployKey.service(cluster.name, component.namespace, "vault")] : []),
  ];
}

/**
 * What a component's values make it consume, found by walking them: `existingSecret` and
 * Alertmanager's `secrets` name Secrets in the component's namespace, `storageClass(Name)` a class.
 * A chart that reads a class or a Secret by another key is listed by name below.
 */
function valuesNeeds(cluster: ModelCluster, component: ModelComponent): ComponentNeed[] {
  const needs: ComponentNeed[] = [];
  const walk = (value: unknown, path: (string | number)[]) => {
    if (Array.isArray(value)) return value.forEach((item, i) => walk(item, [...path, i]));
    if (!isRecord(value)) return;
    for (const [key, child] of Object.entries(value)) {
      const here = [...path, key];
      if (key === "existingSecret" && typeof child === "string" && child !== "") {
        needs.push({ resource: deployKey.secret(cluster.name, component.namespace, child), valuesPath: here, why: `${component.name} reads Secret ${child}` });
      } else if ((key === "storageClass" || key === "storageClassName") && typeof child === "string" && child !== "" && child !== "-") {
        needs.push({ resource: deployKey.storageClass(cluster.name, child), valuesPath: here, why: `${component.name} stores data on StorageClass ${child}` });
      } else if (key === "secrets" && path[path.length - 1] === "alertmanagerSpec" && Array.isArray(child)) {
        child.forEach((name, i) => {
          if (typeof name === "string") needs.push({ resource: deployKey.secret(cluster.name, component.namespace, name), valuesPath: [...here, i], why: `Alertmanager mounts Secret ${name}` });
        });
      } else {
        walk(child, here);
      }
    }
  };
  walk(component.values, []);
  return needs;
}

/** Volumes a chart claims by default, on the cluster's default StorageClass unless its values name one. */
const DEFAULT_CLASS_CLAIMS: Record<string, (string | number)[][]> = {
  vault: [["server", "dataStorage", "storageClass"]],
  loki: [["singleBinary", "persistence", "storageClass"]],
};

export function componentNeeds(cluster: ModelCluster, profile: ModelProfile, component: ModelComponent): ComponentNeed[] {
  const needs = valuesNeeds(cluster, component);
  const valueAt = (path: (string | number)[]) => path.reduce<unknown>((v, k) => (isRecord(v) || Array.isArray(v) ? (v as Record<string | number, unknown>)[k] : undefined), component.values);
  for (const path of DEFAULT_CLASS_CLAIMS[component.name] ?? []) {
    if (valueAt(path) === undefined) needs.push({ resource: deployKey.defaultStorageClass(cluster.name), valuesPath: [], why: `${component.name} claims a volume on the default StorageClass` });
  }
  switch (component.name) {
    case "velero": {
      const credentials = component.values.credentials;
      if (isRecord(credentials) && credentials.useSecret === false && profile.objectStorage.provider === "s3") {
        const sa = cluster.veleroServiceAccount;
        needs.push({ resource: deployKey.identity(cluster.name, sa.namespace, sa.name), valuesPath: ["credentials"], why: "Velero writes to S3 as its service account's IAM role" });
      }
      break;
    }
    case "external-dns":
      needs.push(
        profile.dns.provider === "route53"
          ? { resource: deployKey.identity(cluster.name, component.namespace, "external-dns"), valuesPath: [], why: `external-dns updates Route53 zone ${profile.dns.zone} as its IAM role` }
          : {
              resource: deployKey.secret(cluster.name, component.namespace, EXTERNAL_DNS_CREDENTIALS_SECRET),
              valuesPath: [],
              why: `external-dns reads its ${profile.dns.provider} API credentials for zone ${profile.dns.zone} from Secret ${EXTERNAL_DNS_CREDENTIALS_SECRET}`,
            },
      );
      // The gateway-httproute source fails until the HTTPRoute CRD exists.
      if (cluster.gateway) needs.push({ resource: deployKey.crd(cluster.name, "gateway.networking.k8s.io/HTTPRoute"), valuesPath: ["sources"], why: "external-dns reads the hosts of HTTPRoutes" });
      break;
    case "cert-manager":
      // Its gateway-shim watches Gateways only if their CRDs exist when it starts.
      if (cluster.gateway && cluster.certificateIssuer) needs.push({ resource: deployKey.crd(cluster.name, "gateway.networking.k8s.io/Gateway"), valuesPath: ["config", "enableGatewayAPI"], why: "cert-manager issues the Gateway's certificates" });
      break;
    case "snapscheduler":
      // It creates VolumeSnapshots: the CSI snapshot CRDs and their controller must be there (the EKS add-on, or a prerequisite).
      needs.push({ resource: deployKey.crd(cluster.name, "snapshot.storage.k8s.io/VolumeSnapshot"), valuesPath: [], why: "SnapScheduler creates VolumeSnapshots" });
      break;
    case "ingress-nginx":
    case "envoy-gateway":
      needs.push({ resource: deployKey.ipPool(cluster.name), valuesPath: [], why: `${component.name} exposes a LoadBalancer Service` });
      break;
  }
  return needs;
}

/** The spec path of a component entry (for locating its needs). */
export function componentAt(cluster: ModelCluster, component: ModelComponent): SpecPath {
  return component.at ?? cluster.at;
}
