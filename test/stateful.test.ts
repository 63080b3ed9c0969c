import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { newestServiceChartDir } from "../compiler/charts.js";
import { ROOT, runPlinth } from "./helpers.js";
import { HELM, lintAndTemplate } from "./support/helm.js";
import { objectProblems } from "./support/strict-fields.js";

if (!HELM) console.warn("SKIPPED: rendering the StatefulSet needs helm (scripts/fetch-helm.mjs, $PLINTH_HELM or helm on the PATH)");

const scratch = mkdtempSync(path.join(os.tmpdir(), "plinth-stateful-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/**
 * The expected-error case of a StatefulSet in production without a readiness probe, with the probe
 * added: exactly what production requires of a service with per-replica state instead of an
 * analysed canary (a rolling rollout, each pod Ready before the next).
 */
async function guardedStatefulBuild(): Promise<string> {
  const dir = path.join(scratch, "guarded");
  cpSync(path.join(ROOT, "test/cases/unguarded-production-statefulset"), dir, { recursive: true });
  const spec = path.join(dir, "platform.ts");
  const before = readFileSync(spec, "utf8");
  const after = before.replace('overrides: { prod: { rollout: "one-by-one" } },', 'overrides: { prod: { rollout: "one-by-one" } },\n      probes: { readiness: { path: "/ready", port: "http" } },');
  expect(after).not.toBe(before);
  writeFileSync(spec, after);
  const out = path.join(dir, "out");
  const result = await runPlinth(["build", dir, "--out", out], dir);
  expect(result.code, result.stderr).toBe(0);
  return out;
}

describe("persistent per-replica state", () => {
  let out: string;
  /** prod's values as built, with an image digest (the case has no release lock) and `edit` applied. */
  const pinnedValues = (edit: (values: Record<string, any>) => Record<string, any>) => {
    const values = parse(readFileSync(path.join(out, "helm/prod/indexer.values.yaml"), "utf8"));
    values.image.digest = `sha256:${"a".repeat(64)}`;
    const file = path.join(mkdtempSync(path.join(scratch, "values-")), "values.yaml");
    writeFileSync(file, JSON.stringify(edit(values)));
    return file;
  };

  it("production accepts a StatefulSet rolled pod by pod with a readiness probe, and values carry its claims", async () => {
    out = await guardedStatefulBuild();
    const values = parse(readFileSync(path.join(out, "helm/prod/indexer.values.yaml"), "utf8"));
    expect(values.persistence).toEqual([{ name: "index", mountPath: "/var/lib/indexer", size: "20Gi", storageClassName: "gp3" }]);
    expect(values.rollout.enabled).toBe(false);
    expect(values.readinessProbe.httpGet.path).toBe("/ready");
    // The deploy graph needs the claims' StorageClass.
    expect(readFileSync(path.join(out, "runbooks/first-install.md"), "utf8")).toMatch(/ApplicationSet prod \|[^\n]*`StorageClass main\/gp3`/);
  });

  it.skipIf(!HELM)("renders a strictly valid StatefulSet with one claim per replica, which the HPA scales", async () => {
    const render = await lintAndTemplate(newestServiceChartDir(), "indexer", "prod", [pinnedValues((v) => v)]);
    expect([render.lint.code, render.template.code, render.template.stderr]).toEqual([0, 0, ""]);
    expect(objectProblems(render.objects, "statefulset")).toEqual([]);
    const set = render.objects.find((o) => o.kind === "StatefulSet")!;
    expect(render.objects.some((o) => o.kind === "Deployment" || o.kind === "Rollout")).toBe(false);
    // The governing Service is headless, so each replica has a stable DNS name.
    expect(set.spec.serviceName).toBe("indexer-headless");
    const governing = render.objects.find((o) => o.kind === "Service" && o.metadata.name === "indexer-headless")!;
    expect(governing.spec).toMatchObject({ clusterIP: "None", selector: set.spec.selector.matchLabels });
    expect(set.spec.updateStrategy).toEqual({ type: "RollingUpdate" });
    expect(set.spec.strategy).toBeUndefined();
    expect(set.spec.volumeClaimTemplates).toEqual([
      { metadata: { name: "index" }, spec: { accessModes: ["ReadWriteOnce"], storageClassName: "gp3", resources: { requests: { storage: "20Gi" } } } },
    ]);
    expect(set.spec.template.spec.containers[0].volumeMounts).toContainEqual({ name: "index", mountPath: "/var/lib/indexer" });
    expect(render.objects.find((o) => o.kind === "HorizontalPodAutoscaler")!.spec.scaleTargetRef).toEqual({ apiVersion: "apps/v1", kind: "StatefulSet", name: "indexer" });
  });

  it.skipIf(!HELM)("the chart refuses persistence under an Argo Rollout", async () => {
    const file = pinnedValues((v) => ({ ...v, rollout: { enabled: true, strategy: "canary", autoRollback: true, canary: { steps: [{ setWeight: 50 }] } } }));
    const render = await lintAndTemplate(newestServiceChartDir(), "indexer", "prod", [file]);
    expect(render.template.code).not.toBe(0);
    expect(render.template.stderr).toContain("persistence (a StatefulSet) cannot be rolled out by Argo Rollouts");
  });
});
