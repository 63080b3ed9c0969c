import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { syntheticSpec } from "../bench/generate.mjs";
import { quotaWorkloadsRule, thousands } from "../compiler/checks/quota-workloads.js";
import { resolve } from "../compiler/resolve/index.js";
import { platformSchema, type Spec } from "../spec/schema.js";

/** The generator's platform on one cluster and environment, its namespace's quota cut to `quota`. */
function modelWith(services: number, quota: { cpu: string; memory: string }) {
  const raw = syntheticSpec({ clusters: 1, environmentsPerCluster: 1, services }) as { namespaces: { quota: unknown }[] };
  raw.namespaces[0]!.quota = quota;
  return resolve(platformSchema.parse(raw) as Spec);
}

describe("quota/workloads-exceed", () => {
  it("names every workload when there are few, and the 8 largest and a count of the others when there are many", () => {
    const few = quotaWorkloadsRule.check(modelWith(3, { cpu: "100", memory: "1Mi" })).map((d) => d.message);
    expect(few).toHaveLength(1);
    expect(few[0]).toMatch(/^c0\/c0-e0 requests \S+ memory for svc0 ×2, svc1 ×2, svc2 ×2, db\d ×1.*, more than its quota of 1Mi$/);

    const model = modelWith(40, { cpu: "100", memory: "1Mi" });
    const many = quotaWorkloadsRule.check(model).map((d) => d.message);
    expect(many).toHaveLength(1);
    const listed = /for (.*) and (\d+) others, more than its quota of 1Mi$/.exec(many[0]!);
    expect(listed, many[0]).not.toBeNull();
    expect(listed![1]!.split(", ")).toHaveLength(8);
    // Every workload is counted once: the 8 named and the others.
    const workloads = (many[0]!.match(/×\d+/g) ?? []).length + Number(listed![2]);
    const dataInstances = model.dataServices.filter((ds) => ds.placements.some((p) => p.namespace === "c0-e0")).length;
    expect(workloads).toBe(40 + dataInstances);
    expect(dataInstances).toBeGreaterThan(0);
  });

  it("counts the others as toLocaleString(\"en\") writes them, without ICU", () => {
    for (const n of [0, 7, 992, 1000, 1992, 12345, 999999, 1000000]) expect(thousands(n)).toBe(n.toLocaleString("en"));
    fc.assert(fc.property(fc.nat({ max: Number.MAX_SAFE_INTEGER }), (n) => thousands(n) === n.toLocaleString("en")), { numRuns: 2000 });
  });
});
