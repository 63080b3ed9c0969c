import type { Diagnostic } from "../diagnostics.js";
import type { ModelRule } from "./types.js";

/**
 * Seed 002: "the same sha256 that passed CI runs in staging and then in production". A production
 * deployment with no digest in the release lock would pull whatever the chart defaults to. Checked
 * once the platform keeps a lock at all (before its first release there is nothing to pin).
 */
export const unpinnedProductionRule: ModelRule = {
  id: "release/unpinned-production",
  severity: "warning",
  stage: "model",
  description: "A service runs in production with no image digest in releases.lock.yaml.",
  check(model) {
    const out: Diagnostic[] = [];
    if (Object.keys(model.releases).length === 0) return out;
    const production = new Set(model.environments.filter((e) => e.production).map((e) => e.name));
    for (const deployment of model.deployments) {
      if (!production.has(deployment.environment) || deployment.image.digest !== undefined) continue;
      const service = model.services.find((s) => s.name === deployment.service)!;
      out.push({
        rule: this.id,
        severity: "warning",
        path: [...service.at, "image"],
        message: `'${deployment.service}' runs in ${deployment.environment} with no digest in releases.lock.yaml: the image is not pinned`,
        hint: `plinth promote ${deployment.service} --from <rung below> --to ${deployment.environment}, or let CI write the digest`,
      });
    }
    return out;
  },
};
