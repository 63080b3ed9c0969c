import type { IRetryStrategy } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/RetryStrategy";
import type { ISyncPolicy } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/SyncPolicy";
import type { Model } from "../../compiler/model.js";

export const ARGO_API_VERSION = "argoproj.io/v1alpha1";

/** Labels on every ArgoCD object plinth writes, for `argocd app list -l` and the runbooks. */
export function platformLabels(model: Model, extra: Record<string, string> = {}): Record<string, string> {
  return {
    "app.kubernetes.io/managed-by": "plinth",
    "app.kubernetes.io/part-of": model.platform.name,
    ...extra,
  };
}

/**
 * A failed sync is retried, bounded: the first sync of a component often hits a CRD another one is
 * still registering, and without a retry ArgoCD would not try that commit again. 10s, 20s, 40s, 80s,
 * 160s (capped at 3m). Manual syncs from the UI start from the same settings.
 */
export const SYNC_RETRY: IRetryStrategy = { limit: 5, backoff: { duration: "10s", factor: 2, maxDuration: "3m" } };

/**
 * A pull request's Applications wait for its namespace, which only its base Application creates
 * (another ApplicationSet, polling on its own timer): retried for about 20 minutes (10s … 3m, ten times).
 */
export const PREVIEW_SYNC_RETRY: IRetryStrategy = { limit: 10, backoff: { duration: "10s", factor: 2, maxDuration: "3m" } };

/** `automated` only when asked for: a manual environment has no automated block at all. */
export function syncPolicy(
  sync: { automated: boolean; prune: boolean; selfHeal: boolean },
  syncOptions: string[] = [],
  extra: Omit<ISyncPolicy, "automated" | "syncOptions"> = {},
): ISyncPolicy {
  return {
    ...(sync.automated && { automated: { prune: sync.prune, selfHeal: sync.selfHeal } }),
    ...(syncOptions.length > 0 && { syncOptions }),
    ...extra,
    retry: extra.retry ?? SYNC_RETRY,
  };
}

/**
 * Spec text inside an ApplicationSet template (goTemplate): a literal `{{` would start a template
 * action, so it is written as the action that prints it.
 */
export function goTemplateText(text: string): string {
  return text.split("{{").join('{{"{{"}}');
}

/** The Model writes a preview's pull request number as `{number}`; ApplicationSet go templates as `{{.number}}`. */
export function pullRequestTemplate(text: string): string {
  return goTemplateText(text).split("{number}").join("{{.number}}");
}
