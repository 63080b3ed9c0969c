import type { Spec } from "../../spec/schema.js";
import type { ModelAnalysis, ModelDeployment, ModelEnvironment, ModelRollout } from "../model.js";
import { byName, sorted } from "./util.js";

/** The `{{args.NAME}}` an analysis query may use: plinth fills these for every deployment. */
export const ANALYSIS_ARGS = ["service-name", "namespace", "environment"] as const;

/**
 * Analyses with the namespaces their AnalysisTemplates go to: an environment's Rollouts reference
 * templates by name in their own namespace, so every fixed-namespace environment whose rollout uses
 * an analysis gets a copy. Previews have no fixed namespace (their chart is expected to bring none).
 */
export function resolveAnalyses(spec: Spec, environments: readonly ModelEnvironment[], deployments: readonly ModelDeployment[], rollouts: readonly ModelRollout[]): ModelAnalysis[] {
  const placements = analysisPlacements(environments, deployments, rollouts);
  return spec.analyses
    .map(({ measures, ...a }, i) => ({ ...a, measuresHttp: (measures ?? (/\bhttp_/.test(a.query) ? "http" : "other")) === "http", args: analysisArgs(a), placements: placements.get(a.name) ?? [], at: ["analyses", i] }))
    .sort(byName);
}

/** Analysis name → the namespaces (in ladder order) where the environment's or a deployment's rollout uses it. */
export function analysisPlacements(
  environments: readonly ModelEnvironment[],
  deployments: readonly ModelDeployment[],
  rollouts: readonly ModelRollout[],
): Map<string, { cluster: string; namespace: string }[]> {
  const placements = new Map<string, Map<string, { cluster: string; namespace: string }>>();
  for (const env of environments) {
    if (env.runtime !== "kubernetes" || env.preview || env.cluster === undefined || env.namespace === undefined) continue;
    // The environment's rollout (its teams' own Rollouts may use it too) and the services' own there.
    const used = new Set([...(env.rollout !== undefined ? [env.rollout] : []), ...deployments.filter((d) => d.environment === env.name && d.rollout !== undefined).map((d) => d.rollout!)]);
    for (const name of sorted([...used].flatMap((r) => rollouts.find((x) => x.name === r)?.analyses ?? []))) {
      const here = placements.get(name) ?? new Map();
      here.set(`${env.cluster}/${env.namespace}`, { cluster: env.cluster, namespace: env.namespace });
      placements.set(name, here);
    }
  }
  return new Map([...placements].map(([name, here]) => [name, [...here.values()]]));
}

export function resolveRollouts(spec: Spec): ModelRollout[] {
  const rollouts: ModelRollout[] = spec.rollouts.map((r, i) => {
    const at = ["rollouts", i];
    switch (r.strategy) {
      case "canary": {
        const steps = r.steps.map((step) =>
          "setWeight" in step ? { setWeight: step.setWeight } : "pause" in step ? { pause: step.pause === undefined ? {} : { duration: step.pause } } : { analysis: { templates: (step as { analysis: string[] }).analysis } },
        );
        const analyses = sorted([...r.backgroundAnalysis, ...r.steps.flatMap((s) => ("analysis" in s ? s.analysis : []))]);
        return { ...r, steps, analyses, at };
      }
      case "blueGreen":
        return { ...r, analyses: sorted(r.prePromotionAnalysis), at };
      default:
        return { ...r, analyses: [], at };
    }
  });

  return rollouts.sort(byName);
}

/** What a deployment passes for each argument its rollout's AnalysisTemplates declare. */
export function passAnalysisArgs(spec: Spec, deployments: ModelDeployment[], rollouts: readonly ModelRollout[]): void {
  for (const deployment of deployments) {
    const names = sorted(
      (rollouts.find((r) => r.name === deployment.rollout)?.analyses ?? []).flatMap((name) => {
        const analysis = spec.analyses.find((a) => a.name === name);
        return analysis ? analysisArgs(analysis) : [];
      }),
    );
    const known: Record<(typeof ANALYSIS_ARGS)[number], string> = { "service-name": deployment.releaseName, namespace: deployment.namespace, environment: deployment.environment };
    const values = names.filter((name): name is keyof typeof known => Object.hasOwn(known, name)).map((name) => [name, known[name]] as const);
    if (values.length > 0) deployment.analysisArgs = Object.fromEntries(values);
  }

}

/** Names an Argo Rollouts analysis references as `{{args.NAME}}` (in its query or conditions), sorted. */
function analysisArgs(a: { query: string; successCondition: string; failureCondition?: string }): string[] {
  const text = [a.query, a.successCondition, a.failureCondition ?? ""].join("\n");
  return sorted([...text.matchAll(/\{\{\s*args\.([A-Za-z0-9_.-]+?)\s*\}\}/g)].map((m) => m[1]!));
}

