import { z } from "zod";
import { platformInfo } from "./platform.js";
import { profile } from "./profiles.js";
import { cluster } from "./clusters.js";
import { namespace } from "./namespaces.js";
import { environment } from "./environments.js";
import { clusterBackup, dataService, drill, service, tier } from "./services.js";
import { secret, secretStore } from "./secrets.js";
import { analysis, rollout } from "./rollouts.js";
import { project, role } from "./access.js";
import { prerequisite } from "./deploy.js";

/** A dependency tier of the self-host packaging (seed 000's ADR-0012). */
export const tierDefinition = z.strictObject({
  name: tier,
  description: z.string().describe("What the tier runs, for the bundle's README."),
  /** Host port offset etc. are not modelled; tiers select services and data services. */
});

/** The whole platform: the single source of truth for everything plinth generates. */
export const platformSchema = z.strictObject({
  ...platformInfo,
  profiles: z.array(profile).min(1).describe("Adapters: the cloud, DNS, secrets, object storage and registry each cluster uses."),
  clusters: z.array(cluster).default([]).describe("Kubernetes clusters, their capacity and the platform components installed on them."),
  namespaces: z.array(namespace).default([]).describe("Namespaces with their quotas, limits, network policy and pod security."),
  environments: z.array(environment).min(1).describe("The promotion ladder, in order."),
  tiers: z.array(tierDefinition).default([]).describe("Dependency tiers (lite, standard, full) of the self-host bundles."),
  services: z.array(service).default([]).describe("The applications: image, ports, env, secrets, resources, probes, ingress."),
  dataServices: z.array(dataService).default([]).describe("Databases, caches, queues and stores, with their backups."),
  secretStores: z.array(secretStore).default([]).describe("Where secrets live (Vault, AWS Secrets Manager, Kubernetes)."),
  secrets: z.array(secret).default([]).describe("Platform secrets External Secrets materialises as Kubernetes Secrets (references only)."),
  analyses: z.array(analysis).default([]).describe("Prometheus analyses a canary step runs."),
  rollouts: z.array(rollout).default([]).describe("Rollout policies (canary, blue-green, recreate) environments name."),
  backups: z.array(clusterBackup).default([]).describe("Cluster-level backups (Velero)."),
  drills: z.array(drill).default([]).describe("Restore drills and how often each runs."),
  roles: z.array(role).default([]).describe("ArgoCD RBAC roles: SSO groups and what they may do."),
  projects: z.array(project).default([]).describe("ArgoCD AppProjects: teams or platform concerns with the namespaces they deploy into."),
  prerequisites: z.array(prerequisite).default([]).describe("What the generated tree needs that the team provides out of band, each with a reason."),
  acknowledge: z.array(z.strictObject({ rule: z.string().regex(/^[a-z0-9-]+\/[a-z0-9-]+$/, "a rule id such as quota/workloads-exceed").describe("The rule id, e.g. \"component/end-of-life\"."), reason: z.string().min(10).describe("Why the warning is accepted (at least 10 characters).") })).default([]).describe("Warnings the team has looked at and accepts, each with a reason: they are reported as notes carrying the reason (errors cannot be acknowledged)."),
});

/**
 * What a user writes (defaults optional): the zod schemas' input type, as a generated interface that
 * carries each field's description for editors (test/input-types.ts checks they are the same type).
 */
export type { PlatformInput } from "./input.generated.js";
/** What validation returns (defaults applied by zod). */
export type Spec = z.output<typeof platformSchema>;
