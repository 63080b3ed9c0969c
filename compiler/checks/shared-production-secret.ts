import type { Diagnostic } from "../diagnostics.js";
import type { ModelRule } from "./types.js";

/**
 * Seed 002: each environment has its own secrets location. A non-production environment that reads
 * the very secret production reads (same store, same key) can leak or corrupt production.
 */
export const sharedProductionSecretRule: ModelRule = {
  id: "secret/shared-with-production",
  severity: "warning",
  stage: "model",
  description: "A non-production environment reads the same secret (store and key) as production.",
  check(model) {
    const out: Diagnostic[] = [];
    const production = new Set(model.environments.filter((e) => e.production).map((e) => e.name));
    const prodKeys = new Map<string, string>();
    for (const secret of model.externalSecrets) {
      if (secret.environment && production.has(secret.environment)) {
        for (const d of secret.data) prodKeys.set(`${secret.store}\u0000${d.key}`, secret.environment);
      }
    }
    const reported = new Set<string>();
    for (const secret of model.externalSecrets) {
      if (!secret.environment || production.has(secret.environment)) continue;
      for (const d of secret.data) {
        const prod = prodKeys.get(`${secret.store}\u0000${d.key}`);
        const key = `${secret.environment}\u0000${secret.store}\u0000${d.key}`;
        if (!prod || reported.has(key)) continue;
        reported.add(key);
        const env = model.environments.find((e) => e.name === secret.environment)!;
        out.push({
          rule: this.id,
          severity: "warning",
          path: env.secrets ? [...env.at, "secrets"] : secret.at,
          message: `${secret.environment} reads ${secret.store}:${d.key}, the same secret ${prod} reads`,
          hint: `give each environment its own location: secrets: { store: "${secret.store}", prefix: "${secret.environment}" }`,
        });
      }
    }
    return out;
  },
};
