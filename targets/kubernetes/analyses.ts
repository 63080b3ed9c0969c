import type { IAnalysisTemplate } from "@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/AnalysisTemplate";
import type { Model, ModelAnalysis } from "../../compiler/model.js";
import { toGoDuration } from "../shared/go-duration.js";
import { namespacedMeta, type Placed } from "./objects.js";

/**
 * One AnalysisTemplate per analysis and namespace that needs it: an environment's Rollouts reference
 * templates by name in their own namespace, so every fixed-namespace environment whose rollout uses
 * an analysis gets a copy. Previews have no fixed namespace and are skipped.
 */
export function analysisTemplates(model: Model): Placed[] {
  const analyses = new Map(model.analyses.map((a) => [a.name, a]));
  const rollouts = new Map(model.rollouts.map((r) => [r.name, r]));
  const placed = new Map<string, Placed>();
  for (const env of model.environments) {
    if (env.runtime !== "kubernetes" || env.preview || env.cluster === undefined || env.namespace === undefined || env.rollout === undefined) continue;
    const rollout = rollouts.get(env.rollout);
    if (!rollout) throw new Error(`environment "${env.name}" uses unknown rollout "${env.rollout}"`);
    for (const name of rollout.analyses) {
      const analysis = analyses.get(name);
      if (!analysis) throw new Error(`rollout "${rollout.name}" uses unknown analysis "${name}"`);
      const key = `${env.cluster}/${env.namespace}/${name}`;
      if (!placed.has(key)) placed.set(key, { cluster: env.cluster, namespace: env.namespace, object: analysisTemplate(model, analysis, env.namespace) });
    }
  }
  return [...placed.values()];
}

/** A single Prometheus metric named after the analysis, declaring the arguments its query uses. */
export function analysisTemplate(model: Model, analysis: ModelAnalysis, namespace: string): IAnalysisTemplate {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "AnalysisTemplate",
    metadata: namespacedMeta(model, analysis.name, namespace),
    spec: {
      // Declared without a value: each Rollout that runs the analysis supplies one.
      ...(analysis.args.length > 0 && { args: analysis.args.map((name) => ({ name })) }),
      metrics: [
        {
          name: analysis.name,
          interval: toGoDuration(analysis.interval),
          count: analysis.count,
          failureLimit: analysis.failureLimit,
          successCondition: analysis.successCondition,
          ...(analysis.failureCondition !== undefined && { failureCondition: analysis.failureCondition }),
          provider: { prometheus: { address: analysis.prometheus, query: analysis.query } },
        },
      ],
    },
  };
}
