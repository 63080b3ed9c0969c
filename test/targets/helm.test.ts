import { afterAll, describe, expect, it } from "vitest";
import type { Model, ModelDeployment } from "../../compiler/model.js";
import type { Spec } from "../../spec/schema.js";
import { helmTarget } from "../../targets/helm/index.js";
import type { OutputFile } from "../../targets/types.js";
import { fixtureModel } from "../fixtures/model.js";
import { buildExample, editedExample, EXAMPLES } from "../helpers.js";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { newestServiceChartDir } from "../../compiler/charts.js";
import { serviceValuesSchema } from "../../targets/helm/schema.js";
import { HELM, lintAndTemplate } from "../support/helm.js";
import { markdownProblems } from "../support/markdownlint.js";
import { k8sProblems, parseYamlDocuments, validateWithModel } from "../support/k8s-check.js";

type Doc = Record<string, any>;

const generate = (model: Model = fixtureModel()) => helmTarget.generate(model);

/** One values file, parsed strictly; YAML 1.1 readers (Helm's Go yaml) must see the same data. */
function values(files: OutputFile[], path: string): Doc {
  const file = files.find((f) => f.path === path);
  expect(file, path).toBeDefined();
  const docs = parseYamlDocuments(file!.content);
  expect(docs).toHaveLength(1);
  expect(parseYamlDocuments(file!.content, "1.1"), `${path} as YAML 1.1`).toEqual(docs);
  return docs[0] as Doc;
}

/** Values of one deployment, checked against the plinth-service contract (targets/helm/schema.ts). */
function honoursContract(files: OutputFile[], deployment: ModelDeployment): Doc {
  const parsed = serviceValuesSchema.safeParse(values(files, deployment.valuesPath));
  expect(parsed.success ? [] : parsed.error.issues, deployment.valuesPath).toEqual([]);
  return parsed.data as Doc;
}

const scratch = mkdtempSync(path.join(os.tmpdir(), "plinth-helm-target-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/**
 * Values of one deployment rendered by the real helm through the newest plinth-service (as a
 * preview's ApplicationSet would: with a tag and pull request 42's host); every object must validate.
 */
async function rendered(files: OutputFile[], deployment: ModelDeployment): Promise<Doc[]> {
  honoursContract(files, deployment);
  const file = path.join(scratch, deployment.valuesPath.replaceAll("/", "_"));
  writeFileSync(file, files.find((f) => f.path === deployment.valuesPath)!.content);
  const preview = deployment.namespace.includes("{number}");
  const parameters = preview
    ? [{ name: "image.tag", value: "abc123" }, ...deployment.hosts.slice(0, 1).flatMap((h) => [{ name: "ingress.hosts[0].host", value: h.replace("{number}", "42") }, { name: "ingress.tls[0].hosts[0]", value: h.replace("{number}", "42") }])]
    : [];
  const render = await lintAndTemplate(newestServiceChartDir(), deployment.releaseName, deployment.namespace.replace("{number}", "42"), [file], parameters);
  expect([render.lint.code, render.template.stderr], deployment.valuesPath).toEqual([0, ""]);
  for (const object of render.objects) {
    expect(k8sProblems(object), `${deployment.valuesPath} → ${object.kind}`).toEqual([]);
    validateWithModel(object);
  }
  return render.objects;
}

describe("helm target on the fixture", () => {
  const model = fixtureModel();
  const files = generate(model);

  it("writes helm/<environment>/<service>.values.yaml at each deployment's valuesPath, and the values reference, sorted", () => {
    expect(files.map((f) => f.path)).toEqual(["helm/dev/api.values.yaml", "helm/preview/api.values.yaml", "helm/prod/api.values.yaml", "helm/values-reference.md"]);
    expect(files.filter((f) => f.path.endsWith(".values.yaml")).map((f) => f.path)).toEqual(model.deployments.map((d) => d.valuesPath).sort());
  });

  it("is byte-deterministic", () => {
    expect(generate(fixtureModel())).toEqual(files);
  });

  it("keeps strings YAML 1.1 would misread as strings", () => {
    const dev = values(files, "helm/dev/api.values.yaml");
    expect(dev.env).toContainEqual({ name: "FEATURE_X", value: "on" });
    expect(dev.featureFlags).toEqual({ banner: "yes", newCheckout: true });
  });

  it.skipIf(!HELM)("renders through plinth-service into valid Kubernetes and Argo Rollouts objects", async () => {
    const kinds = (await Promise.all(model.deployments.map((d) => rendered(files, d)))).flat().map((o) => o.kind);
    expect(new Set(kinds)).toEqual(new Set(["Rollout", "Service", "ServiceAccount", "Ingress", "HorizontalPodAutoscaler", "PodDisruptionBudget"]));
  });

  it("pins the image by digest from the release lock and never by tag", () => {
    const dev = values(files, "helm/dev/api.values.yaml");
    expect(dev.image).toEqual({ repository: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/acme/api", digest: `sha256:${"a".repeat(64)}`, pullPolicy: "IfNotPresent" });
    expect(values(files, "helm/preview/api.values.yaml").image.digest).toBeUndefined();
    for (const deployment of model.deployments) expect(values(files, deployment.valuesPath).image.tag).toBeUndefined();
  });

  it("fixed scale is replicaCount, autoscaling is the HPA block", () => {
    const dev = values(files, "helm/dev/api.values.yaml");
    const prod = values(files, "helm/prod/api.values.yaml");
    expect(dev.replicaCount).toBe(1);
    expect(dev.autoscaling).toEqual({ enabled: false });
    expect(prod.replicaCount).toBeUndefined();
    expect(prod.autoscaling).toEqual({ enabled: true, minReplicas: 3, maxReplicas: 10, targetCPUUtilizationPercentage: 70 });
  });

  it("ingress with hosts and TLS where the environment has hosts, hardened security contexts, probes by port name", () => {
    const dev = values(files, "helm/dev/api.values.yaml");
    expect(dev.ingress).toEqual({
      enabled: true,
      hosts: [{ host: "dev.acme.example", paths: [{ path: "/", pathType: "Prefix" }] }],
      tls: [{ secretName: "api-tls", hosts: ["dev.acme.example"] }],
    });
    expect(dev.service).toEqual({ type: "ClusterIP", port: 8080 });
    expect(dev.securityContext).toMatchObject({ allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { drop: ["ALL"] } });
    expect(dev.podSecurityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
    expect(dev.readinessProbe).toEqual({ httpGet: { path: "/healthz", port: "http" }, initialDelaySeconds: 5, periodSeconds: 10 });
    const noHosts = fixtureModel();
    noHosts.deployments[0]!.hosts = [];
    expect(values(generate(noHosts), "helm/dev/api.values.yaml").ingress).toEqual({ enabled: false });
    const withClass = fixtureModel();
    withClass.clusters[0]!.ingressClassName = "nginx";
    expect(values(generate(withClass), "helm/dev/api.values.yaml").ingress.className).toBe("nginx");
  });

  it("rollout: canary steps and background analysis in Argo Rollouts' shape", () => {
    expect(values(files, "helm/prod/api.values.yaml").rollout).toEqual({
      enabled: true,
      strategy: "canary",
      autoRollback: true,
      canary: {
        steps: [
          { setWeight: 10 },
          { pause: { duration: "5m" } },
          { analysis: { templates: [{ templateName: "latency-p99" }] } },
          { setWeight: 50 },
          { pause: {} },
        ],
        analysis: { templates: [{ templateName: "error-rate" }] },
      },
    });
  });

  it("rollout: every analysis passes the deployment's value for each argument its templates declare, and only those", () => {
    const model = fixtureModel();
    model.rollouts.push({ name: "bg", strategy: "blueGreen", autoPromotion: false, prePromotionAnalysis: ["error-rate", "latency-p99"], scaleDownDelay: "1m", analyses: ["error-rate", "latency-p99"], at: [] });
    const [dev, , prod] = model.deployments;
    // environment is declared by no template here, so it is not passed.
    prod!.analysisArgs = { "service-name": "api", environment: "prod" };
    dev!.analysisArgs = { "service-name": "api" };
    dev!.rollout = "bg";
    const out = generate(model);
    const canary = values(out, "helm/prod/api.values.yaml").rollout.canary;
    expect(canary.analysis).toEqual({ templates: [{ templateName: "error-rate" }], args: [{ name: "service-name", value: "api" }] });
    // latency-p99 declares no argument.
    expect(canary.steps[2]).toEqual({ analysis: { templates: [{ templateName: "latency-p99" }] } });
    expect(values(out, "helm/dev/api.values.yaml").rollout.blueGreen.prePromotionAnalysis).toEqual({
      templates: [{ templateName: "error-rate" }, { templateName: "latency-p99" }],
      args: [{ name: "service-name", value: "api" }],
    });
    for (const deployment of [dev!, prod!]) honoursContract(out, deployment);
  });

  it("rollout: rolling and recreate are Deployment strategies, blue-green a Rollout; no rollout is a plain Deployment", async () => {
    const model = fixtureModel();
    model.rollouts.push(
      { name: "rolling", strategy: "rolling", maxSurge: "25%", maxUnavailable: "0", analyses: [], at: [] },
      { name: "bg", strategy: "blueGreen", autoPromotion: false, prePromotionAnalysis: ["error-rate"], scaleDownDelay: "1m", analyses: ["error-rate"], at: [] },
    );
    const [dev, preview, prod] = model.deployments;
    dev!.rollout = "rolling";
    preview!.rollout = undefined;
    prod!.rollout = "bg";
    const out = generate(model);
    expect(values(out, "helm/dev/api.values.yaml").rollout).toEqual({
      enabled: false,
      strategy: "rolling",
      deploymentStrategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: 0 } },
    });
    expect(values(out, "helm/preview/api.values.yaml").rollout).toEqual({ enabled: false });
    expect(values(out, "helm/prod/api.values.yaml").rollout).toEqual({
      enabled: true,
      strategy: "blueGreen",
      blueGreen: { autoPromotionEnabled: false, prePromotionAnalysis: { templates: [{ templateName: "error-rate" }] }, scaleDownDelaySeconds: 60 },
    });
    for (const deployment of [dev!, preview!, prod!]) honoursContract(out, deployment);
    if (!HELM) return console.warn("SKIPPED: rendering with helm (no helm binary)");
    expect((await rendered(out, dev!)).map((o) => o.kind)).toContain("Deployment");
    expect((await rendered(out, prod!)).map((o) => o.kind)).toContain("Rollout");
  });

  it("externalSecrets names the Secret and its keys, never a value", () => {
    expect(values(files, "helm/dev/api.values.yaml").externalSecrets).toEqual({ secretName: "api-secrets", keys: ["DATABASE_URL"], create: false });
    const none = fixtureModel();
    delete none.deployments[0]!.secretName;
    expect(values(generate(none), "helm/dev/api.values.yaml").externalSecrets).toBeUndefined();
  });

  it("a preview's chart creates its own ExternalSecret, with references only", () => {
    const model = fixtureModel();
    const preview = model.deployments.find((d) => d.namespace.includes("{number}"));
    expect(preview, "the fixture has a preview deployment").toBeDefined();
    preview!.secretName = `${preview!.service}-secrets`;
    preview!.chartExternalSecret = { store: "vault", storeKind: "ClusterSecretStore", refreshInterval: "1h", data: [{ secretKey: "DATABASE_URL", key: "preview/api/db", property: "url" }] };
    const out = values(generate(model), preview!.valuesPath).externalSecrets;
    expect(out).toMatchObject({
      create: true,
      secretStoreRef: { name: "vault", kind: "ClusterSecretStore" },
      data: [{ secretKey: "DATABASE_URL", remoteRef: { key: "preview/api/db", property: "url" } }],
    });
  });

  it("a change to one deployment changes only that environment's file", () => {
    const changed = fixtureModel();
    changed.deployments[2]!.env = { ...changed.deployments[2]!.env, LOG_LEVEL: "warn" };
    const out = generate(changed);
    const differing = out.filter((f, i) => f.content !== files[i]!.content).map((f) => f.path);
    expect(differing).toEqual(["helm/prod/api.values.yaml"]);
  });
});

describe("helm values from a spec (bitvault)", () => {
  /** Resolves the example's spec after `edit`, the way compileSpec does, and runs the helm target. */
  async function helmFor(edit: (spec: Spec) => void): Promise<OutputFile[]> {
    return helmTarget.generate((await editedExample("bitvault", edit)).model);
  }

  it("a service override changes only that environment's values, and only where it says", async () => {
    const before = await helmFor(() => {});
    const after = await helmFor((spec) => {
      const service = spec.services.find((s) => s.name === "api")!;
      service.overrides = { ...service.overrides, staging: { ...service.overrides.staging, replicas: 7, env: { EXTRA_FLAG: "on" } } };
    });
    expect(after.map((f) => f.path)).toEqual(before.map((f) => f.path));
    const differing = after.filter((f, i) => f.content !== before[i]!.content).map((f) => f.path);
    expect(differing).toEqual(["helm/staging/api.values.yaml"]);
    const old = values(before, "helm/staging/api.values.yaml");
    const now = values(after, "helm/staging/api.values.yaml");
    expect(now.replicaCount).toBe(7);
    expect(now.autoscaling).toEqual({ enabled: false });
    expect(now.env).toContainEqual({ name: "EXTRA_FLAG", value: "on" });
    const { replicaCount: _a, autoscaling: _b, env: _c, ...restNow } = now;
    const { replicaCount: _d, autoscaling: _e, env: _f, ...restOld } = old;
    expect(restNow).toEqual(restOld);
  });

  it("an analysis step passes service-name: the Service the release creates", async () => {
    const files = await helmFor(() => {});
    const staging = values(files, "helm/staging/api.values.yaml").rollout.canary;
    const step = staging.steps.find((x: Doc) => x.analysis);
    expect(step.analysis).toEqual({ templates: [{ templateName: "http-success-rate" }], args: [{ name: "service-name", value: "api" }] });
  });
});

describe.each(EXAMPLES)("helm target on example %s", (example) => {
  it("writes a values file honouring the contract per deployment, and the plinth-service versions in use", async () => {
    const { model, files } = await buildExample(example);
    const own = files.filter((f) => f.path.startsWith("helm/") && f.path.endsWith(".values.yaml") && !f.path.startsWith("helm/_charts/"));
    expect(own.map((f) => f.path).sort()).toEqual(model.deployments.map((d) => d.valuesPath).sort());
    for (const deployment of model.deployments) honoursContract(own, deployment);
    const versions = [...new Set(model.deployments.filter((d) => d.chart.kind === "plinth-service").map((d) => d.chart.version))].sort();
    const written = [...new Set(files.filter((f) => f.path.startsWith("helm/_charts/")).map((f) => f.path.split("/")[3]))].sort();
    expect(written).toEqual(versions);
    for (const version of versions) expect(files.map((f) => f.path)).toContain(`helm/_charts/plinth-service/${version}/values.schema.json`);
  });

  it("writes a values reference that lints and names every key the values files use", async () => {
    const { model, files } = await buildExample(example);
    const reference = files.find((f) => f.path === "helm/values-reference.md");
    if (model.deployments.length === 0) return expect(reference).toBeUndefined();
    expect(await markdownProblems({ "values-reference.md": reference!.content })).toEqual([]);
    // Every key path in every values file (into objects and lists of objects) has its row.
    const keys = (value: unknown, prefix: string): string[] =>
      Array.isArray(value)
        ? value.flatMap((item) => keys(item, `${prefix}[]`))
        : value !== null && typeof value === "object"
          ? Object.entries(value).flatMap(([k, v]) => [`${prefix}${prefix ? "." : ""}${k}`, ...keys(v, `${prefix}${prefix ? "." : ""}${k}`)])
          : [];
    const rows = new Map([...reference!.content.matchAll(/^\| `([^`]+)` \| ((?:[^|\\]|\\.)+) \|/gm)].map((m) => [m[1]!, m[2]!]));
    // A Kubernetes or Argo Rollouts structure, or a map, is one row: what lies inside is its own type's.
    const opaque = (type: string) => /\((Kubernetes|Argo Rollouts)|^map of/.test(type);
    for (const deployment of model.deployments) {
      for (const key of keys(values(files, deployment.valuesPath), "")) {
        const parts = key.split(/(?=\.)|(?=\[\])/);
        const prefixes = parts.map((_, i) => parts.slice(0, i + 1).join(""));
        const documented = rows.has(key) || prefixes.some((p) => rows.has(p) && opaque(rows.get(p)!));
        expect(documented, `${deployment.valuesPath}: ${key}`).toBe(true);
      }
    }
    for (const deployment of model.deployments) expect(reference!.content).toContain(`| \`${deployment.service}\` | \`${deployment.environment}\` |`);
  });
});

describe("jobs of a service", () => {
  it("cronJobs reach every environment's values with their schedule; they meet the chart's contract", async () => {
    const { model } = await editedExample("catalyst-forge", (spec) => {
      const worker = spec.services.find((s) => s.name === "worker-ci")!;
      worker.cronJobs = [{ name: "prune-cache", schedule: "0 4 * * *", command: ["/worker", "--prune"], retries: 1, timeout: "1h" }];
    });
    const files = helmTarget.generate(model).filter((f) => /^helm\/[^_][^/]*\/worker-ci\.values\.yaml$/.test(f.path));
    expect(files.map((f) => f.path).sort()).toEqual(["helm/dev/worker-ci.values.yaml", "helm/production/worker-ci.values.yaml", "helm/staging/worker-ci.values.yaml"]);
    for (const file of files) {
      const values = parseYamlDocuments(file.content)[0] as Record<string, any>;
      expect(serviceValuesSchema.safeParse(values).success, file.path).toBe(true);
      expect(values.cronJobs, file.path).toEqual([{ name: "prune-cache", command: ["/worker", "--prune"], backoffLimit: 1, activeDeadlineSeconds: 3600, schedule: "0 4 * * *" }]);
    }
  });
});

describe("pre-release Jobs by environment", () => {
  it("run in every rung of the ladder, seed data only where the data policy asks for it; in previews in sync waves, retrying while the database starts", async () => {
    const { model } = await editedExample("bitvault", (spec) => {
      spec.services.find((s) => s.name === "api")!.preRelease = [{ name: "migrate", command: ["/app/migrate", "up"], retries: 0 }];
    });
    const jobs = (environment: string) => model.deployments.find((d) => d.service === "api" && d.environment === environment)!.preRelease.map((j) => j.name);
    expect(jobs("dev")).toEqual(["migrate", "seed-data"]);
    expect(jobs("staging")).toEqual(["migrate"]);
    expect(jobs("prod")).toEqual(["migrate"]);
    expect(jobs("preview")).toEqual(["migrate", "seed-data"]);
    const preview = model.deployments.find((d) => d.service === "api" && d.environment === "preview")!;
    expect(preview.preReleaseInSyncWaves).toBe(true);
    expect(preview.preRelease.map((j) => j.backoffLimit)).toEqual([6, 6]);
    expect(model.deployments.filter((d) => d.environment !== "preview").every((d) => !d.preReleaseInSyncWaves)).toBe(true);
  });
});
