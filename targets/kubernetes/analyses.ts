import type { IAnalysisTemplate } from "@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/AnalysisTemplate";
import type { Model, ModelAnalysis } from "../../compiler/model.js";
import { toGoDuration } from "../shared/go-duration.js";
import { namespacedMeta, type Placed } from "./objects.js";

/** One AnalysisTemplate per analysis and namespace that needs it (the Model's placements). */
export function analysisTemplates(model: Model): Placed[] {
  return model.analyses.flatMap((analysis) =>
    analysis.placements.map((p) => ({ cluster: p.cluster, namespace: p.namespace, object: analysisTemplate(model, analysis, p.namespace) })),
  );
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
