import type { Diagnostic } from "../diagnostics.js";
import type { Model } from "../model.js";
import type { ModelRule } from "./types.js";

const short = (digest: string) => `${digest.slice(0, 19)}…`;

/** The chart version a rung runs a service with: the lock's, else the one its deployment resolves to. */
function chartIn(model: Model, service: string, environment: string): string | undefined {
  return model.releaseLock[service]?.[environment]?.chart ?? model.deployments.find((d) => d.service === service && d.environment === environment)?.chart.version;
}

/**
 * A release moves one rung at a time: an environment is promoted from the rung just below it, and
 * what an upper rung runs — the image digest and the chart version — must be something the rung
 * below has run (now or in its history). Going back to something the upper rung itself ran before
 * is a rollback, and allowed.
 */
export const promotionRule: ModelRule = {
  id: "promotion/skips-rung",
  severity: "error",
  stage: "model",
  description: "A promotion that skips a rung of the environment ladder.",
  check(model) {
    const out: Diagnostic[] = [];
    const ladder = model.environments.filter((e) => e.promotable);
    const skipped = (service: string, env: string, message: string, hint: string) =>
      out.push({ rule: this.id, severity: "error", source: "lock", path: [service, env], message, hint });
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
      for (const [service, byEnv] of Object.entries(model.releaseLock)) {
        const here = byEnv[env.name];
        if (here === undefined) continue;
        const under = byEnv[below.name];
        if (under === undefined) {
          skipped(service, env.name, `'${service}' has a release in ${env.name} but none in ${below.name}: the digest skipped a rung`, `plinth promote ${service} --from ${below.name} --to ${env.name}`);
          continue;
        }
        const ranBelow = [{ digest: under.digest, chart: chartIn(model, service, below.name) }, ...under.history];
        const ranHere = here.history;
        const ran = (key: "digest" | "chart", value: string) => [...ranBelow, ...ranHere].some((r) => r[key] === value);
        const hint = `promote what ${below.name} runs (plinth promote ${service} --from ${below.name} --to ${env.name}), or roll back to something ${env.name} ran before`;
        if (!ran("digest", here.digest)) {
          skipped(service, env.name, `'${service}' runs ${short(here.digest)} in ${env.name}, which ${below.name} never ran: the digest skipped a rung`, hint);
        }
        const chart = chartIn(model, service, env.name);
        if (chart !== undefined && !ran("chart", chart)) {
          skipped(service, env.name, `'${service}' runs chart ${chart} in ${env.name}, which ${below.name} never ran: the chart skipped a rung`, hint);
        }
      }
    });
    return out;
  },
};
