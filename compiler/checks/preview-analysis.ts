import type { Diagnostic } from "../diagnostics.js";
import type { ModelRule } from "./types.js";

/**
 * AnalysisTemplates live in an environment's fixed namespace; a preview's pr-N namespace has none,
 * so a preview rollout that runs analysis would fail at its first analysis step.
 */
export const previewAnalysisRule: ModelRule = {
  id: "rollout/preview-analysis",
  severity: "error",
  stage: "model",
  description: "A preview environment uses a rollout with analysis, which its per-PR namespace cannot run.",
  check(model) {
    const out: Diagnostic[] = [];
    for (const env of model.environments) {
      if (!env.preview) continue;
      for (const d of model.deployments.filter((x) => x.environment === env.name && x.rolloutAt?.[0] === "services")) {
        const own = model.rollouts.find((r) => r.name === d.rollout);
        if (!own || own.analyses.length === 0) continue;
        out.push({
          rule: this.id,
          severity: "error",
          path: d.rolloutAt!,
          message: `${d.service} uses rollout '${own.name}' in preview environment '${env.name}', which runs analysis (${own.analyses.join(", ")}): pr-N namespaces have no AnalysisTemplates`,
          hint: "give previews a rolling or recreate rollout; analysis belongs to staging and production",
        });
      }
      if (env.rollout === undefined) continue;
      const rollout = model.rollouts.find((r) => r.name === env.rollout);
      if (!rollout || rollout.analyses.length === 0) continue;
      out.push({
        rule: this.id,
        severity: "error",
        path: [...env.at, "rollout"],
        message: `preview environment '${env.name}' uses rollout '${rollout.name}', which runs analysis (${rollout.analyses.join(", ")}): pr-N namespaces have no AnalysisTemplates`,
        hint: "give previews a rolling or recreate rollout; analysis belongs to staging and production",
      });
    }
    return out;
  },
};
