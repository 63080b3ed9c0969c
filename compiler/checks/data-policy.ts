import type { Diagnostic } from "../diagnostics.js";
import type { ModelRule } from "./types.js";

/**
 * Seed 002: never copy production data to staging or preview; real-derived data only anonymized,
 * and only into staging — never into previews.
 */
export const dataPolicyRule: ModelRule = {
  id: "data/production-data-downstream",
  severity: "error",
  stage: "model",
  description: "A non-production environment uses production data, or a preview uses real-derived data.",
  check(model) {
    const out: Diagnostic[] = [];
    for (const env of model.environments) {
      if (env.data === "production" && !env.production) {
        out.push({
          rule: this.id,
          severity: "error",
          path: [...env.at, "data"],
          message: `non-production environment '${env.name}' uses production data: never copy production data down the ladder`,
          hint: 'use "anonymized" (staging only) or "synthetic"',
        });
      } else if (env.data === "anonymized" && env.preview) {
        out.push({
          rule: this.id,
          severity: "error",
          path: [...env.at, "data"],
          message: `preview environment '${env.name}' uses anonymized production data: previews get fixtures or synthetic data only`,
          hint: 'use "fixtures" or "synthetic"',
        });
      }
    }
    return out;
  },
};
