import { getOrMake } from "../../compiler/collections.js";
import type { Model } from "../../compiler/model.js";

/** The annotation ArgoCD orders a sync by. */
export const SYNC_WAVE = "argocd.argoproj.io/sync-wave";

/**
 * The sync wave of each object the root application syncs, from the Model's deploy graph. An object
 * the graph does not hold is a bug in plinth (a target invented it), so asking for it throws.
 */
export function syncWaves(model: Model): (cluster: string, kind: string, namespace: string | undefined, name: string) => number {
  let known = wavesByModel.get(model);
  if (!known) {
    known = waveOf(model);
    wavesByModel.set(model, known);
  }
  return known;
}

/** One answer per Model: each cluster of each target asks. */
const wavesByModel = new WeakMap<Model, (cluster: string, kind: string, namespace: string | undefined, name: string) => number>();

function waveOf(model: Model): (cluster: string, kind: string, namespace: string | undefined, name: string) => number {
  // By cluster, kind, namespace ("" for none) and name: looked up by the Model's own strings
  // rather than by a key joined (and hashed) afresh for each of thousands of objects.
  const waves = new Map<string, Map<string, Map<string, Map<string, number>>>>();
  for (const node of model.deploy.nodes) {
    if (node.kind !== "sync" || node.cluster === undefined || node.wave === undefined) continue;
    const kinds = getOrMake(waves, node.cluster, () => new Map<string, Map<string, Map<string, number>>>());
    for (const o of node.objects) getOrMake(getOrMake(kinds, o.kind, () => new Map<string, Map<string, number>>()), o.namespace ?? "", () => new Map<string, number>()).set(o.name, node.wave);
  }
  return (cluster, kind, namespace, name) => {
    const names = waves.get(cluster)?.get(kind)?.get(namespace ?? "");
    const any = names?.get(name) ?? names?.get("*");
    if (any === undefined) throw new Error(`the deploy graph holds no ${kind} ${namespace ? `${namespace}/` : ""}${name} on cluster ${cluster}`);
    return any;
  };
}

export function waveAnnotation(wave: number): Record<string, string> {
  return { [SYNC_WAVE]: String(wave) };
}
