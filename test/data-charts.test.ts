/**
 * The data services plinth runs from a chart of their own (NATS): every such Application of every
 * example rendered by the real helm from the chart version plinth pins (vendored in
 * test/support/charts/), each object checked against its published schema with unknown fields
 * rejected, and sized as the spec says. Skips visibly without helm.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { NATS_CHART } from "../compiler/resolve/data-engines.js";
import { buildExample, EXAMPLES, ROOT } from "./helpers.js";
import { HELM, helm } from "./support/helm.js";
import { parseYamlDocuments } from "./support/k8s-check.js";
import { objectProblems } from "./support/strict-fields.js";

type Doc = Record<string, any>;

const CHARTS: Record<string, string> = { [`${NATS_CHART.name}@${NATS_CHART.version}`]: path.join(ROOT, "test", "support", "charts", "nats") };
const scratch = mkdtempSync(path.join(os.tmpdir(), "plinth-data-charts-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A manifest as the API server stores it: a field set to null is a field not set. */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null).map(([k, v]) => [k, withoutNulls(v)]));
}

describe.skipIf(!HELM).each(EXAMPLES)("data-service Applications of %s rendered by helm", (example) => {
  it("render, validate with unknown fields rejected, and run as sized on the profile's class", async () => {
    const { model, files } = await buildExample(example);
    const apps = files.filter((f) => /^argocd\/[^/]+\/data\//.test(f.path));
    const expected = model.dataServices.filter((d) => d.kubernetes?.kind === "chart").flatMap((d) => d.placements).length;
    expect(apps.length).toBe(expected);
    for (const file of apps) {
      const app = parseYamlDocuments(file.content)[0] as Doc;
      const source = app.spec.source as Doc;
      const chartDir = CHARTS[`${source.chart}@${source.targetRevision}`];
      expect(chartDir, `${file.path}: ${source.chart} ${source.targetRevision} is vendored`).toBeDefined();
      const values = path.join(scratch, `${app.metadata.name}.yaml`);
      writeFileSync(values, stringify(source.helm.valuesObject));
      const rendered = await helm(["template", source.helm.releaseName, chartDir!, "--namespace", app.spec.destination.namespace, "-f", values]);
      expect(rendered.code, rendered.stderr).toBe(0);
      // As Argo CD applies them: into the destination namespace (the chart names none), null fields absent.
      const objects = (parseYamlDocuments(rendered.stdout) as (Doc | null)[])
        .filter((o): o is Doc => o !== null)
        .map((o) => withoutNulls({ ...o, metadata: { namespace: app.spec.destination.namespace, ...o.metadata } }) as Doc);
      expect(objectProblems(objects, file.path)).toEqual([]);

      const ds = model.dataServices.find((d) => d.name === source.helm.releaseName)!;
      const placement = ds.placements.find((p) => p.namespace === app.spec.destination.namespace)!;
      const set = objects.find((o) => o.kind === "StatefulSet")!;
      expect(set.spec.replicas, file.path).toBe(placement.instances);
      expect(objects.filter((o) => o.kind === "Service").map((o) => o.metadata.name)).toContain(ds.name);
      const container = (set.spec.template.spec.containers as Doc[]).find((c) => c.name === "nats")!;
      expect(container.image).toBe(`nats:${ds.version}-alpine`);
      if (placement.resources) expect(container.resources).toEqual(placement.resources);
      const claims = (set.spec.volumeClaimTemplates ?? []) as Doc[];
      if (placement.storage === undefined) expect(claims).toEqual([]);
      else {
        const profile = model.profiles.find((p) => p.name === model.clusters.find((c) => c.name === placement.cluster)!.profile)!;
        expect(claims).toHaveLength(1);
        expect(claims[0]!.spec.storageClassName).toBe(profile.storageClass);
        expect(claims[0]!.spec.resources.requests.storage).toBe(placement.storage);
        expect(claims[0]!.metadata.labels["app.kubernetes.io/instance"]).toBe(ds.name);
      }
    }
  });
});
