import { formatDuration } from "../../spec/units.js";
import { didYouMean, type Diagnostic } from "../diagnostics.js";
import type { ModelRule } from "./types.js";

/**
 * The restore procedure of an environment (compiler/resolve/recovery.ts: re-provision, bootstrap,
 * sync, restore each backup, verify) must fit the RTO it promises. The sum uses the environment's
 * restoreEstimates where given and plinth's defaults otherwise.
 */
export const rtoExceededRule: ModelRule = {
  id: "recovery/rto-exceeded",
  severity: "error",
  stage: "model",
  description: "The estimated restore procedure of an environment takes longer than its RTO.",
  check(model) {
    const out: Diagnostic[] = [];
    for (const plan of model.recovery) {
      if (plan.rtoSeconds === undefined || plan.totalSeconds <= plan.rtoSeconds) continue;
      const env = model.environments.find((e) => e.name === plan.environment);
      if (!env) continue;
      // Only steps that count: restores of backups nothing performs, or that stay on their storage, do not.
      const breakdown = plan.steps.filter((s) => s.counts).map((s) => `${s.id} ${formatDuration(s.estimateSeconds)}`).join(" + ");
      out.push({
        rule: this.id,
        severity: this.severity,
        path: [...env.at, "recovery", "rto"],
        message:
          `restoring ${env.name} is estimated at ${formatDuration(plan.totalSeconds)} (${breakdown}), ` +
          `more than its RTO of ${formatDuration(plan.rtoSeconds)}: exceeded by ${formatDuration(plan.totalSeconds - plan.rtoSeconds)}`,
        hint: "promise a longer RTO, or set measured durations in the environment's restoreEstimates (by step id) after a restore drill",
      });
    }
    // An estimate for a step that does not exist would silently not count.
    for (const plan of model.recovery) {
      const env = model.environments.find((e) => e.name === plan.environment);
      if (!env) continue;
      const methods = model.backups.filter((b) => plan.steps.some((s) => s.id === b.name)).map((b) => b.method);
      const known = new Set([...plan.steps.map((s) => s.id), ...methods]);
      for (const key of Object.keys(env.restoreEstimates)) {
        if (known.has(key)) continue;
        const hint = didYouMean(key, known);
        out.push({
          rule: "recovery/unknown-estimate",
          severity: "error",
          path: [...env.at, "restoreEstimates", key],
          message: `restoreEstimates names '${key}', which is no restore step of ${env.name}${hint ? ` — ${hint}` : ""}`,
          hint: `steps: ${[...known].join(", ")}`,
        });
      }
    }
    return out;
  },
};
