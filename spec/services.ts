import { z } from "zod";
import { cron, duration, quantity, resourceAmounts } from "./units.js";
import { envName, httpPath, imageReference, imageRepository, portName, positiveDuration } from "./grammar.js";
import { serviceSecretRef } from "./secrets.js";

export const tier = z.enum(["lite", "standard", "full"]);

export const port = z.strictObject({
  name: portName,
  port: z.number().int().min(1).max(65535),
  protocol: z.enum(["TCP", "UDP"]).default("TCP"),
  /** Published to users: ingress in clusters, a host port in Compose bundles. */
  expose: z.boolean().default(false),
});

export const probe = z.strictObject({
  path: httpPath.optional(),
  port: z.string(),
  periodSeconds: z.number().int().positive().default(10),
  initialDelaySeconds: z.number().int().nonnegative().default(0),
});

export const resources = z.strictObject({ requests: resourceAmounts.optional(), limits: resourceAmounts.optional() });

export const serviceOverride = z.strictObject({
  replicas: z.number().int().nonnegative().optional(),
  resources: resources.optional(),
  env: z.record(envName, z.union([z.string(), z.number(), z.boolean()])).optional(),
});

export const service = z.strictObject({
  name: z.string(),
  /** Image repository without tag; releases pin it by digest. */
  image: imageRepository,
  /**
   * Helm chart that deploys it, when not plinth-service (the default): a path in the app repository
   * (`version` is then a Git tag or commit), or a chart repository's chart. Either must accept
   * plinth's values (helm/values-reference.md).
   */
  chart: z
    .strictObject({ path: z.string().optional(), repoURL: z.string().optional(), name: z.string().optional(), version: z.string().optional() })
    .optional(),
  ports: z.array(port).default([]),
  env: z.record(envName, z.union([z.string(), z.number(), z.boolean()])).default({}),
  /**
   * Environment variables read from secrets: references only. Without `store`, each environment's
   * own store and prefix are used (`environments[].secrets`), so one service definition reads the
   * right adapter on every profile — Vault on-prem, Secrets Manager on AWS.
   */
  secrets: z.record(envName, serviceSecretRef).default({}),
  resources: resources.optional(),
  probes: z.strictObject({ liveness: probe.optional(), readiness: probe.optional() }).default({}),
  /** Data services and services this one needs. */
  dependsOn: z.array(z.string()).default([]),
  ingress: z.strictObject({ port: z.string(), path: httpPath.default("/") }).optional(),
  /** Dependency tiers this service runs in; all tiers when omitted. */
  tiers: z.array(tier).optional(),
  command: z.array(z.string()).optional(),
  /** Per-environment differences. */
  overrides: z.record(z.string(), serviceOverride).default({}),
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
  /** For WAL archiving: the longest a WAL segment waits before it is shipped (archive_timeout). */
  archiveTimeout: duration.optional(),
  /** Bucket name in the profile's object storage; derived when omitted. */
  bucket: z.string().optional(),
  expireAfter,
  /**
   * cnpg-pitr: the backup lineage the Cluster archives under (barman serverName `<name>` for 1,
   * `<name>-l<n>` after that). A point-in-time recovery starts a new lineage; the restore runbook says
   * which number to set here afterwards so Git's Cluster archives where the recovered one does.
   */
  lineage: z.number().int().min(1).default(1),
  external: externalPerformer.optional(),
});

export const dataService = z.strictObject({
  name: z.string(),
  engine: z.enum(["postgres", "redis", "nats", "opensearch", "minio", "vault"]),
  version: z.string(),
  /** Holds state worth backing up (false for a cache). */
  stateful: z.boolean().default(true),
  storage: quantity.optional(),
  instances: z.number().int().positive().default(1),
  tiers: z.array(tier).optional(),
  /** A single instance in a fixed namespace (platform data) instead of one per environment. */
  namespace: z.string().optional(),
  resources: resources.optional(),
  backup: backupPolicy.optional(),
  /** Image used in Compose bundles; plinth's default for the engine when omitted. */
  composeImage: imageReference.optional(),
  /** Per-environment sizing (dev rarely needs production's three instances). */
  overrides: z
    .record(z.string(), z.strictObject({ instances: z.number().int().positive().optional(), storage: quantity.optional(), resources: resources.optional() }))
    .default({}),
});

export const clusterBackup = z.strictObject({
  name: z.string(),
  method: z.enum(["velero", "etcd-snapshot"]),
  cluster: z.string(),
  schedule: cron,
  retention: positiveDuration(duration),
  /** Velero: namespaces included; all application namespaces of the cluster when omitted. */
  namespaces: z.array(z.string()).optional(),
  bucket: z.string().optional(),
  expireAfter,
  external: externalPerformer.optional(),
});

export const drill = z.strictObject({
  environment: z.string(),
  every: duration,
  description: z.string().optional(),
});
