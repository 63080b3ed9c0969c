import type { Diagnostic } from "../diagnostics.js";
import type { ModelRule } from "./types.js";

/**
 * A stack whose state holds credentials (the keys of the MinIO users plinth creates, in the infra
 * stack, and the copies the config stack writes into Vault or Kubernetes) may not keep that state as a
 * plain local file: a relative path lands inside the generated tree, one `git add -A` away from the
 * repository. It needs a remote backend or OpenTofu's state encryption.
 */
export const credentialsStateRule: ModelRule = {
  id: "state/credentials-in-local-state",
  severity: "error",
  stage: "model",
  description: "A stack whose state holds credentials (MinIO users' keys) keeps it in an unencrypted local file.",
  check(model) {
    const out: Diagnostic[] = [];
    for (const cluster of model.clusters) {
      const users = model.objectStoreUsers.filter((u) => u.cluster === cluster.name);
      if (users.length === 0) continue;
      const exposed = (["infra", "config"] as const).filter((stack) => cluster.stateBackends[stack].type === "local" && cluster.stateBackends[stack].encrypted !== true);
      if (exposed.length === 0) continue;
      const profile = model.profiles.find((p) => p.name === cluster.profile)!;
      const backend = cluster.stateBackends.infra;
      const where = backend.type === "local" && !backend.path.startsWith("/") ? `opentofu/${cluster.stacks.infra}/${backend.path}, inside the generated tree` : backend.type === "local" ? backend.path : "";
      out.push({
        rule: this.id,
        severity: this.severity,
        path: [...profile.at, "stateBackend"],
        message: `the state of ${exposed.map((s) => cluster.stacks[s]).join(" and ")} holds the secret keys of ${users.map((u) => u.name).join(", ")}, but is an unencrypted local file (${where})`,
        hint: 'encrypt it: stateBackend: { type: "local", path: "…", encryption: "passphrase" } (TF_VAR_state_passphrase), or keep it remote (s3, http)',
      });
    }
    return out;
  },
};
