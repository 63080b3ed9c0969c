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
  const waves = new Map<string, number>();
  for (const node of model.deploy.nodes) {
    if (node.kind !== "sync" || node.cluster === undefined || node.wave === undefined) continue;
    for (const o of node.objects) waves.set(`${node.cluster}\u0000${o.kind}\u0000${o.namespace ?? ""}\u0000${o.name}`, node.wave);
  }
  return (cluster, kind, namespace, name) => {
    const exact = waves.get(`${cluster}\u0000${kind}\u0000${namespace ?? ""}\u0000${name}`);
    const any = exact ?? waves.get(`${cluster}\u0000${kind}\u0000${namespace ?? ""}\u0000*`);
    if (any === undefined) throw new Error(`the deploy graph holds no ${kind} ${namespace ? `${namespace}/` : ""}${name} on cluster ${cluster}`);
    return any;
  };
}

export function waveAnnotation(wave: number): Record<string, string> {
  return { [SYNC_WAVE]: String(wave) };
}
