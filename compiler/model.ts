/**
 * The Model: what resolve makes of a validated Spec. Plain, fully explicit data: every default is
 * applied and every reference resolved here, so targets never compute a default or build a shared
 * name from parts. `at` is the spec path an entity came from, for diagnostics.
 */
import type { LockedReleases } from "../spec/releases.js";
export type SpecPath = readonly (string | number)[];

export type Tier = "lite" | "standard" | "full";
export type Cloud = "aws" | "onprem";

export interface ModelPlatform {
  name: string;
  organisation: string;
  domain?: string;
  repositories: { app: string; gitops: string; infra: string; monorepo: boolean };
  revision: string;
  /** Folder of the generated tree inside the GitOps repository ("." = its root). */
  gitopsPath: string;
  decisions: { id: string; title: string; decision?: string }[];
}

/** Where OpenTofu keeps state: an S3 bucket (with S3-native locking), an HTTP endpoint, or a local file. */
export type ModelStateBackend = ({ type: "s3"; bucket: string; region: string; key: string } | { type: "http"; address: string } | { type: "local"; path: string }) & {
  /** OpenTofu state and plan encryption (pbkdf2 from the `state_passphrase` variable), for state that holds credentials. */
  encrypted?: boolean;
};

export interface ModelProfile {
  name: string;
  cloud: Cloud;
  region?: string;
  /** AWS account id (aws), when the spec gives it: IRSA role ARNs are built from it. */
  accountId?: string;
  dns: { provider: "route53" | "cloudflare" | "powerdns"; zone: string; endpoint?: string; credentials?: { store: string; key: string; property?: string } };
  secrets: { backend: "aws-secrets-manager" | "vault" | "kubernetes"; address?: string };
  objectStorage: { provider: "s3" | "minio"; endpoint?: string; credentialsStore?: string };
  registry: { provider: "ecr" | "harbor" | "ghcr"; url: string; credentials?: { store: string; key: string; property?: string } };
  storageClass: string;
  volumeGroup?: string;
  stateBackend: ModelStateBackend;
  at: SpecPath;
}

export interface ModelComponent {
  name: string;
  namespace: string;
  chart: { repoURL: string; name: string; version: string };
  values: Record<string, unknown>;
  /** The spec entry that installs it (absent for ArgoCD when the bootstrap installs its default). */
  at?: SpecPath;
}

export interface ModelCluster {
  name: string;
  profile: string;
  cloud: Cloud;
  kind: "eks" | "k3s" | "existing";
  region?: string;
  kubernetesVersion: string;
  nodePools: { name: string; instanceType?: string; min: number; max: number; labels: Record<string, string> }[];
  capacity: { cpu: string; memory: string; cpuCores: number; memoryBytes: number; overcommit?: { reason: string } };
  components: ModelComponent[];
  argocdNamespace: string;
  loadBalancerIPs: Record<string, string>;
  /**
   * Namespaces of platform components that plinth itself creates (a Namespace object in the first
   * wave) because it puts objects there the component reads, e.g. external-dns's credentials Secret.
   */
  componentNamespaces: string[];
  /** MetalLB address pools the kubernetes target creates (with an L2Advertisement), in the metallb component's namespace. */
  ipPools: { name: string; addresses: string[]; namespace: string }[];
  /** StorageClasses plinth creates for the profile's storage adapter (EBS gp3 on EKS, OpenEBS LVM). */
  storageClasses: ModelStorageClass[];
  /**
   * The VolumeSnapshotClass plinth creates for the profile's CSI driver when a volume-snapshot backup
   * needs one; `offStorage` when the driver's snapshots live outside the volume's storage (EBS).
   */
  volumeSnapshotClass?: { name: string; driver: string; parameters: Record<string, string>; offStorage: boolean };
  /** Kubernetes API address ArgoCD deploys to. */
  server: string;
  /** Names of the namespaces plinth manages on this cluster, sorted. */
  namespaces: string[];
  /** OpenTofu stack folders under opentofu/: cloud infrastructure, then cluster bootstrap. */
  /**
   * OpenTofu stack folders under opentofu/: cloud infrastructure, cluster bootstrap, and in-cluster
   * configuration (Vault auth, policies and mounts), which applies once the services it configures run.
   */
  stacks: { infra: string; bootstrap: string; config: string };
  /** IAM role names (aws) shared by the opentofu and kubernetes targets. */
  iam: { externalSecretsRole: string; veleroRole: string };
  /** Service account External Secrets runs as. */
  externalSecretsServiceAccount: { name: string; namespace: string };
  /**
   * Service account the Velero server runs as (IRSA trust of iam.veleroRole), in the velero component's
   * namespace: `velero-server`, the chart's own name for it in a release named `velero`.
   */
  veleroServiceAccount: { name: string; namespace: string };
  /**
   * The cloud identities of the pods that call AWS (External Secrets, Velero, external-dns, database
   * backups), each bound to one service account. The infra stack creates each role and its binding;
   * with `irsa` the role ARN goes into the manifest, so it exists only when the profile names its
   * account (roleArn). Empty on clusters that call no AWS API.
   */
  workloadIdentities: ModelWorkloadIdentity[];
  /** Prefix of the cloud resources provisioned for this cluster (EKS cluster name, VPC, KMS alias, node roles). */
  resourcePrefix: string;
  /** State of each OpenTofu stack: the profile's backend, one state per stack. */
  stateBackends: { infra: ModelStateBackend; bootstrap: ModelStateBackend; config: ModelStateBackend };
  /** ArgoCD as the bootstrap stack installs it: the cluster's `argocd` component or the pinned default, in argocdNamespace. */
  argocd: ModelComponent;
  /** Name of the ArgoCD app-of-apps (argocd target, bootstrap stack and restore runbook). */
  rootApplication: string;
  /** Sync policy of the root application and of the platform applications it owns. */
  rootSync: { automated: boolean; prune: boolean; selfHeal: boolean };
  /** AppProject of the platform applications: components and the kubernetes/<cluster> tree. */
  platformProject: string;
  /** Folders of this cluster's generated trees inside the GitOps repository (gitopsPath applied). */
  gitopsPaths: { argocd: string; kubernetes: string };
  /** IngressClass of the cluster's ingress controller, when plinth knows it. */
  ingressClassName?: string;
  /**
   * The image pull Secret of the profile's registry (registry.credentials), made in every environment
   * namespace of the cluster (previews too) by one ClusterExternalSecret.
   */
  registryPull?: { secretName: string; host: string; store: string; key: string; at: SpecPath };
  /**
   * The cert-manager ClusterIssuer that signs ingress certificates (spec `certificates`, on clusters
   * that install cert-manager and serve an Ingress class): the kubernetes target creates it, Helm
   * values name it in the ingress annotation.
   */
  certificateIssuer?: ModelCertificateIssuer;
  /**
   * The Gateway API entry of a cluster that installs a Gateway API implementation (envoy-gateway):
   * services' routes attach to this Gateway instead of an Ingress (kubernetes target: GatewayClass
   * and Gateway; Helm values: httpRoute).
   */
  gateway?: ModelGateway;
  at: SpecPath;
}

/** How a ClusterIssuer answers ACME HTTP-01 challenges: through an Ingress class, or an HTTPRoute on the cluster's Gateway. */
export interface ModelCertificateIssuer {
  name: string;
  server: string;
  email: string;
  solver: { ingressClassName: string } | { gateway: { name: string; namespace: string } };
}

export interface ModelGateway {
  name: string;
  /** Namespace of the Gateway: the implementation's own (envoy-gateway runs the proxy there). */
  namespace: string;
  gatewayClass: { name: string; controllerName: string };
  /**
   * `http` (port 80, every host: ACME challenges and hosts without a certificate) and one HTTPS
   * listener per environment host that cert-manager can certify (no wildcard over HTTP-01), its
   * certificate in `secretName` in the Gateway's namespace.
   */
  listeners: ModelGatewayListener[];
  /** The HTTPRoute (in the Gateway's namespace) that redirects the HTTPS listeners' hosts from `http` to HTTPS; absent without them. */
  redirectRoute?: string;
}

export interface ModelGatewayListener {
  name: string;
  protocol: "HTTP" | "HTTPS";
  port: number;
  hostname?: string;
  secretName?: string;
}

export interface ModelStorageClass {
  name: string;
  provisioner: string;
  parameters: Record<string, string>;
  /** Marked as the cluster's default class. */
  isDefault: boolean;
}

export interface ModelWorkloadIdentity {
  /** IAM role name (unique per cluster; also the OpenTofu label once made HCL-safe). */
  role: string;
  serviceAccount: { name: string; namespace: string };
  /** What the role may do. */
  purpose: "external-secrets" | "velero" | "external-dns" | "database-backup" | "backup-job";
  /**
   * `pod-identity`: EKS Pod Identity (an association in the infra stack, nothing in the manifests);
   * `irsa`: the service account is annotated with the role ARN (components that support only IRSA,
   * clusters that are not EKS).
   */
  mechanism: "pod-identity" | "irsa";
  /** irsa: the ARN written into the manifest; absent when the profile has no accountId. */
  roleArn?: string;
  /** database-backup, backup-job (a snapshot CronJob): the bucket and prefix it writes. */
  bucket?: string;
  prefix?: string;
}

export interface ModelQuota {
  cpu?: string;
  memory?: string;
  pods?: number;
  cpuCores?: number;
  memoryBytes?: number;
}

export interface ModelPeer {
  namespace?: string;
  cidr?: string;
  /** TCP ports the peer is reachable on (cidr peers); all ports when absent. */
  ports?: number[];
}

export interface ModelNamespace {
  name: string;
  cluster: string;
  purpose?: string;
  team?: string;
  /** Environment living in this namespace, if any. */
  environment?: string;
  quota?: ModelQuota;
  limitRange?: { default?: { cpu?: string; memory?: string }; defaultRequest?: { cpu?: string; memory?: string } };
  networkPolicy?: {
    defaultDeny: boolean;
    allowFrom: ModelPeer[];
    allowEgressTo: ModelPeer[];
    allowDns: boolean;
    /** Egress is denied too: default deny with an egress allow-list (otherwise egress stays open). */
    denyEgress: boolean;
  };
  podSecurity: "privileged" | "baseline" | "restricted";
  labels: Record<string, string>;
  at: SpecPath;
}

export type ModelScale =
  | { kind: "fixed"; replicas: number }
  | { kind: "autoscale"; min: number; max: number; targetCPU: number };

export interface ModelPreview {
  repository: string;
  owner: string;
  repo: string;
  namespacePrefix: string;
  labels: string[];
  requeueAfterSeconds: number;
  host?: string;
  /** The Secret (in ArgoCD's namespace) and key holding the GitHub token the generator lists pull requests with. */
  token?: { secret: string; key: string };
}

export interface ModelEnvironment {
  name: string;
  /** Position in the ladder, 0-based, in spec order. */
  index: number;
  runtime: "kubernetes" | "compose";
  cluster?: string;
  namespace?: string;
  dataNamespace?: string;
  /** On the promotion path (kubernetes, not a preview). */
  promotable: boolean;
  promoteFrom?: string;
  production: boolean;
  sync: "auto" | "manual";
  prune: boolean;
  selfHeal: boolean;
  approval: "none" | "pr" | "pr+manual";
  scale: ModelScale;
  tier: Tier;
  hosts: string[];
  featureFlags: Record<string, boolean | string>;
  secrets?: { store: string; prefix: string };
  rollout?: string;
  data: "fixtures" | "synthetic" | "anonymized" | "production";
  preview?: ModelPreview;
  recovery?: { rto: string; rpo: string; rtoSeconds: number; rpoSeconds: number };
  restoreEstimates: Record<string, number>;
  /** Services and data services this environment runs (by its tier), sorted by name. */
  services: string[];
  dataServices: string[];
  at: SpecPath;
}

export interface ModelSecretRef {
  /** Undefined: each environment's own store (environments[].secrets), with its prefix. */
  store?: string;
  key: string;
  property?: string;
}

export interface ModelService {
  name: string;
  /** Full repository; for an image given by path, in the first profile's registry (Compose bundles pull it there). */
  image: string;
  /** The repository path inside each cluster profile's registry, when the spec gives the image that way. */
  imagePath?: string;
  /**
   * plinth-service (the default; written into the generated tree, so repoURL is the GitOps repository),
   * or the service's own chart: a path in a Git repository or a chart repository's chart.
   * targetRevision is the chart version (chart repository) or the Git revision (path in a repository).
   */
  chart: { kind: "plinth-service" | "path" | "repository"; repoURL: string; path?: string; name?: string; version?: string; targetRevision: string };
  ports: { name: string; port: number; protocol: "TCP" | "UDP"; expose: boolean }[];
  env: Record<string, string | number | boolean>;
  secretEnv: { name: string; ref: ModelSecretRef }[];
  resources?: { requests?: { cpu?: string; memory?: string }; limits?: { cpu?: string; memory?: string } };
  probes: { liveness?: ModelProbe; readiness?: ModelProbe };
  dependsOn: { services: string[]; dataServices: string[] };
  ingress?: { port: string; path: string };
  tiers: Tier[];
  command?: string[];
  /** Per-pod cache volumes (generic ephemeral volumes; each deployment names its StorageClass). */
  caches: { name: string; mountPath: string; size: string }[];
  /** Persistent per-replica volumes: the service runs as a StatefulSet. */
  state: { name: string; mountPath: string; size: string }[];
  /** Jobs run before each release, in order (migrations), in the service's image and environment. */
  preRelease: ModelJob[];
  /** Jobs run on a schedule (CronJobs). */
  cronJobs: (ModelJob & { schedule: string })[];
  /** The Job that loads fixture or synthetic data (each deployment decides where it runs). */
  seedData?: Omit<ModelJob, "name">;
  /** Environments the spec overrides it for (their effect is on each deployment). */
  overrideEnvironments: string[];
  at: SpecPath;
}

/** A Job run to completion in the service's image and environment. */
export interface ModelJob {
  name: string;
  command: string[];
  args?: string[];
  backoffLimit: number;
  activeDeadlineSeconds?: number;
}

export interface ModelProbe {
  path?: string;
  port: string;
  portNumber: number;
  periodSeconds: number;
  initialDelaySeconds: number;
}

/** One service in one Kubernetes environment: what helm values and ApplicationSets describe. */
export interface ModelDeployment {
  environment: string;
  service: string;
  cluster: string;
  /** Destination namespace; for previews the ApplicationSet fills in the pull request number. */
  namespace: string;
  releaseName: string;
  /** ArgoCD Application name; for previews `{number}` is the pull request number. */
  application: string;
  /** AppProject the Application belongs to ("default" when no project covers the namespace). */
  project: string;
  /** Path of the values file in the output tree, e.g. "helm/dev/api.values.yaml". */
  valuesPath: string;
  /** The same file's path inside the GitOps repository (gitopsPath applied). */
  valuesRepoPath: string;
  image: { repository: string; digest?: string };
  /** Image pull Secrets the pods name (the cluster's registryPull, when the image comes from that registry). */
  imagePullSecrets: string[];
  /** The chart this environment renders the service with, pinned where the release lock pins it. */
  chart: ModelDeploymentChart;
  scale: ModelScale;
  resources?: ModelService["resources"];
  env: Record<string, string | number | boolean>;
  featureFlags: Record<string, boolean | string>;
  hosts: string[];
  rollout?: string;
  /** Where its rollout was chosen: the service's override for the environment, or the environment. */
  rolloutAt?: SpecPath;
  /**
   * Values for the arguments the AnalysisTemplates of its rollout declare (ModelAnalysis.args), by
   * name: `service-name` is the Service the chart creates (the release name), `namespace` the
   * destination namespace, `environment` the environment. Present when the rollout runs analyses
   * with arguments; an argument plinth knows no value for is left out.
   */
  analysisArgs?: Record<string, string>;
  /** Name of the Kubernetes Secret holding this service's secret env, when it has any. */
  secretName?: string;
  /** The service's per-pod caches, each on the cluster profile's StorageClass. */
  caches: { name: string; mountPath: string; size: string; storageClass: string }[];
  /** Jobs run before each release here: the service's own, then its data seeding where the data policy asks for it. */
  preRelease: ModelJob[];
  /**
   * Previews: the preRelease Jobs run in Argo CD's Sync phase, in sync waves after the chart's
   * ExternalSecret and before the workload (the pull request's namespace has nothing before the sync).
   */
  preReleaseInSyncWaves: boolean;
  /** Its persistent per-replica volumes (a StatefulSet's claims), on the same StorageClass. */
  state: { name: string; mountPath: string; size: string; storageClass: string }[];
  /**
   * What the data services it uses give it (compiler/resolve/bindings.ts): plain variables, variables
   * from a key of a Secret in its namespace, and Secrets mounted as files (`<X>_FILE` points into them).
   */
  bindings: ModelBindings;
  /**
   * Previews only: the ExternalSecret the chart itself must create (the kubernetes target cannot,
   * since the pr-N namespace exists only while the pull request is open).
   */
  chartExternalSecret?: {
    store: string;
    storeKind: "ClusterSecretStore" | "SecretStore";
    refreshInterval: string;
    data: { secretKey: string; key: string; property?: string }[];
  };
}

export interface ModelBindings {
  env: { name: string; value?: string; secretKeyRef?: { name: string; key: string } }[];
  secretMounts: { secret: string; mountPath: string }[];
}

export interface ModelDeploymentChart {
  kind: ModelService["chart"]["kind"];
  repoURL: string;
  /** plinth-service: its version folder in the GitOps repository, helm/_charts/plinth-service/<version>. */
  path?: string;
  name?: string;
  targetRevision: string;
  /**
   * What the release lock records and `plinth promote` moves: the plinth-service or chart-repository
   * version, or the Git revision of a chart in a repository. From the lock when it has one, else the
   * newest plinth-service, the spec's chart version, or the platform revision (a branch).
   */
  version: string;
  /** Where version came from: a branch or "*" tracks whatever is newest. */
  pinned: boolean;
}

/** One version of plinth-service and its files (paths inside the chart folder). */
export interface ModelServiceChartVersion {
  version: string;
  files: { path: string; content: string }[];
}

export interface ModelDataService {
  name: string;
  engine: "postgres" | "redis" | "nats" | "opensearch" | "minio" | "vault";
  version: string;
  stateful: boolean;
  storage?: string;
  instances: number;
  tiers: Tier[];
  namespace?: string;
  resources?: ModelService["resources"];
  /** Image for Compose bundles. */
  composeImage: string;
  /**
   * Where it runs in Kubernetes, each with its own sizing (the data service's, or an environment's
   * override): its fixed namespace, or the data namespace of every environment that runs it.
   */
  placements: ModelDataPlacement[];
  /**
   * Its disposable copy in each preview environment that uses it: one per pull request, in the
   * pull request's namespace (`namespace` holds the `{number}` placeholder), reached by the Service's
   * short name, never backed up. Empty for an engine a platform component runs (vault): previews use
   * the cluster's.
   */
  previewPlacements: ModelDataPlacement[];
  /** Environments the spec sizes it for (their effect is on each placement). */
  overrideEnvironments: string[];
  /** postgres: the CloudNativePG operand image its Cluster runs (and a restore recreates it with). */
  cnpgImage?: string;
  /** Port the engine listens on. */
  port: number;
  /**
   * How it runs on Kubernetes (compiler/resolve/data-engines.ts): by an operator component's custom
   * resource, by a chart of its own (an Application per placement), or by a platform component.
   * Absent when plinth cannot deploy the engine on Kubernetes (minio): placing it there is an error.
   */
  kubernetes?: ModelDataRuntime;
  at: SpecPath;
}

export type ModelDataRuntime =
  /** A custom resource (data-engines.ts: dataCustomResource) the operator component reconciles. */
  | { kind: "operator"; component: string }
  /** A chart of the engine's own, one Application per placement (release = the data service's name). */
  | { kind: "chart"; chart: { repoURL: string; name: string; version: string } }
  /** The platform component of that name runs it in its namespace (vault). */
  | { kind: "component"; component: string };

export interface ModelDataPlacement {
  cluster: string;
  namespace: string;
  environment?: string;
  instances: number;
  storage?: string;
  resources?: ModelService["resources"];
  /**
   * How services reach it there: the Service's in-cluster host name and port, the database (postgres),
   * and the Secret the operator generates with its credentials (in this namespace), by key.
   */
  connection: ModelDataConnection;
}

export interface ModelDataConnection {
  host: string;
  port: number;
  database?: string;
  /** URL scheme clients use (opensearch: https, the operator's TLS). */
  scheme?: string;
  /** Secret in the data service's namespace, written by the operator; never by plinth. */
  secret?: { name: string; usernameKey: string; passwordKey: string };
}

export interface ModelSecretStore {
  name: string;
  kind: "ClusterSecretStore" | "SecretStore";
  backend: "vault" | "aws-secrets-manager" | "kubernetes";
  vault?: { server: string; mount: string; kvVersion: "v1" | "v2"; auth: { role: string; mountPath: string } };
  aws?: { region: string; roleName?: string };
  kubernetes?: { namespace: string };
  /**
   * Where it is created: every cluster (and for a SecretStore, every namespace) that reads it.
   * `vaultAuthMount` (vault stores): the Kubernetes auth mount of that cluster in Vault. Each cluster
   * has its own (`<auth.mountPath>-<cluster>`), since Vault reviews a cluster's tokens with that
   * cluster's API; the opentofu target creates it and the store's `auth.kubernetes.mountPath` names it.
   */
  placements: { cluster: string; namespace?: string; vaultAuthMount?: string }[];
  /**
   * vault stores: the cluster whose infra stack manages the KV mount (the first cluster, by name, that
   * reads any vault store on that mount); the others' stacks only read it.
   */
  mountOwner?: string;
  /**
   * aws-secrets-manager stores: every key an ExternalSecret (or a preview's chart) reads, with the
   * cluster whose infra stack creates the secret, without a value (the first reader, by name).
   */
  secretOwners?: { key: string; cluster: string }[];
  at: SpecPath;
}

export interface ModelExternalSecret {
  /** Name of the ExternalSecret and of the Kubernetes Secret it creates. */
  name: string;
  cluster: string;
  namespace: string;
  store: string;
  storeKind: "ClusterSecretStore" | "SecretStore";
  refreshInterval: string;
  rotation?: string;
  purpose?: string;
  environment?: string;
  service?: string;
  data: { secretKey: string; key: string; property?: string }[];
  /**
   * A copy of a Secret an operator writes in another namespace of the cluster (a data service's
   * credentials for a service in another namespace), read through a Kubernetes store: nobody writes
   * its secret path by hand, it exists once that Secret does.
   */
  copiesFrom?: { namespace: string; secret: string };
  /**
   * Labels of the Secret it writes: `argocd.argoproj.io/secret-type: scm-creds` on a preview's GitHub
   * token, which Argo CD's tokenRef strict mode requires of a Secret a pull-request generator reads.
   */
  secretLabels?: Record<string, string>;
  at: SpecPath;
}

/**
 * An object-storage user plinth creates for one consumer (MinIO: Velero, a database's WAL archive):
 * the infra stack creates it with access to its own prefix only, and the config stack places its keys
 * where the consumer's Secret comes from, so no key is ever handled by hand.
 */
export interface ModelObjectStoreUser {
  /** User name in the object store (also its access key id). */
  name: string;
  cluster: string;
  /** Resource label in the stacks: `velero`, or the backup's name. */
  consumer: string;
  /** What it may read and write: a bucket, and a prefix inside it (the whole bucket when absent). */
  grants: { bucket: string; prefix?: string }[];
  /** The Secret the consumer reads, and the keys it must hold (from the user's access key and secret key). */
  secret: { namespace: string; name: string; format: "aws-credentials-file" | "access-key-pair" };
  /**
   * Where the config stack writes the keys: a path of a vault store (an ExternalSecret makes the
   * Secret from it), or the consumer's Secret itself (kubernetes backend, no store in between); `none` when the spec gives no place (storage/credentials-store).
   */
  placement: { kind: "store"; store: string; key: string } | { kind: "secret" } | { kind: "none" };
  at: SpecPath;
}

export interface ModelAnalysis {
  name: string;
  /** Namespaces that get its AnalysisTemplate: every fixed-namespace environment whose rollout uses it. */
  placements: { cluster: string; namespace: string }[];
  prometheus: string;
  query: string;
  successCondition: string;
  failureCondition?: string;
  interval: string;
  count: number;
  failureLimit: number;
  /** It measures HTTP traffic (spec `measures`, or an `http_` metric in the query). */
  measuresHttp: boolean;
  /**
   * Arguments the query and conditions reference as `{{args.NAME}}`, sorted: the AnalysisTemplate
   * declares them and every Rollout that uses the analysis must pass a value for each.
   */
  args: string[];
  at: SpecPath;
}

export type ModelCanaryStep = { setWeight: number } | { pause: { duration?: string } } | { analysis: { templates: string[] } };

export type ModelRollout =
  | { name: string; strategy: "canary"; steps: ModelCanaryStep[]; backgroundAnalysis: string[]; autoRollback: boolean; analyses: string[]; at: SpecPath }
  | { name: string; strategy: "blueGreen"; autoPromotion: boolean; prePromotionAnalysis: string[]; scaleDownDelay: string; analyses: string[]; at: SpecPath }
  | { name: string; strategy: "rolling"; maxSurge: string; maxUnavailable: string; analyses: string[]; at: SpecPath }
  | { name: string; strategy: "recreate"; analyses: string[]; at: SpecPath };

export type BackupMethod = "cnpg-pitr" | "pg-dump" | "velero" | "vault-raft-snapshot" | "redis-rdb" | "volume-snapshot" | "etcd-snapshot";

export interface ModelBackup {
  name: string;
  method: BackupMethod;
  cluster?: string;
  /** The data service it protects (data-service backups). */
  dataService?: string;
  /** Namespaces it covers. */
  namespaces: string[];
  schedule: string;
  retention: string;
  retentionDays: number;
  bucket?: string;
  /**
   * Prefix inside the bucket. A data-service backup covers one place the data service runs, and its
   * prefix names that namespace (`<engine>/<namespace>/<name>`), so instances never share an archive.
   */
  prefix: string;
  /** Worst-case data lost when restoring from it: the longest gap between runs, or the WAL archive timeout. */
  maxDataLossSeconds?: number;
  /** cnpg-pitr: the Postgres archive_timeout the cluster runs with (a WAL segment is archived at least this often). */
  archiveTimeoutSeconds?: number;
  /** `s3://<bucket>/<prefix>`: where the writer (CNPG barmanObjectStore, Velero, snapshot jobs) puts it and restores read it. */
  destinationPath?: string;
  /** S3 API endpoint when the profile's object storage is not AWS S3 (MinIO). */
  endpoint?: string;
  /** Backups that run in a pod and write to MinIO: Secret (in the pod's namespace) with ACCESS_KEY_ID and ACCESS_SECRET_KEY; on aws pods use their IAM role. */
  credentialsSecret?: string;
  /** Longest gap between two runs of the schedule (base backups for cnpg-pitr), in seconds. */
  intervalSeconds?: number;
  /** Retention plus one interval, in whole days: how long the oldest restorable point needs its objects. */
  windowDays: number;
  /** Days after which the bucket's lifecycle deletes objects under the prefix (spec expireAfter, else windowDays). */
  expireAfterDays: number;
  /** cnpg-pitr: barman's serverName of the lineage the Cluster archives under, and that lineage's number. */
  serverName?: string;
  lineage?: number;
  /** Spec `external.by`: who takes it outside the generated tree, when the spec says so. */
  external?: string;
  /** What takes the backup on schedule (resolve/performers.ts). */
  performer: ModelBackupPerformer;
  /**
   * The copy leaves the storage system the data lives on (object storage, EBS snapshots), so it
   * survives losing that storage. Only such copies count for RPO and RTO.
   */
  offStorage: boolean;
  at: SpecPath;
}

/**
 * Who takes a backup: objects of the generated tree (kind, namespace, name in kubernetes/<cluster>/),
 * someone outside it that the spec names, or nothing — an error (recovery/no-performer or
 * recovery/no-snapshot-class) with the reason.
 */
export type ModelBackupPerformer =
  | { kind: "objects"; objects: DeployObject[] }
  | { kind: "external"; by: string }
  | { kind: "none"; rule: "recovery/no-performer" | "recovery/no-snapshot-class"; reason: string; hint: string };

/** Whether the backup is taken at all: by an object plinth emits or by a declared external performer. */
export function isPerformed(backup: ModelBackup): boolean {
  return backup.performer.kind !== "none";
}

/**
 * Whether a backup counts for RPO and RTO: something takes it (an object of the tree or a declared
 * external performer) and the copy leaves the storage it protects (a snapshot on the same LVM or
 * Longhorn disks is lost with them; it serves quick undo only).
 */
export function countsForRecovery(backup: ModelBackup): boolean {
  return isPerformed(backup) && backup.offStorage;
}

export interface ModelBucket {
  name: string;
  cluster: string;
  profile: string;
  purpose: string;
  /** The lifecycle rule's expiry: the longest expireAfterDays of the backups it holds (retention + one interval by default). */
  expireAfterDays: number;
}

export interface ModelRestoreStep {
  /** Key of the step in an environment's restoreEstimates: provision, bootstrap, sync, <backup name>, verify. */
  id: string;
  /** The backup it restores (restore steps only). */
  backup?: string;
  /**
   * Whether its estimate counts toward the RTO: every step but the restores of backups nothing
   * performs or that stay on the storage they protect (kept for quick undo, listed apart).
   */
  counts: boolean;
  title: string;
  /** Shell commands, in order, with the real names. */
  commands: string[];
  /** A manifest the commands apply (`kubectl apply -f <file>`), printed in the runbook. */
  manifest?: { file: string; document: Record<string, unknown> };
  /** What to know before running the commands. */
  note?: string;
  estimateSeconds: number;
}

export interface ModelRecoveryPlan {
  environment: string;
  cluster: string;
  /** Absent when the environment promises no RTO/RPO: the plan still restores every backup. */
  rtoSeconds?: number;
  rpoSeconds?: number;
  steps: ModelRestoreStep[];
  totalSeconds: number;
  fitsRto: boolean;
}

export interface ModelRestoreDrill {
  backup: string;
  cluster?: string;
  title: string;
  /** Restore into scratch, verify, clean up: exact commands with the real names. */
  commands: string[];
  manifest?: { file: string; document: Record<string, unknown> };
  note?: string;
  /** What the drill creates and removes again: scratch namespaces and CloudNativePG Clusters (`<namespace>/<name>`). */
  scratch: { namespaces: string[]; databases: string[] };
}

export interface ModelRole {
  name: string;
  description?: string;
  groups: string[];
  environments: string[];
  actions: string[];
  at: SpecPath;
}

export interface ModelProject {
  name: string;
  description?: string;
  destinations: { cluster: string; server: string; namespace: string }[];
  sourceRepos: string[];
  roles: string[];
  clusterResources: boolean;
  at: SpecPath;
}

export interface ModelTier {
  name: Tier;
  description: string;
  services: string[];
  dataServices: string[];
  /**
   * Image each service of the tier runs in a self-host (Compose) bundle: pinned by the digest of a
   * compose-runtime environment on this tier, else of any compose-runtime environment, else of the
   * highest promotable rung that has one in the release lock. `environment` says whose digest it is.
   */
  images: Record<string, { repository: string; digest?: string; environment?: string }>;
  /**
   * The recovery point a self-hosted tier must meet: the strictest RPO of the environments running
   * this tier, and a cron schedule whose longest gap stays within it. Absent when none promises one.
   */
  recovery?: { environment: string; rpo: string; rpoSeconds: number; backupSchedule: string };
}

export interface Model {
  platform: ModelPlatform;
  profiles: ModelProfile[];
  clusters: ModelCluster[];
  namespaces: ModelNamespace[];
  environments: ModelEnvironment[];
  services: ModelService[];
  deployments: ModelDeployment[];
  dataServices: ModelDataService[];
  secretStores: ModelSecretStore[];
  externalSecrets: ModelExternalSecret[];
  analyses: ModelAnalysis[];
  rollouts: ModelRollout[];
  backups: ModelBackup[];
  buckets: ModelBucket[];
  /** Object-storage users plinth creates per consumer (MinIO), with where their keys go. */
  objectStoreUsers: ModelObjectStoreUser[];
  recovery: ModelRecoveryPlan[];
  /** One restore drill per backup: restore it somewhere scratch and check what came back (runbook). */
  restoreDrills: ModelRestoreDrill[];
  drills: { environment: string; every: string; description?: string }[];
  roles: ModelRole[];
  projects: ModelProject[];
  tiers: ModelTier[];
  /** service → environment → digest, from releases.lock.yaml. */
  releases: Record<string, Record<string, string>>;
  /** service → environment → digest, chart version and history, from releases.lock.yaml. */
  releaseLock: LockedReleases;
  /** The plinth-service versions some deployment renders with, to write into the generated tree. */
  serviceCharts: ModelServiceChartVersion[];
  /** What the team provides out of band, each with a reason (spec `prerequisites`). */
  prerequisites: ModelPrerequisite[];
  /** What every deployed thing consumes and provides, and the order it comes up in. */
  deploy: ModelDeployGraph;
}

/**
 * Something one deployed thing needs from another, as a key naming it exactly:
 * `Namespace <cluster>/<name>`, `Secret <cluster>/<namespace>/<name>`, `StorageClass <cluster>/<name>`,
 * `CRD <cluster>/<group>/<Kind>`, `SecretPath <store>/<key>` … (compiler/resolve/deploy-keys.ts makes them).
 */
export type DeployResource = string;

/** What kind of thing a graph node is, which decides who acts on it and when. */
export type DeployNodeKind =
  /** Kubernetes objects the root application syncs (the kubernetes and argocd targets' files). */
  | "sync"
  /** An OpenTofu stack, applied by hand (or by CI) with `tofu apply`. */
  | "stack"
  /** A step of the first-install runbook: Vault initialisation, writing a secret path. */
  | "step"
  /** Something the spec declares the team provides out of band (`prerequisites`). */
  | "prerequisite"
  /** What the cluster's kind brings (k3s' local-path StorageClass, an existing cluster's API). */
  | "builtin";

export interface DeployNeed {
  resource: DeployResource;
  /** The spec entry that caused the need: `deploy/unprovided` points here. */
  at: SpecPath;
  /** Why it is needed, in words, for messages and the runbook. */
  why: string;
}

/** A Kubernetes object a sync node stands for; `name` "*" covers every object of that kind there. */
export interface DeployObject {
  kind: string;
  namespace?: string;
  name: string;
}

export interface DeployNode {
  /** Unique, stable id, e.g. `k3s/component/monitoring`. */
  id: string;
  kind: DeployNodeKind;
  cluster?: string;
  title: string;
  /** sync nodes: the objects of the generated tree it stands for. */
  objects: DeployObject[];
  provides: DeployResource[];
  needs: DeployNeed[];
  /** Position in dependency order over the whole graph: every producer has a lower level. */
  level: number;
  /** sync nodes: the ArgoCD sync wave of its objects in the root application. */
  wave?: number;
  /** step and prerequisite nodes: what the first-install runbook runs (exact commands, values prompted). */
  commands?: string[];
  /** Why it is out of band (prerequisites) or what it does (steps). */
  note?: string;
  /** Steps that write a secret path by hand: the store, the path and the properties prompted for (none: the whole secret). */
  secretPath?: { store: string; key: string; properties: string[] };
  at: SpecPath;
}

/**
 * The deploy graph: every object, component, stack, runbook step and declared prerequisite with
 * what it consumes and provides. Waves and stage order are derived from it; `unprovided` lists
 * needs nothing provides and `cycle` a dependency loop, which checks/deploy reports.
 */
export interface ModelDeployGraph {
  nodes: DeployNode[];
  unprovided: { node: string; need: DeployNeed }[];
  cycle?: { nodes: string[]; at: SpecPath };
}

export interface ModelPrerequisite {
  kind: "secret" | "storageClass" | "volumeSnapshotClass" | "ipPool" | "identity" | "registryCredential" | "crd" | "bucket";
  cluster?: string;
  namespace?: string;
  name: string;
  /** Secret keys the team fills in (secret prerequisites), for the runbook's command. */
  keys: string[];
  reason: string;
  at: SpecPath;
}
