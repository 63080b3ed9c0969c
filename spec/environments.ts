import { z } from "zod";
import { duration } from "./units.js";
import { hostName } from "./grammar.js";
import { scale, tier } from "./services.js";

export const dataPolicy = z.enum(["fixtures", "synthetic", "anonymized", "production"]);

export const environment = z.strictObject({
  name: z.string(),
  /** Inherit every unset field from this environment. */
  extends: z.string().optional(),
  /** Where it runs: a cluster namespace, or a Compose bundle on a laptop or server. */
  runtime: z.enum(["kubernetes", "compose"]).optional(),
  cluster: z.string().optional(),
  namespace: z.string().optional(),
  /** Namespace for this environment's data services (e.g. bitvault-data); its own namespace when omitted. */
  dataNamespace: z.string().optional(),
  /** The rung a release is promoted from; the previous rung of the ladder when omitted. */
  promoteFrom: z.string().optional(),
  /** Serves real users: rollout and approval must be guarded. Default false. */
  production: z.boolean().optional(),
  sync: z.enum(["auto", "manual"]).optional(),
  /** ArgoCD automated sync options. */
  prune: z.boolean().optional(),
  selfHeal: z.boolean().optional(),
  approval: z.enum(["none", "pr", "pr+manual"]).optional(),
  scale: scale.optional(),
  tier: tier.optional(),
  /** Hostnames users reach the environment on. */
  hosts: z.array(hostName).optional(),
  featureFlags: z.record(z.string(), z.union([z.boolean(), z.string()])).optional(),
  /** Where this environment's secrets live: a store and a path prefix inside it. */
  secrets: z
    .strictObject({
      store: z.string(),
      // Lands in secret paths, YAML and runbook commands: no whitespace or control characters.
      prefix: z.string().regex(/^[^\s\p{Cc}]*$/u, { message: "a secret path prefix has no whitespace or control characters (no CR/LF)" }),
    })
    .optional(),
  /** Name of a rollout policy. */
  rollout: z.string().optional(),
  data: dataPolicy.optional(),
  /** Ephemeral per-pull-request environments (ArgoCD pull-request generator). */
  preview: z
    .strictObject({
      /** GitHub owner/repository whose pull requests create previews. */
      repository: z.string(),
      /** Namespace for pull request N is `<namespacePrefix><N>`. */
      namespacePrefix: z.string().default("pr-"),
      /** Only pull requests with these labels get a preview. */
      labels: z.array(z.string()).default([]),
      requeueAfter: duration.default("5m"),
      /** Host template; `{number}` is the pull request number. */
      host: z.string().optional(),
    })
    .optional(),
  recovery: z.strictObject({ rto: duration, rpo: duration }).optional(),
  /**
   * Measured restore-step durations that override plinth's defaults: by step id (provision,
   * bootstrap, sync, verify, or a backup's name) or by backup method (velero, cnpg-pitr, …).
   */
  restoreEstimates: z.record(z.string(), duration).optional(),
});
