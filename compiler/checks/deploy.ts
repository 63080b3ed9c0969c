import type { Diagnostic } from "../diagnostics.js";
import type { Model } from "../model.js";
import type { ModelRule } from "./types.js";
import { registryHost } from "../resolve/clusters.js";

/** The prerequisite a user would declare for an unprovided resource key, as a spec snippet. */
function prerequisiteFor(resource: string): string | undefined {
  const [kind, where = ""] = resource.split(" ", 2) as [string, string?];
  const parts = where.split("/");
  const q = JSON.stringify;
  switch (kind) {
    case "Secret":
      return `{ kind: "secret", cluster: ${q(parts[0])}, namespace: ${q(parts[1])}, name: ${q(parts[2])}, keys: […], reason: "…" }`;
    case "StorageClass":
      return parts[1] === "(default)" ? undefined : `{ kind: "storageClass", cluster: ${q(parts[0])}, name: ${q(parts[1])}, reason: "…" }`;
    case "VolumeSnapshotClass":
      return `{ kind: "volumeSnapshotClass", cluster: ${q(parts[0])}, name: ${q(parts[1])}, reason: "…" }`;
    case "IPPool":
      return `{ kind: "ipPool", cluster: ${q(parts[0])}, name: "…", reason: "…" }`;
    case "Identity":
      return `{ kind: "identity", cluster: ${q(parts[0])}, namespace: ${q(parts[1])}, name: ${q(parts[2])}, reason: "…" }`;
    case "RegistryCredential":
      return `{ kind: "registryCredential", cluster: ${q(parts[0])}, name: ${q(parts.slice(1).join("/"))}, reason: "…" }`;
    case "CRD":
      return `{ kind: "crd", cluster: ${q(parts[0])}, name: ${q(parts.slice(1).join("/"))}, reason: "…" }`;
    case "Bucket":
      return `{ kind: "bucket", name: ${q(where)}, reason: "…" }`;
    default:
      return undefined;
  }
}

const IDENTITY_USERS: Record<string, string> = { "database-backup": "CloudNativePG's backup to S3", "backup-job": "a snapshot CronJob's upload to S3" };

/** An IRSA identity plinth would bind if only the profile named its AWS account. */
function irsaWithoutAccount(model: Model, resource: string): { component: string; profile: string } | undefined {
  for (const cluster of model.clusters) {
    const identity = cluster.workloadIdentities.find(
      (i) => i.mechanism === "irsa" && i.roleArn === undefined && resource === `Identity ${cluster.name}/${i.serviceAccount.namespace}/${i.serviceAccount.name}`,
    );
    if (identity) return { component: IDENTITY_USERS[identity.purpose] ?? identity.purpose, profile: cluster.profile };
  }
  return undefined;
}

/** How to make an image pullable: the cluster's own registry, credentials for a private one, or a prerequisite. */
function registryHint(model: Model, resource: string, snippet: string): string {
  const host = resource.split("/").slice(1).join("/");
  const owner = model.profiles.find((p) => registryHost(p.registry.url) === host);
  const fix =
    owner?.registry.provider === "ecr"
      ? "ECR is read with the node role of an EKS cluster in its account: give the image as { path: \"…\" } so every cluster pulls from its own profile's registry"
      : `give the image as { path: "…" } (each cluster's own registry), or give profile ${owner?.name ?? "<profile>"} registry.credentials (a secret with username and password)`;
  return `${fix}; if the nodes get credentials out of band, declare: prerequisites: [${snippet}]`;
}

const titleOf = (model: Model, id: string) => model.deploy.nodes.find((n) => n.id === id)?.title ?? id;

/**
 * Closure: everything a deployed thing consumes is provided by something in the generated tree, by
 * what the cluster's kind brings, or by a prerequisite the spec declares with a reason.
 */
export const deployUnprovidedRule: ModelRule = {
  id: "deploy/unprovided",
  severity: "error",
  stage: "model",
  description: "Something the generated tree deploys needs a resource that nothing generated provides and the spec does not declare as a prerequisite.",
  check(model) {
    return model.deploy.unprovided.map(({ node, need }): Diagnostic => {
      const snippet = prerequisiteFor(need.resource);
      const irsa = irsaWithoutAccount(model, need.resource);
      return {
        rule: this.id,
        severity: this.severity,
        path: need.at,
        message: `${titleOf(model, node)} needs ${need.resource} (${need.why}), and nothing in the generated tree provides it: it would never become healthy`,
        hint: irsa
          ? `${irsa.component} supports only IRSA, whose role ARN plinth writes into the manifest: set accountId on profile '${irsa.profile}'`
          : need.resource.startsWith("RegistryCredential ")
            ? registryHint(model, need.resource, snippet!)
            : snippet
            ? `have plinth create it, or, if the team provides it out of band, declare it: prerequisites: [${snippet}]`
            : "have plinth create it (a component or an object that provides it)",
      };
    });
  },
};

/** Order: the graph has no dependency loop, so waves and stages exist. */
export const deployCycleRule: ModelRule = {
  id: "deploy/cycle",
  severity: "error",
  stage: "model",
  description: "Deployed things wait for each other in a loop: no sync-wave or stage order can bring them up.",
  check(model) {
    const cycle = model.deploy.cycle;
    if (!cycle) return [];
    const loop = [...cycle.nodes, cycle.nodes[0]!].map((id) => titleOf(model, id)).join(" → waits for → ");
    return [
      {
        rule: this.id,
        severity: this.severity,
        path: cycle.at,
        message: `dependency cycle: ${loop}`,
        hint: "break the loop: move one of these into an earlier stage, or declare what one of them needs as a prerequisite",
      },
    ];
  },
};
