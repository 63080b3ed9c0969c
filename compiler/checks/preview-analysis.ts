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
      if (!env.preview || env.rollout === undefined) continue;
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
