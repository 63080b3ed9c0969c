/**
 * Resolve, the model checks and the targets scale linearly with the platform: no scan of a collection
 * inside a loop over another. Counted, not timed: every element read of the spec's collections while
 * resolve runs, and of the Model's (and the deploy graph's nodes) while the checks and targets run,
 * at two sizes of the bench generator. A lookup by
 * scan inside a per-deployment loop reads about four times as many elements when the services
 * double; indexes built once read about twice as many.
 */
import { describe, expect, it } from "vitest";
import { syntheticSpec } from "../bench/generate.mjs";
import { loadServiceCharts } from "../compiler/charts.js";
import { RULES } from "../compiler/checks/index.js";
import type { Model } from "../compiler/model.js";
import { resolve } from "../compiler/resolve/index.js";
import { platformSchema, type Spec } from "../spec/schema.js";
import { TARGETS } from "../targets/index.js";

/** Counts element reads of the arrays it wraps. */
function counter() {
  let reads = 0;
  const count = <T extends object>(items: readonly T[]): readonly T[] =>
    new Proxy(items, {
      get(target, key, receiver) {
        if (typeof key === "string" && /^\d+$/.test(key)) reads++;
        return Reflect.get(target, key, receiver);
      },
    });
  /** A copy of `object` whose top-level arrays count their reads. */
  const wrap = <T extends object>(object: T): T => Object.fromEntries(Object.entries(object).map(([key, value]) => [key, Array.isArray(value) ? count(value) : value])) as T;
  return { count, wrap, reads: () => reads };
}

function readsAt(services: number): { resolve: number; targets: number; deployments: number } {
  const spec = platformSchema.parse(syntheticSpec({ clusters: 2, environmentsPerCluster: 5, services })) as Spec;
  const inResolve = counter();
  const resolved = resolve(inResolve.wrap(spec), {}, loadServiceCharts());
  const inTargets = counter();
  const model = { ...inTargets.wrap(resolved), deploy: { ...resolved.deploy, nodes: inTargets.count(resolved.deploy.nodes) } } as Model;
  for (const rule of RULES) if (rule.stage === "model") rule.check(model);
  for (const target of TARGETS) target.generate(model);
  return { resolve: inResolve.reads(), targets: inTargets.reads(), deployments: model.deployments.length };
}

describe("scaling", () => {
  const small = readsAt(40);
  const large = readsAt(80);

  it.each(["resolve", "targets"] as const)("%s reads the collections it is given linearly in the number of services", (stage) => {
    expect(large.deployments).toBe(2 * small.deployments);
    const ratio = large[stage] / small[stage];
    // Linear: about 2, pulled lower by what does not grow with the services (clusters, environments,
    // stores); a scan per service or deployment makes it about 4. Above 1.3: the counting works.
    expect(ratio, `${small[stage]} → ${large[stage]} element reads`).toBeLessThan(2.3);
    expect(ratio).toBeGreaterThan(1.3);
  });
});
