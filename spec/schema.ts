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
  description: z.string(),
  /** Host port offset etc. are not modelled; tiers select services and data services. */
});

/** The whole platform: the single source of truth for everything plinth generates. */
export const platformSchema = z.strictObject({
  ...platformInfo,
  profiles: z.array(profile).min(1),
  clusters: z.array(cluster).default([]),
  namespaces: z.array(namespace).default([]),
  /** The promotion ladder, in order. */
  environments: z.array(environment).min(1),
  tiers: z.array(tierDefinition).default([]),
  services: z.array(service).default([]),
  dataServices: z.array(dataService).default([]),
  secretStores: z.array(secretStore).default([]),
  secrets: z.array(secret).default([]),
  analyses: z.array(analysis).default([]),
  rollouts: z.array(rollout).default([]),
  backups: z.array(clusterBackup).default([]),
  drills: z.array(drill).default([]),
  roles: z.array(role).default([]),
  projects: z.array(project).default([]),
  /** What the generated tree needs that the team provides out of band, each with a reason. */
  prerequisites: z.array(prerequisite).default([]),
  /**
   * Warnings the team has looked at and accepts, each with a reason: they are reported as notes
   * carrying the reason (errors cannot be acknowledged).
   */
  acknowledge: z.array(z.strictObject({ rule: z.string().regex(/^[a-z0-9-]+\/[a-z0-9-]+$/, "a rule id such as quota/workloads-exceed"), reason: z.string().min(10) })).default([]),
});

/** What a user writes (defaults optional). */
export type PlatformInput = z.input<typeof platformSchema>;
/** What validation returns (defaults applied by zod). */
export type Spec = z.output<typeof platformSchema>;
