import type { Diagnostic } from "../diagnostics.js";
import type { ModelRule } from "./types.js";

/** An override for an environment that does not run the service would silently change nothing. */
export const unusedOverrideRule: ModelRule = {
  id: "ref/unused-override",
  severity: "error",
  stage: "model",
  description: "A service or data-service override names an environment that does not run it.",
  check(model) {
    const out: Diagnostic[] = [];
    const report = (path: readonly (string | number)[], what: string, env: string, why: string) =>
      out.push({ rule: this.id, severity: "error", path, message: `override for '${env}' changes nothing: ${what} ${why}`, hint: "remove the override, or run it there (tiers)" });
    for (const service of model.services) {
      for (const env of service.overrideEnvironments) {
        const runs = model.environments.find((e) => e.name === env)?.services.includes(service.name);
        if (!runs) report([...service.at, "overrides", env], `'${service.name}'`, env, `does not run in ${env}`);
      }
    }
    for (const data of model.dataServices) {
      const placed = new Set([...data.placements, ...data.previewPlacements].map((p) => p.environment));
      for (const env of data.overrideEnvironments) {
        if (!placed.has(env)) report([...data.at, "overrides", env], `'${data.name}'`, env, data.namespace !== undefined ? `runs once, in namespace ${data.namespace}` : `does not run in ${env} (on Kubernetes)`);
      }
    }
    return out;
  },
};
