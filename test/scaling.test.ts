/**
 * Targets and model checks scale linearly with the platform: no scan of a Model collection inside a
 * loop over another. Counted, not timed: every element read of a Model collection (and of the deploy
 * graph's nodes) while the checks and targets run, at two sizes of the bench generator. A lookup by
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

/** The Model with each top-level collection behind a proxy that counts element reads. */
function counted(model: Model): { model: Model; reads: () => number } {
  let reads = 0;
  const count = <T extends object>(items: readonly T[]): readonly T[] =>
    new Proxy(items, {
      get(target, key, receiver) {
        if (typeof key === "string" && /^\d+$/.test(key)) reads++;
        return Reflect.get(target, key, receiver);
      },
    });
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(model)) copy[key] = Array.isArray(value) ? count(value) : value;
  copy.deploy = { ...model.deploy, nodes: count(model.deploy.nodes) };
  return { model: copy as unknown as Model, reads: () => reads };
}

function readsAt(services: number): { reads: number; deployments: number } {
  const spec = platformSchema.parse(syntheticSpec({ clusters: 2, environmentsPerCluster: 5, services })) as Spec;
  const { model, reads } = counted(resolve(spec, {}, loadServiceCharts()));
  for (const rule of RULES) if (rule.stage === "model") rule.check(model);
  for (const target of TARGETS) target.generate(model);
  return { reads: reads(), deployments: model.deployments.length };
}

describe("scaling", () => {
  it("reads Model collections linearly in the number of services (checks and every target)", () => {
    const small = readsAt(40);
    const large = readsAt(80);
    expect(large.deployments).toBe(2 * small.deployments);
    const ratio = large.reads / small.reads;
    // Linear: about 2 (fixed costs pull it lower); a scan per deployment makes it about 4.
    expect(ratio, `${small.reads} → ${large.reads} element reads`).toBeLessThan(2.3);
    expect(ratio).toBeGreaterThan(1.5);
  });
});
