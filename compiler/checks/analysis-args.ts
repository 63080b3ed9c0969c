import { didYouMean, type Diagnostic } from "../diagnostics.js";
import { ANALYSIS_ARGS } from "../resolve/index.js";
import type { ModelRule } from "./types.js";

/**
 * An AnalysisTemplate argument nobody passes fails the rollout at its first analysis ("args.X was
 * not resolved"). plinth passes the ones it knows for every deployment; any other is an error now.
 */
export const analysisArgsRule: ModelRule = {
  id: "rollout/analysis-args",
  severity: "error",
  stage: "model",
  description: "An analysis query uses an {{args.NAME}} that plinth cannot fill.",
  check(model) {
    const out: Diagnostic[] = [];
    const known: readonly string[] = ANALYSIS_ARGS;
    for (const analysis of model.analyses) {
      for (const arg of analysis.args) {
        if (known.includes(arg)) continue;
        const hint = didYouMean(arg, known);
        out.push({
          rule: this.id,
          severity: "error",
          path: [...analysis.at, "query"],
          message: `analysis '${analysis.name}' uses {{args.${arg}}}, which no rollout passes${hint ? ` — ${hint}` : ""}`,
          hint: `available: ${known.map((k) => `{{args.${k}}}`).join(", ")}`,
        });
      }
    }
    return out;
  },
};
