import { z } from "zod";
import { duration } from "./units.js";
import { hostName } from "./grammar.js";
import { scale, tier } from "./services.js";

export const dataPolicy = z.enum(["fixtures", "synthetic", "anonymized", "production"]);

export const environment = z.strictObject({
  name: z.string().describe("The environment's name (dev, staging, prod…): DNS-1123."),
  extends: z.string().optional().describe("Inherit every unset field from this environment."),
  runtime: z.enum(["kubernetes", "compose"]).optional().describe("Where it runs: a cluster namespace, or a Compose bundle on a laptop or server."),
  cluster: z.string().optional().describe("The cluster it runs on (kubernetes runtime)."),
  namespace: z.string().optional().describe("The namespace it runs in."),
  dataNamespace: z.string().optional().describe("Namespace for this environment's data services (e.g. bitvault-data); its own namespace when omitted."),
  promoteFrom: z.string().optional().describe("The rung a release is promoted from; the previous rung of the ladder when omitted."),
  production: z.boolean().optional().describe("Serves real users: rollout and approval must be guarded. Default false."),
  sync: z.enum(["auto", "manual"]).optional().describe("ArgoCD syncs automatically, or on request."),
  prune: z.boolean().optional().describe("ArgoCD automated sync: delete what the spec no longer generates."),
  selfHeal: z.boolean().optional().describe("ArgoCD automated sync: revert changes made in the cluster by hand."),
  approval: z.enum(["none", "pr", "pr+manual"]).optional().describe("What a release into it needs: nothing, a reviewed pull request, or a pull request and a manual sync."),
  scale: scale.optional().describe("Replicas, or autoscaling between min and max on CPU, for every service in it (a service's own scale or override wins)."),
  tier: tier.optional().describe("The dependency tier: which services and data services it runs."),
  hosts: z.array(hostName).optional().describe("Hostnames users reach the environment on."),
  featureFlags: z.record(z.string(), z.union([z.boolean(), z.string()])).optional().describe("Feature flags its services get as `FEATURE_<NAME>` variables."),
  secrets: z
    .strictObject({
      store: z.string().describe("Secret store (`secretStores[].name`) its services' references read when they name none."),
      // Lands in secret paths, YAML and runbook commands: no whitespace or control characters.
      prefix: z.string().regex(/^[^\s\p{Cc}]*$/u, { message: "a secret path prefix has no whitespace or control characters (no CR/LF)" }).describe("Path prefix of its secrets in the store, e.g. \"staging\"."),
    })
    .optional().describe("Where this environment's secrets live: a store and a path prefix inside it."),
  rollout: z.string().optional().describe("Name of a rollout policy."),
  data: dataPolicy.optional().describe("What data it holds; production data only in production."),
  preview: z
    .strictObject({
      repository: z.string().describe("GitHub owner/repository whose pull requests create previews."),
      namespacePrefix: z.string().default("pr-").describe("Namespace for pull request N is `<namespacePrefix><N>`."),
      labels: z.array(z.string()).default([]).describe("Only pull requests with these labels get a preview."),
      requeueAfter: duration.default("5m").describe("How often ArgoCD polls for pull requests."),
      host: z.string().optional().describe("Host template; `{number}` is the pull request number."),
      token: z
        .strictObject({
          secret: z.string().describe("Name of a Secret in ArgoCD's namespace on the preview's cluster, usually one of the spec's `secrets`."),
          key: z.string().default("token").describe("Key of the Secret that holds the token."),
        })
        .optional()
        .describe("The GitHub token ArgoCD lists pull requests with (tokenRef): required for a private repository, and it lifts GitHub's limit of 60 unauthenticated requests an hour."),
    })
    .optional().describe("Ephemeral per-pull-request environments (ArgoCD pull-request generator)."),
  recovery: z
    .strictObject({
      rto: duration.describe("Recovery time objective: how long a full restore may take, e.g. \"4h\" (checked against the restore steps)."),
      rpo: duration.describe("Recovery point objective: how much data may be lost, e.g. \"15m\" (checked against the backups that perform copies)."),
    })
    .optional()
    .describe("The recovery promise of the environment, which plinth checks against its backups."),
  restoreEstimates: z.record(z.string(), duration).optional().describe("Measured restore-step durations that override plinth's defaults: by step id (provision, bootstrap, sync, verify, or a backup's name) or by backup method (velero, cnpg-pitr, …)."),
});
