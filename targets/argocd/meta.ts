import type { ISyncPolicy } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/SyncPolicy";
import type { Model, ModelCluster } from "../../compiler/model.js";

export const ARGO_API_VERSION = "argoproj.io/v1alpha1";

/**
 * Sync waves of the objects the root application owns. ArgoCD applies a wave only after the previous
 * one is healthy: projects before anything that names them, operators (component waves from the Model)
 * before the kubernetes/<cluster> tree whose ExternalSecrets, SecretStores and
 * AnalysisTemplates need their CRDs, and that tree (namespaces, quotas, secrets) before the workloads.
 * ArgoCD waits on a child Application's health only with the Application health check configured in
 * argocd-cm (the bootstrap's concern); without it the waves still order creation.
 */
export const PROJECT_WAVE = -10;

/** First wave after every component, so every operator's CRDs exist. */
export function kubernetesTreeWave(cluster: ModelCluster): number {
  return Math.max(0, ...cluster.components.map((c) => c.syncWave + 1));
}

export function workloadWave(cluster: ModelCluster): number {
  return kubernetesTreeWave(cluster) + 1;
}

export function waveAnnotation(wave: number): Record<string, string> {
  return { "argocd.argoproj.io/sync-wave": String(wave) };
}

/** Labels on every ArgoCD object plinth writes, for `argocd app list -l` and the runbooks. */
export function platformLabels(model: Model, extra: Record<string, string> = {}): Record<string, string> {
  return {
    "app.kubernetes.io/managed-by": "plinth",
    "app.kubernetes.io/part-of": model.platform.name,
    ...extra,
  };
}

/** `automated` only when asked for: a manual environment has no automated block at all. */
export function syncPolicy(
  sync: { automated: boolean; prune: boolean; selfHeal: boolean },
  syncOptions: string[] = [],
  extra: Omit<ISyncPolicy, "automated" | "syncOptions"> = {},
): ISyncPolicy | undefined {
  const policy: ISyncPolicy = {
    ...(sync.automated && { automated: { prune: sync.prune, selfHeal: sync.selfHeal } }),
    ...(syncOptions.length > 0 && { syncOptions }),
    ...extra,
  };
  return Object.keys(policy).length > 0 ? policy : undefined;
}

/** The Model writes a preview's pull request number as `{number}`; ApplicationSet go templates as `{{.number}}`. */
export function pullRequestTemplate(text: string): string {
  return text.split("{number}").join("{{.number}}");
}
