import type { Diagnostic } from "../diagnostics.js";
import type { ModelRule } from "./types.js";

/**
 * Every MinIO user plinth creates must have a place for its keys: a vault store its ExternalSecret
 * reads (the profile's `objectStorage.credentialsStore`, or the spec's only vault store), or the
 * kubernetes secrets backend, where OpenTofu writes the consumer's Secret itself. Otherwise Velero or
 * WAL archiving would wait for a Secret nothing creates.
 */
export const objectStoreCredentialsRule: ModelRule = {
  id: "storage/credentials-store",
  severity: "error",
  stage: "model",
  description: "A MinIO consumer (Velero, a database backup) whose keys have no secret store to go to, or a store that is not Vault.",
  check(model) {
    const out: Diagnostic[] = [];
    const reported = new Set<string>();
    for (const user of model.objectStoreUsers) {
      const profile = model.profiles.find((p) => p.name === model.clusters.find((c) => c.name === user.cluster)!.profile)!;
      if (reported.has(profile.name)) continue;
      if (user.placement.kind === "none") {
        reported.add(profile.name);
        const vaultStores = model.secretStores.filter((s) => s.backend === "vault").map((s) => s.name);
        const why =
          vaultStores.length > 1
            ? `the spec has ${vaultStores.length} vault stores (${vaultStores.join(", ")}) and profile ${profile.name} names none of them`
            : `profile ${profile.name} reads secrets from ${profile.secrets.backend} and the spec has no vault store`;
        out.push({
          rule: this.id,
          severity: this.severity,
          path: [...profile.at, "objectStorage"],
          message: `MinIO user ${user.name} (for ${user.consumer} on ${user.cluster}) has nowhere to put its keys: ${why}`,
          hint: 'name the vault store OpenTofu writes the keys into: objectStorage: { provider: "minio", credentialsStore: "<vault store>" }',
        });
        continue;
      }
      const placement = user.placement;
      if (placement.kind === "store") {
        const store = model.secretStores.find((s) => s.name === placement.store);
        if (store?.backend !== "vault") {
          reported.add(profile.name);
          out.push({
            rule: this.id,
            severity: this.severity,
            path: [...profile.at, "objectStorage", ...(profile.objectStorage.credentialsStore !== undefined ? ["credentialsStore"] : [])],
            message: `MinIO keys can be written only into a vault store, and ${store?.name ?? "that store"} is ${store?.backend ?? "not defined"}`,
            hint: "name a store with backend vault, or use the kubernetes secrets backend",
          });
        }
      }
    }
    return out;
  },
};
