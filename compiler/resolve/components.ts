import type { ModelBackup, ModelBucket, ModelCluster, ModelComponent, ModelExternalSecret, ModelProfile, ModelSecretStore } from "../model.js";

type Values = Record<string, unknown>;

interface CatalogEntry {
  /** Chart repository; an OCI registry is written without a scheme (`registry/namespace`), as Argo CD 2.x expects. */
  repoURL: string;
  chart: string;
  version: string;
  namespace: string;
  /** Values every install of the component needs; the cluster's defaults and the user's values go over them. */
  values?: Values;
}

/**
 * Argo CD has not assessed an Application's health since 1.8, so an app-of-apps would not wait for
 * a child Application of an earlier sync wave to become healthy. This restores the check (the Lua of
 * the Argo CD health documentation) through argocd-cm.
 */
export const APPLICATION_HEALTH_KEY = "resource.customizations.health.argoproj.io_Application";
const APPLICATION_HEALTH_LUA = `hs = {}
hs.status = "Progressing"
hs.message = ""
if obj.status ~= nil then
  if obj.status.health ~= nil then
    hs.status = obj.status.health.status
    if obj.status.health.message ~= nil then
      hs.message = obj.status.health.message
    end
  end
end
return hs
`;

/**
 * kube-prometheus-stack names its objects after `kube-prometheus-stack.fullname` (the release name
 * plus the chart name, cut to 26 characters: `monitoring-kube-prometheus` for release `monitoring`).
 * Fixing it makes the Prometheus Service `kube-prometheus-stack-prometheus` whatever the release is
 * called, the address analyses use: `http://kube-prometheus-stack-prometheus.<namespace>.svc:9090`.
 */
export const MONITORING_FULLNAME = "kube-prometheus-stack";

/** The Velero object-store and EBS plugin; v1.11.x is the line for Velero 1.15 (velero chart 8.1.0). */
export const VELERO_AWS_PLUGIN_IMAGE = "velero/velero-plugin-for-aws:v1.11.0";
/**
 * Velero on MinIO reads its credentials from this Secret in its namespace: key `cloud`, an AWS
 * credentials file for the MinIO user. plinth never writes credentials, so it is created out of band.
 */
export const VELERO_MINIO_CREDENTIALS_SECRET = "velero-s3-credentials";

/** Pinned charts of the platform components plinth knows how to install. */
export const COMPONENT_CATALOG: Record<string, CatalogEntry> = {
  argocd: {
    repoURL: "https://argoproj.github.io/argo-helm",
    chart: "argo-cd",
    version: "7.7.11",
    namespace: "argocd",
    values: { configs: { cm: { [APPLICATION_HEALTH_KEY]: APPLICATION_HEALTH_LUA } } },
  },
  "argo-rollouts": { repoURL: "https://argoproj.github.io/argo-helm", chart: "argo-rollouts", version: "2.38.0", namespace: "argo-rollouts" },
  "external-secrets": { repoURL: "https://charts.external-secrets.io", chart: "external-secrets", version: "0.19.2", namespace: "external-secrets" },
  // Since v1.15 the chart installs its CRDs only when asked (crds.enabled replaced installCRDs).
  "cert-manager": { repoURL: "https://charts.jetstack.io", chart: "cert-manager", version: "v1.16.2", namespace: "cert-manager", values: { crds: { enabled: true } } },
  "ingress-nginx": { repoURL: "https://kubernetes.github.io/ingress-nginx", chart: "ingress-nginx", version: "4.11.3", namespace: "ingress-nginx" },
  // Published only as an OCI artifact (oci://docker.io/envoyproxy/gateway-helm); Docker Hub's registry host is registry-1.docker.io.
  "envoy-gateway": { repoURL: "registry-1.docker.io/envoyproxy", chart: "gateway-helm", version: "v1.2.4", namespace: "envoy-gateway-system" },
  "external-dns": { repoURL: "https://kubernetes-sigs.github.io/external-dns", chart: "external-dns", version: "1.15.0", namespace: "external-dns" },
  velero: { repoURL: "https://vmware-tanzu.github.io/helm-charts", chart: "velero", version: "8.1.0", namespace: "velero" },
  "cloudnative-pg": { repoURL: "https://cloudnative-pg.github.io/charts", chart: "cloudnative-pg", version: "0.22.1", namespace: "cnpg-system" },
  monitoring: {
    repoURL: "https://prometheus-community.github.io/helm-charts",
    chart: "kube-prometheus-stack",
    version: "66.3.1",
    namespace: "monitoring",
    // By default Prometheus selects only monitors labelled with this chart's release; these select
    // every ServiceMonitor and PodMonitor, so the ones plinth-service creates for a `metrics` port
    // are scraped (and the analyses that gate rollouts have data).
    values: {
      fullnameOverride: MONITORING_FULLNAME,
      prometheus: { prometheusSpec: { serviceMonitorSelectorNilUsesHelmValues: false, podMonitorSelectorNilUsesHelmValues: false } },
    },
  },
  // Loki 6 renders nothing without a schema and storage: one replica of the single binary on its own
  // volume (filesystem chunks, TSDB index), single tenant, without the memcached caches that request
  // gigabytes of memory by default.
  loki: {
    repoURL: "https://grafana.github.io/helm-charts",
    chart: "loki",
    version: "6.22.0",
    namespace: "monitoring",
    values: {
      deploymentMode: "SingleBinary",
      loki: {
        auth_enabled: false,
        commonConfig: { replication_factor: 1 },
        storage: { type: "filesystem" },
        schemaConfig: {
          configs: [{ from: "2024-04-01", store: "tsdb", object_store: "filesystem", schema: "v13", index: { prefix: "loki_index_", period: "24h" } }],
        },
      },
      singleBinary: { replicas: 1 },
      read: { replicas: 0 },
      write: { replicas: 0 },
      backend: { replicas: 0 },
      chunksCache: { enabled: false },
      resultsCache: { enabled: false },
    },
  },
  vault: { repoURL: "https://helm.releases.hashicorp.com", chart: "vault", version: "0.29.1", namespace: "vault" },
  metallb: { repoURL: "https://metallb.github.io/metallb", chart: "metallb", version: "0.14.8", namespace: "metallb-system" },
  openebs: { repoURL: "https://openebs.github.io/openebs", chart: "openebs", version: "4.1.1", namespace: "openebs" },
  "nfs-provisioner": { repoURL: "https://kubernetes-sigs.github.io/nfs-subdir-external-provisioner", chart: "nfs-subdir-external-provisioner", version: "4.0.18", namespace: "nfs-provisioner" },
  longhorn: { repoURL: "https://charts.longhorn.io", chart: "longhorn", version: "1.7.2", namespace: "longhorn-system" },
  keda: { repoURL: "https://kedacore.github.io/charts", chart: "keda", version: "2.16.0", namespace: "keda" },
  crossplane: { repoURL: "https://charts.crossplane.io/stable", chart: "crossplane", version: "1.18.1", namespace: "crossplane-system" },
  // Data-service operators (compiler/resolve/data-engines.ts): Redis by OT-Container-Kit's operator,
  // OpenSearch by the OpenSearch project's. Each chart installs its CRDs.
  "redis-operator": { repoURL: "https://ot-container-kit.github.io/helm-charts", chart: "redis-operator", version: "0.26.0", namespace: "redis-operator" },
  "opensearch-operator": {
    repoURL: "https://opensearch-project.github.io/opensearch-k8s-operator",
    chart: "opensearch-operator",
    version: "2.8.0",
    namespace: "opensearch-operator-system",
  },
  // Takes VolumeSnapshots of the PVCs a SnapshotSchedule selects, on its cron, and deletes them after its retention.
  snapscheduler: { repoURL: "https://backube.github.io/helm-charts", chart: "snapscheduler", version: "3.5.0", namespace: "backube-snapscheduler" },
};

/** A component with the catalog's values under the user's (the user wins). */
export function resolveComponent(input: string | { name: string; version?: string; namespace?: string; values?: Record<string, unknown> }): ModelComponent {
  const spec = typeof input === "string" ? { name: input } : input;
  const entry = COMPONENT_CATALOG[spec.name]!;
  return {
    name: spec.name,
    namespace: spec.namespace ?? entry.namespace,
    chart: { repoURL: entry.repoURL, name: entry.chart, version: spec.version ?? entry.version },
    values: mergeValues(entry.values ?? {}, spec.values ?? {}),
  };
}

/** What a component's cluster-specific defaults are computed from. */
export interface ComponentContext {
  platformName: string;
  cluster: ModelCluster;
  profile: ModelProfile;
  backups: readonly ModelBackup[];
  buckets: readonly ModelBucket[];
  externalSecrets: readonly ModelExternalSecret[];
  secretStores: readonly ModelSecretStore[];
}

/**
 * The cluster's components (and the ArgoCD the bootstrap installs) with the defaults that depend on
 * the rest of the Model: buckets, the profile's adapters and the service accounts the IRSA roles
 * trust. They go under the values already there, so the user's values still win.
 */
export function withClusterDefaults(context: ComponentContext): { components: ModelComponent[]; argocd: ModelComponent } {
  const complete = (component: ModelComponent): ModelComponent => {
    const defaults = clusterDefaults(component, context);
    return defaults === undefined ? component : { ...component, values: mergeValues(defaults, component.values) };
  };
  return { components: context.cluster.components.map(complete), argocd: complete(context.cluster.argocd) };
}

function clusterDefaults(component: ModelComponent, context: ComponentContext): Values | undefined {
  switch (component.name) {
    case "argocd":
      return argocdDefaults(context);
    case "velero":
      return veleroDefaults(context);
    case "external-secrets":
      return externalSecretsDefaults(context);
    case "external-dns":
      return externalDnsDefaults(context);
    case "cert-manager":
      return certManagerDefaults(context);
    case "loki":
      return { singleBinary: { persistence: { storageClass: context.profile.storageClass } } };
    default:
      return undefined;
  }
}

/**
 * Helm repositories on an OCI registry, declared to ArgoCD with enableOCI (the argo-cd chart makes a
 * repository Secret `argocd-repo-<key>` of each entry; its values must be strings).
 */
function argocdDefaults({ cluster }: ComponentContext): Values | undefined {
  const oci = cluster.components.filter((c) => c.name !== "argocd" && !c.chart.repoURL.includes("://"));
  if (oci.length === 0) return undefined;
  const repositories = Object.fromEntries(oci.map((c) => [c.name, { name: c.name, type: "helm", url: c.chart.repoURL, enableOCI: "true" }]));
  return { configs: { repositories } };
}

/**
 * Velero with the AWS plugin, which speaks to S3 and to MinIO alike. One BackupStorageLocation per
 * bucket and prefix the cluster's Velero backups write to (the first is the default), else the
 * cluster's backup bucket. On S3 it authenticates with its workload identity (EKS Pod Identity, or an
 * IRSA annotation elsewhere) and snapshots EBS volumes; on MinIO through a credentials Secret, with the
 * node agent copying volume data to the bucket (file-system backup), so a volume's copy leaves its storage.
 */
function veleroDefaults({ cluster, profile, backups, buckets }: ComponentContext): Values {
  const onS3 = profile.objectStorage.provider === "s3";
  const region = cluster.region ?? profile.region;
  const written = backups.filter((b) => b.method === "velero" && b.cluster === cluster.name && b.bucket !== undefined);
  const fallback = buckets.filter((b) => b.cluster === cluster.name).slice(0, 1);
  const locations = [
    ...new Map(
      (written.length > 0 ? written.map((b) => ({ bucket: b.bucket!, prefix: b.prefix })) : fallback.map((b) => ({ bucket: b.name, prefix: "velero" }))).map((l) => [
        `${l.bucket}/${l.prefix}`,
        l,
      ]),
    ).values(),
  ];
  const config: Record<string, string> = onS3
    ? { ...(region !== undefined && { region }) }
    : // The plugin needs a region with path-style addressing; MinIO accepts any.
      { region: "minio", s3ForcePathStyle: "true", ...(profile.objectStorage.endpoint !== undefined && { s3Url: profile.objectStorage.endpoint }) };
  const roleArn = cluster.workloadIdentities.find((i) => i.purpose === "velero")?.roleArn;
  return {
    initContainers: [
      { name: "velero-plugin-for-aws", image: VELERO_AWS_PLUGIN_IMAGE, imagePullPolicy: "IfNotPresent", volumeMounts: [{ mountPath: "/target", name: "plugins" }] },
    ],
    backupsEnabled: locations.length > 0,
    snapshotsEnabled: onS3,
    // Without EBS snapshots, volume data is copied file by file by the node agent (file-system backup to the bucket).
    deployNodeAgent: !onS3,
    configuration: {
      backupStorageLocation: locations.map((l, i) => ({
        name: i === 0 ? "default" : `${l.bucket}-${l.prefix}`.replace(/[^a-z0-9-]+/g, "-"),
        provider: "aws",
        bucket: l.bucket,
        prefix: l.prefix,
        default: i === 0,
        config,
      })),
      ...(onS3 && { volumeSnapshotLocation: [{ name: "default", provider: "aws", config: { ...(region !== undefined && { region }) } }] }),
    },
    credentials: onS3 ? { useSecret: false } : { useSecret: true, existingSecret: VELERO_MINIO_CREDENTIALS_SECRET },
    serviceAccount: {
      server: { name: cluster.veleroServiceAccount.name, ...(roleArn !== undefined && { annotations: { "eks.amazonaws.com/role-arn": roleArn } }) },
    },
  };
}

/** External Secrets as the service account Vault's role trusts; annotated when its AWS identity is IRSA. */
function externalSecretsDefaults({ cluster }: ComponentContext): Values {
  const roleArn = cluster.workloadIdentities.find((i) => i.purpose === "external-secrets")?.roleArn;
  return {
    serviceAccount: {
      name: cluster.externalSecretsServiceAccount.name,
      ...(roleArn !== undefined && { annotations: { "eks.amazonaws.com/role-arn": roleArn } }),
    },
  };
}

/**
 * cert-manager's gateway-shim (off by default) issues the certificates of a Gateway's HTTPS
 * listeners, as its ingress-shim does for Ingresses.
 */
function certManagerDefaults({ cluster }: ComponentContext): Values | undefined {
  if (!cluster.gateway || !cluster.certificateIssuer) return undefined;
  return { config: { apiVersion: "controller.config.cert-manager.io/v1alpha1", kind: "ControllerConfiguration", enableGatewayAPI: true } };
}

/** Secret external-dns reads its DNS provider's API credentials from (cloudflare, powerdns), in its namespace. */
export const EXTERNAL_DNS_CREDENTIALS_SECRET = "external-dns-credentials";

/**
 * external-dns for the profile's DNS adapter: its provider, the zone as domain filter, an owner id per
 * cluster (TXT records, so clusters sharing a zone never delete each other's records) and its
 * credentials: the workload identity on Route53, an API token or key from a Secret otherwise.
 */
function externalDnsDefaults({ cluster, profile, platformName }: ComponentContext): Values {
  const fromSecret = (env: string, key: string) => ({ name: env, valueFrom: { secretKeyRef: { name: EXTERNAL_DNS_CREDENTIALS_SECRET, key } } });
  const common = {
    domainFilters: [profile.dns.zone],
    txtOwnerId: `${platformName}-${cluster.name}`,
    policy: "sync",
    // The chart's default sources, and the HTTPRoutes whose hosts the Gateway serves.
    ...(cluster.gateway && { sources: ["service", "ingress", "gateway-httproute"] }),
  };
  switch (profile.dns.provider) {
    case "route53": {
      const roleArn = cluster.workloadIdentities.find((i) => i.purpose === "external-dns")?.roleArn;
      const region = cluster.region ?? profile.region;
      return {
        ...common,
        provider: { name: "aws" },
        ...(region !== undefined && { env: [{ name: "AWS_DEFAULT_REGION", value: region }] }),
        serviceAccount: { name: "external-dns", ...(roleArn !== undefined && { annotations: { "eks.amazonaws.com/role-arn": roleArn } }) },
      };
    }
    case "cloudflare":
      return { ...common, provider: { name: "cloudflare" }, env: [fromSecret("CF_API_TOKEN", "api-token")] };
    case "powerdns":
      return {
        ...common,
        provider: { name: "pdns" },
        ...(profile.dns.endpoint !== undefined && { extraArgs: [`--pdns-server=${profile.dns.endpoint}`] }),
        env: [fromSecret("EXTERNAL_DNS_PDNS_API_KEY", "api-key")],
      };
  }
}

const isValues = (value: unknown): value is Values => typeof value === "object" && value !== null && !Array.isArray(value);

/** Helm's merge of two values files: maps merge key by key, anything else in `over` replaces. */
export function mergeValues(base: Values, over: Values): Values {
  const out: Values = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] = isValues(current) && isValues(value) ? mergeValues(current, value) : value;
  }
  return out;
}

/** Default Compose image and port per data-service engine. */
export const ENGINE_DEFAULTS: Record<string, { image: (version: string) => string; port: number }> = {
  postgres: { image: (v) => `postgres:${v}-alpine`, port: 5432 },
  redis: { image: (v) => `redis:${v}-alpine`, port: 6379 },
  nats: { image: (v) => `nats:${v}-alpine`, port: 4222 },
  opensearch: { image: (v) => `opensearchproject/opensearch:${v}`, port: 9200 },
  minio: { image: (v) => `minio/minio:${v}`, port: 9000 },
  vault: { image: (v) => `hashicorp/vault:${v}`, port: 8200 },
};
