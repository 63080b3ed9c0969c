import type { Spec } from "../../spec/schema.js";
import type { ModelDataService, ModelEnvironment, ModelService, Tier } from "../model.js";
import { seconds, sortKeys, sorted, stripUndefined } from "./util.js";

export type SpecEnvironment = Spec["environments"][number];

/** Environment fields after `extends` is applied (base first, own fields win). */
export function inherit(spec: Spec): SpecEnvironment[] {
  const byEnvName = new Map(spec.environments.map((e) => [e.name, e]));
  const done = new Map<string, SpecEnvironment>();
  const visit = (env: SpecEnvironment, seen: Set<string>): SpecEnvironment => {
    const cached = done.get(env.name);
    if (cached) return cached;
    let merged = env;
    if (env.extends && !seen.has(env.name)) {
      const base = byEnvName.get(env.extends);
      if (base) {
        const resolvedBase = visit(base, new Set([...seen, env.name]));
        const { name: _n, extends: _e, preview: _p, promoteFrom: _f, ...inheritable } = resolvedBase;
        merged = { ...inheritable, ...stripUndefined(env) } as SpecEnvironment;
      }
    }
    done.set(env.name, merged);
    return merged;
  };
  return spec.environments.map((env) => visit(env, new Set()));
}

/** An environment's ArgoCD sync settings with their defaults applied. */
export function syncSettings(e: SpecEnvironment): { sync: "auto" | "manual"; prune: boolean; selfHeal: boolean } {
  const sync = e.sync ?? "manual";
  return { sync, prune: e.prune ?? false, selfHeal: e.selfHeal ?? sync === "auto" };
}

/**
 * The ladder: every environment with its defaults, its place on the promotion path (kubernetes
 * environments that are not previews, in spec order) and what its tier runs.
 */
export function resolveEnvironments(environmentsSpec: SpecEnvironment[], services: readonly ModelService[], dataServices: readonly ModelDataService[]): ModelEnvironment[] {
  let previousRung: string | undefined;
  const environments: ModelEnvironment[] = environmentsSpec.map((e, index) => {
    const runtime = e.runtime ?? (e.cluster ? "kubernetes" : "compose");
    const promotable = runtime === "kubernetes" && !e.preview;
    const promoteFrom = promotable ? (e.promoteFrom ?? previousRung) : e.promoteFrom;
    if (promotable) previousRung = e.name;
    const tier = e.tier ?? "standard";
    const { sync, prune, selfHeal } = syncSettings(e);
    const production = e.production ?? false;
    const inTier = (item: { tiers: Tier[]; namespace?: string }) => item.tiers.includes(tier);
    return {
      name: e.name,
      index,
      runtime,
      ...(e.cluster !== undefined && { cluster: e.cluster }),
      ...(e.namespace !== undefined && { namespace: e.namespace }),
      ...((e.dataNamespace ?? e.namespace) !== undefined && { dataNamespace: e.dataNamespace ?? e.namespace }),
      promotable,
      ...(promoteFrom !== undefined && { promoteFrom }),
      production,
      sync,
      prune,
      selfHeal,
      approval: e.approval ?? "none",
      scale:
        e.scale === undefined
          ? { kind: "fixed", replicas: 1 }
          : "replicas" in e.scale
            ? { kind: "fixed", replicas: e.scale.replicas }
            : { kind: "autoscale", min: e.scale.min, max: e.scale.max, targetCPU: e.scale.targetCPU },
      tier,
      hosts: e.hosts ?? [],
      featureFlags: sortKeys(e.featureFlags ?? {}),
      ...(e.secrets && { secrets: e.secrets }),
      ...(e.rollout !== undefined && { rollout: e.rollout }),
      data: e.data ?? "synthetic",
      ...(e.preview && {
        preview: {
          repository: e.preview.repository,
          owner: e.preview.repository.split("/")[0]!,
          repo: e.preview.repository.split("/")[1] ?? "",
          namespacePrefix: e.preview.namespacePrefix,
          labels: e.preview.labels,
          requeueAfterSeconds: seconds(e.preview.requeueAfter),
          ...(e.preview.host !== undefined && { host: e.preview.host }),
          ...(e.preview.token !== undefined && { token: { ...e.preview.token } }),
        },
      }),
      ...(e.recovery && {
        recovery: { ...e.recovery, rtoSeconds: seconds(e.recovery.rto), rpoSeconds: seconds(e.recovery.rpo) },
      }),
      restoreEstimates: Object.fromEntries(Object.entries(e.restoreEstimates ?? {}).map(([k, v]) => [k, seconds(v)])),
      services: sorted(services.filter(inTier).map((s) => s.name)),
      dataServices: sorted(dataServices.filter((d) => inTier(d) && d.namespace === undefined).map((d) => d.name)),
      at: ["environments", index],
    };
  });

  return environments;
}

/**
 * What each preview's pull request gets besides its services: one Application (of the ApplicationSet
 * `<environment>-base`) owning the pull request's Namespace and the data services its services use,
 * from a kustomization at `path` whose namespace Argo CD sets per pull request. Deleting it when the
 * pull request closes deletes the Namespace, and with it everything in it.
 */
export const previewBase = (env: { name: string; cluster?: string }) => ({
  applicationSet: `${env.name}-base`,
  application: `${env.name}-{number}-base`,
  path: `kubernetes/_previews/${env.cluster}/${env.name}`,
});

/** The ApplicationSet of a preview's copy of a data service run by a chart of its own (NATS). */
export const previewDataApplicationSetName = (environment: string, dataService: string) => `${environment}-data-${dataService}`;
