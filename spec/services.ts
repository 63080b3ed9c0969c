import { z } from "zod";
import { cron, duration, quantity, resourceAmounts } from "./units.js";
import { dnsLabel, envName, httpPath, imagePath, imageReference, imageRepository, portName, positiveDuration } from "./grammar.js";
import { serviceSecretRef } from "./secrets.js";

export const tier = z.enum(["lite", "standard", "full"]);

export const port = z.strictObject({
  name: portName,
  port: z.number().int().min(1).max(65535),
  protocol: z.enum(["TCP", "UDP"]).default("TCP"),
  expose: z.boolean().default(false).describe("Published to users: ingress in clusters, a host port in Compose bundles."),
});

export const probe = z.strictObject({
  path: httpPath.optional(),
  port: z.string(),
  periodSeconds: z.number().int().positive().default(10),
  initialDelaySeconds: z.number().int().nonnegative().default(0),
});

export const resources = z.strictObject({ requests: resourceAmounts.optional(), limits: resourceAmounts.optional() });

/** Fixed replicas, or a HorizontalPodAutoscaler's range and CPU target. */
export const scale = z.union([
  z.strictObject({ replicas: z.number().int().nonnegative() }),
  z.strictObject({ min: z.number().int().positive(), max: z.number().int().positive(), targetCPU: z.number().int().min(1).max(100).default(70) }),
]);

/** A volume of each pod, on the cluster profile's StorageClass: a cache (`caches`) or persistent state (`state`). */
export const podVolume = z.strictObject({
  name: dnsLabel,
  mountPath: z.string().regex(/^\/[^\s\p{Cc}]*$/u, { message: 'expected an absolute path starting with "/"' }),
  size: quantity.describe("Capacity of each pod's volume, e.g. \"200Gi\"."),
});

/** A Job run to completion before each release of the service (an Argo CD PreSync hook), e.g. database migrations. */
export const preReleaseJob = z.strictObject({
  name: dnsLabel,
  /** Runs in the service's image, with its environment, bindings and secret files. */
  command: z.array(z.string()).min(1),
  args: z.array(z.string()).optional(),
  retries: z.number().int().nonnegative().default(0).describe("Retries after a failure (the Job's backoffLimit); 0 for migrations that are not idempotent."),
  timeout: positiveDuration(duration).optional().describe("The longest the Job may run (activeDeadlineSeconds); the release waits for it."),
});

export const serviceOverride = z.strictObject({
  replicas: z.number().int().nonnegative().optional(),
  /** This service's scale in this environment (instead of the service's or the environment's). */
  scale: scale.optional(),
  /** The rollout policy this service uses in this environment (instead of the environment's). */
  rollout: z.string().optional(),
  resources: resources.optional(),
  env: z.record(envName, z.union([z.string(), z.number(), z.boolean()])).optional(),
});

export const service = z.strictObject({
  name: z.string(),
  image: z
    .union([imageRepository, z.strictObject({ path: imagePath })])
    .describe(
      "Image repository without tag; releases pin it by digest. `{ path }` names it inside the registry of each cluster's profile (ports and adapters): the same image from ECR on AWS and from Harbor on-prem (replicated, so the digest is the same); Compose bundles pull it from the first profile's.",
    ),
  chart: z
    .strictObject({ path: z.string().optional(), repoURL: z.string().optional(), name: z.string().optional(), version: z.string().optional() })
    .optional().describe("Helm chart that deploys it, when not plinth-service (the default): a path in the app repository (`version` is then a Git tag or commit), or a chart repository's chart. Either must accept plinth's values (helm/values-reference.md)."),
  ports: z.array(port).default([]),
  env: z.record(envName, z.union([z.string(), z.number(), z.boolean()])).default({}),
  secrets: z.record(envName, serviceSecretRef).default({}).describe("Environment variables read from secrets: references only. Without `store`, each environment's own store and prefix are used (`environments[].secrets`), so one service definition reads the right adapter on every profile — Vault on-prem, Secrets Manager on AWS."),
  resources: resources.optional(),
  probes: z.strictObject({ liveness: probe.optional(), readiness: probe.optional() }).default({}),
  dependsOn: z.array(z.string()).default([]).describe("Data services and services this one needs."),
  ingress: z.strictObject({ port: z.string(), path: httpPath.default("/") }).optional(),
  tiers: z.array(tier).optional().describe("Dependency tiers this service runs in; all tiers when omitted."),
  command: z.array(z.string()).optional(),
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
  by: z.string().min(3),
});

/**
 * How long objects under the backup's prefix stay in the bucket (the bucket's lifecycle rule). Must
 * be at least the retention plus one interval of the schedule: the oldest point of the window needs
 * the base backup taken before it. Default: exactly that.
 */
const expireAfter = positiveDuration(duration).optional();

export const backupPolicy = z.strictObject({
  method: z.enum(["cnpg-pitr", "pg-dump", "velero", "vault-raft-snapshot", "redis-rdb", "volume-snapshot"]),
  schedule: cron,
  retention: positiveDuration(duration),
  archiveTimeout: duration.optional().describe("For WAL archiving: the longest a WAL segment waits before it is shipped (archive_timeout)."),
  bucket: z.string().optional().describe("Bucket name in the profile's object storage; derived when omitted."),
  expireAfter,
  lineage: z
    .number()
    .int()
    .min(1)
    .default(1)
    .describe(
      "cnpg-pitr: the backup lineage the Cluster archives under (barman serverName `<name>` for 1, `<name>-l<n>` after that). A point-in-time recovery starts a new lineage; the restore runbook says which number to set here afterwards so Git's Cluster archives where the recovered one does.",
    ),
  external: externalPerformer.optional(),
});

export const dataService = z.strictObject({
  name: z.string(),
  engine: z.enum(["postgres", "redis", "nats", "opensearch", "minio", "vault"]),
  version: z.string(),
  stateful: z.boolean().default(true).describe("Holds state worth backing up (false for a cache)."),
  storage: quantity.optional(),
  instances: z.number().int().positive().default(1),
  tiers: z.array(tier).optional(),
  namespace: z.string().optional().describe("A single instance in a fixed namespace (platform data) instead of one per environment."),
  resources: resources.optional(),
  backup: backupPolicy.optional(),
  composeImage: imageReference.optional().describe("Image used in Compose bundles; plinth's default for the engine when omitted."),
  overrides: z
    .record(z.string(), z.strictObject({ instances: z.number().int().positive().optional(), storage: quantity.optional(), resources: resources.optional() }))
    .default({}).describe("Per-environment sizing (dev rarely needs production's three instances)."),
});

export const clusterBackup = z.strictObject({
  name: z.string(),
  method: z.enum(["velero", "etcd-snapshot"]),
  cluster: z.string(),
  schedule: cron,
  retention: positiveDuration(duration),
  namespaces: z.array(z.string()).optional().describe("Velero: namespaces included; all application namespaces of the cluster when omitted."),
  bucket: z.string().optional(),
  expireAfter,
  external: externalPerformer.optional(),
});

export const drill = z.strictObject({
  environment: z.string(),
  every: duration,
  description: z.string().optional(),
});
