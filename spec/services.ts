import { z } from "zod";
import { cron, duration, quantity, resourceAmounts } from "./units.js";
import { dnsLabel, envName, httpPath, imagePath, imageReference, imageRepository, portName, positiveDuration } from "./grammar.js";
import { serviceSecretRef } from "./secrets.js";

export const tier = z.enum(["lite", "standard", "full"]).describe("A dependency tier: lite, standard or full.");

export const port = z.strictObject({
  name: portName.describe("Port name (IANA service name grammar), e.g. \"http\" or \"metrics\"."),
  port: z.number().int().min(1).max(65535).describe("Container port number."),
  protocol: z.enum(["TCP", "UDP"]).default("TCP").describe("Transport protocol."),
  expose: z.boolean().default(false).describe("Published to users: ingress in clusters, a host port in Compose bundles."),
});

export const probe = z.strictObject({
  path: httpPath.optional().describe("HTTP path the probe GETs; a TCP connection check when omitted."),
  port: z.string().describe("Name of the port probed."),
  periodSeconds: z.number().int().positive().default(10).describe("Seconds between probes."),
  initialDelaySeconds: z.number().int().nonnegative().default(0).describe("Seconds before the first probe."),
}).describe("A health probe: an HTTP GET of a path, or a TCP connection.");

export const resources = z
  .strictObject({ requests: resourceAmounts.optional().describe("What the scheduler reserves (and quotas count)."), limits: resourceAmounts.optional().describe("The most it may use.") })
  .describe("Container resource requests and limits.");

/** Fixed replicas, or a HorizontalPodAutoscaler's range and CPU target. */
export const scale = z.union([
  z.strictObject({ replicas: z.number().int().nonnegative().describe("A fixed number of replicas.") }),
  z.strictObject({
    min: z.number().int().positive().describe("Fewest replicas (the HorizontalPodAutoscaler's floor)."),
    max: z.number().int().positive().describe("Most replicas."),
    targetCPU: z.number().int().min(1).max(100).default(70).describe("Average CPU utilisation (percent of requests) the autoscaler aims at."),
  }),
]).describe("Fixed replicas, or autoscaling between min and max on CPU.");

/** A volume of each pod, on the cluster profile's StorageClass: a cache (`caches`) or persistent state (`state`). */
export const podVolume = z.strictObject({
  name: dnsLabel.describe("Volume name (DNS-1123 label), unique among the service's caches and state."),
  mountPath: z.string().regex(/^\/[^\s\p{Cc}]*$/u, { message: 'expected an absolute path starting with "/"' }).describe("Where the container mounts it."),
  size: quantity.describe("Capacity of each pod's volume, e.g. \"200Gi\"."),
});

/** A Job run to completion before each release of the service (an Argo CD PreSync hook), e.g. database migrations. */
export const preReleaseJob = z.strictObject({
  name: dnsLabel.describe("Job name (DNS-1123 label); the Job is `<service>-<name>`."),
  command: z.array(z.string()).min(1).describe("Command run in the service's image, with its environment, bindings and secret files."),
  args: z.array(z.string()).optional().describe("Arguments to the command."),
  retries: z.number().int().nonnegative().default(0).describe("Retries after a failure (the Job's backoffLimit); 0 for migrations that are not idempotent."),
  timeout: positiveDuration(duration).optional().describe("The longest the Job may run (activeDeadlineSeconds); the release waits for it."),
});

export const serviceOverride = z.strictObject({
  replicas: z.number().int().nonnegative().optional().describe("Fixed replicas in this environment (shorthand for `scale: { replicas }`)."),
  scale: scale.optional().describe("This service's scale in this environment (instead of the service's or the environment's)."),
  rollout: z.string().optional().describe("The rollout policy this service uses in this environment (instead of the environment's)."),
  resources: resources.optional(),
  env: z.record(envName, z.union([z.string(), z.number(), z.boolean()])).optional().describe("Environment variables added or changed in this environment."),
});

export const service = z.strictObject({
  name: z.string().describe("Service name (DNS-1123): its release, Deployment and values file."),
  image: z
    .union([imageRepository, z.strictObject({ path: imagePath.describe("Image path inside each profile's registry, e.g. \"team/api\".") })])
    .describe(
      "Image repository without tag; releases pin it by digest. `{ path }` names it inside the registry of each cluster's profile (ports and adapters): the same image from ECR on AWS and from Harbor on-prem (replicated, so the digest is the same); Compose bundles pull it from the first profile's.",
    ),
  chart: z
    .strictObject({
      path: z.string().optional().describe("Folder of the chart in the app repository."),
      repoURL: z.string().optional().describe("Chart repository URL (with `name`)."),
      name: z.string().optional().describe("Chart name in the chart repository."),
      version: z.string().optional().describe("Chart version, or the Git tag or commit of a chart `path`."),
    })
    .optional().describe("Helm chart that deploys it, when not plinth-service (the default): a path in the app repository (`version` is then a Git tag or commit), or a chart repository's chart. Either must accept plinth's values (helm/values-reference.md)."),
  ports: z.array(port).default([]).describe("Ports the container listens on."),
  env: z.record(envName, z.union([z.string(), z.number(), z.boolean()])).default({}).describe("Plain environment variables (never secrets: use `secrets`)."),
  secrets: z.record(envName, serviceSecretRef).default({}).describe("Environment variables read from secrets: references only. Without `store`, each environment's own store and prefix are used (`environments[].secrets`), so one service definition reads the right adapter on every profile — Vault on-prem, Secrets Manager on AWS."),
  resources: resources.optional(),
  probes: z
    .strictObject({ liveness: probe.optional().describe("Restarts the container when it fails."), readiness: probe.optional().describe("Takes the pod out of its Service while it fails.") })
    .default({})
    .describe("Health probes."),
  dependsOn: z.array(z.string()).default([]).describe("Data services and services this one needs."),
  ingress: z
    .strictObject({ port: z.string().describe("Name of the port users reach."), path: httpPath.default("/").describe("Path prefix routed to it on the environment's hosts.") })
    .optional()
    .describe("Reachable on the environment's hosts: an HTTPRoute on the cluster's Gateway (envoy-gateway), else an Ingress."),
  tiers: z.array(tier).optional().describe("Dependency tiers this service runs in; all tiers when omitted."),
  command: z.array(z.string()).optional().describe("Command that replaces the image's entrypoint."),
  caches: z.array(podVolume).default([]).describe("Per-pod cache volumes: generic ephemeral volumes on the profile's StorageClass, made with the pod and deleted with it (rebuilt when a pod is replaced), which Deployments and Argo Rollouts alike carry; mounted writable, the root filesystem stays read-only."),
  state: z.array(podVolume).default([]).describe("Persistent per-replica volumes: the service runs as a StatefulSet with one claim per replica and volume, kept across restarts and updates. Argo Rollouts cannot drive a StatefulSet, so its rollout must be `rolling` (pod by pod, each Ready before the next); production also needs a readiness probe."),
  cronJobs: z
    .array(preReleaseJob.extend({ schedule: cron.describe("When it runs (cron, in the cluster's time zone).") }))
    .default([])
    .describe("Jobs run on a schedule in the service's image and environment (Kubernetes CronJobs, never two at once). Compose bundles do not run them."),
  seedData: preReleaseJob
    .omit({ name: true })
    .optional()
    .describe("A Job that loads fixture or synthetic data (command in the service's image), run as the last pre-release Job (`seed-data`, after the migrations) in each Kubernetes environment whose data policy is `fixtures` or `synthetic`, previews excepted (they have no data services yet). It runs before every release there, so it must be idempotent."),
  preRelease: z.array(preReleaseJob).default([]).describe("Jobs run before each release, in order (migrations): an Argo CD PreSync hook on Kubernetes (not in previews yet, which have no data services); Compose runs them before the service starts."),
  scale: scale.optional().describe("Replicas or autoscaling in every environment, instead of the environment's `scale` (overrides still win)."),
  overrides: z.record(z.string(), serviceOverride).default({}).describe("Per-environment differences."),
});

/**
 * A backup that something outside the generated tree takes (a k3s server flag, a storage array's own
 * schedule): who runs it, shown in the runbook. Without it, a method plinth cannot perform on the
 * cluster is an error (recovery/no-performer).
 */
export const externalPerformer = z.strictObject({
  /** Who or what takes the backup, e.g. "k3s server flag --etcd-snapshot-schedule-cron on every server node". */
  by: z.string().min(3).describe("Who or what takes the backup, e.g. \"k3s server flag --etcd-snapshot-schedule-cron on every server node\"."),
});

/**
 * How long objects under the backup's prefix stay in the bucket (the bucket's lifecycle rule). Must
 * be at least the retention plus one interval of the schedule: the oldest point of the window needs
 * the base backup taken before it. Default: exactly that.
 */
const expireAfter = positiveDuration(duration).optional();

export const backupPolicy = z.strictObject({
  method: z.enum(["cnpg-pitr", "pg-dump", "velero", "vault-raft-snapshot", "redis-rdb", "volume-snapshot"]).describe("How the backup is taken."),
  schedule: cron.describe("When it runs (cron, five fields), e.g. \"0 3 * * *\"."),
  retention: positiveDuration(duration).describe("How long copies are kept, e.g. \"14d\"."),
  archiveTimeout: duration.optional().describe("For WAL archiving: the longest a WAL segment waits before it is shipped (archive_timeout)."),
  bucket: z.string().optional().describe("Bucket name in the profile's object storage; derived when omitted."),
  expireAfter: expireAfter.describe("How long objects under the backup's prefix stay in the bucket (its lifecycle rule); at least retention plus one schedule interval, which is the default."),
  lineage: z
    .number()
    .int()
    .min(1)
    .default(1)
    .describe(
      "cnpg-pitr: the backup lineage the Cluster archives under (barman serverName `<name>` for 1, `<name>-l<n>` after that). A point-in-time recovery starts a new lineage; the restore runbook says which number to set here afterwards so Git's Cluster archives where the recovered one does.",
    ),
  external: externalPerformer.optional().describe("Taken by something outside the generated tree: who runs it."),
});

export const dataService = z.strictObject({
  name: z.string().describe("Data service name (DNS-1123), referenced by services' `dependsOn`."),
  engine: z.enum(["postgres", "redis", "nats", "opensearch", "minio", "vault"]).describe("What it runs: CloudNativePG for postgres, operators or charts for the others."),
  version: z.string().describe("Engine version, e.g. \"16\" for postgres."),
  stateful: z.boolean().default(true).describe("Holds state worth backing up (false for a cache)."),
  storage: quantity.optional().describe("Volume size per instance, e.g. \"20Gi\"."),
  instances: z.number().int().positive().default(1).describe("Instances (replicas) in clusters."),
  tiers: z.array(tier).optional().describe("Dependency tiers it runs in; all tiers when omitted."),
  namespace: z.string().optional().describe("A single instance in a fixed namespace (platform data) instead of one per environment."),
  resources: resources.optional(),
  backup: backupPolicy.optional().describe("Its backup: method, schedule and retention."),
  composeImage: imageReference.optional().describe("Image used in Compose bundles; plinth's default for the engine when omitted."),
  overrides: z
    .record(
      z.string(),
      z.strictObject({
        instances: z.number().int().positive().optional().describe("Instances in this environment."),
        storage: quantity.optional().describe("Volume size per instance in this environment."),
        resources: resources.optional(),
      }),
    )
    .default({}).describe("Per-environment sizing (dev rarely needs production's three instances)."),
});

export const clusterBackup = z.strictObject({
  name: z.string().describe("Backup name (its Velero Schedule or CronJob)."),
  method: z.enum(["velero", "etcd-snapshot"]).describe("Velero (namespaces and volumes) or an etcd snapshot (the cluster's state)."),
  cluster: z.string().describe("Cluster it backs up."),
  schedule: cron.describe("When it runs (cron, five fields), e.g. \"0 3 * * *\"."),
  retention: positiveDuration(duration).describe("How long copies are kept, e.g. \"30d\"."),
  namespaces: z.array(z.string()).optional().describe("Velero: namespaces included; all application namespaces of the cluster when omitted."),
  bucket: z.string().optional().describe("Bucket name in the profile's object storage; derived when omitted."),
  expireAfter: expireAfter.describe("How long objects under the backup's prefix stay in the bucket (its lifecycle rule); at least retention plus one schedule interval, which is the default."),
  external: externalPerformer.optional().describe("Taken by something outside the generated tree: who runs it."),
});

export const drill = z.strictObject({
  environment: z.string().describe("Environment whose restore is rehearsed."),
  every: duration.describe("How often the drill runs, e.g. \"90d\"."),
  description: z.string().optional().describe("What the drill does."),
});
