import type { Diagnostic } from "../diagnostics.js";
import type { ModelRule } from "./types.js";

/**
 * A release moves one rung at a time: an environment is promoted from the rung just below it, and
 * a digest can only run in an environment when the rung below has run a digest too.
 */
export const promotionRule: ModelRule = {
  id: "promotion/skips-rung",
  severity: "error",
  stage: "model",
  description: "A promotion that skips a rung of the environment ladder.",
  check(model) {
    const out: Diagnostic[] = [];
    const ladder = model.environments.filter((e) => e.promotable);
    ladder.forEach((env, i) => {
      const below = ladder[i - 1];
      if (env.promoteFrom !== undefined && below && env.promoteFrom !== below.name) {
        out.push({
          rule: this.id,
          severity: "error",
          path: [...env.at, "promoteFrom"],
          message: `'${env.name}' is promoted from '${env.promoteFrom}', skipping '${below.name}'`,
          hint: `promote from '${below.name}'`,
        });
      }
      if (!below) return;
      for (const [service, byEnv] of Object.entries(model.releases)) {
        if (byEnv[env.name] !== undefined && byEnv[below.name] === undefined) {
          out.push({
            rule: this.id,
            severity: "error",
            source: "lock",
            path: [service, env.name],
            message: `'${service}' has a release in ${env.name} but none in ${below.name}: the digest skipped a rung`,
          });
        }
      }
    });
    return out;
  },
};
