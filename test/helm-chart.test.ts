import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { loadServiceCharts, newestServiceChartDir, serviceChartVersions } from "../compiler/charts.js";
import { gitopsRepoPath } from "../compiler/resolve/index.js";
import { chartValuesSchema, renderChartSchema, serviceValuesSchema } from "../targets/helm/schema.js";
import type { OutputFile } from "../targets/types.js";
import { buildExample, EXAMPLES } from "./helpers.js";
import { renderApplications, SAMPLE_PULL_REQUEST } from "./support/appset-render.js";
import { HELM, inParallel, lintAndTemplate, type ChartRender, type HelmParameter } from "./support/helm.js";
import { parseYamlDocuments } from "./support/k8s-check.js";
import { objectProblems } from "./support/strict-fields.js";

type Doc = Record<string, any>;

if (!HELM) console.warn("SKIPPED: the plinth-service rendering tests need helm (scripts/fetch-helm.mjs, $PLINTH_HELM or helm on the PATH)");

const work = mkdtempSync(path.join(os.tmpdir(), "plinth-chart-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function writeTree(dir: string, files: readonly OutputFile[]): void {
  for (const file of files) {
    mkdirSync(path.dirname(path.join(dir, file.path)), { recursive: true });
    writeFileSync(path.join(dir, file.path), file.content);
  }
}


describe("the plinth-service values contract", () => {
  it("the newest chart's values.schema.json is the one generated from the values target's schema", () => {
    const committed = readFileSync(path.join(newestServiceChartDir(), "values.schema.json"), "utf8");
    expect(committed, "run node scripts/generate-chart-schema.mjs").toBe(renderChartSchema(chartValuesSchema()));
  });

  it("ships one folder per version, each named after its Chart.yaml version", () => {
    expect(serviceChartVersions().length).toBeGreaterThan(0);
    expect(loadServiceCharts().map((c) => c.version)).toEqual(serviceChartVersions());
  });

  it.each(EXAMPLES)("every values file of %s satisfies the contract", async (example) => {
    const { model, files } = await buildExample(example);
    const values = files.filter((f) => /^helm\/[^_][^/]*\/[^/]+\.values\.yaml$/.test(f.path));
    expect(values.map((f) => f.path).sort()).toEqual(model.deployments.map((d) => d.valuesPath).sort());
    for (const file of values) {
      const result = serviceValuesSchema.safeParse(parseYamlDocuments(file.content)[0]);
      expect(result.success ? [] : result.error.issues, file.path).toEqual([]);
    }
  });
});

/** What the repo-server would do for one Application: its chart folder, value files and parameters. */
interface AppRender {
  name: string;
  /** The Application's chart source, as Argo CD reads it. */
  source: Doc;
  preview: boolean;
  chartDir: string;
  release: string;
  namespace: string;
  valueFiles: string[];
  parameters: HelmParameter[];
}

/** The Applications of every ApplicationSet of a built example, read the way Argo CD reads them. */
function applications(out: string, files: readonly OutputFile[], gitops: string, gitopsPath: string): AppRender[] {
  const prefix = gitopsRepoPath(gitopsPath, "x").slice(0, -1);
  const inTree = (repoPath: string) => path.join(out, repoPath.startsWith(prefix) ? repoPath.slice(prefix.length) : repoPath);
  return files
    .filter((f) => /^argocd\/[^/]+\/applicationsets\//.test(f.path))
    .map((f) => parseYamlDocuments(f.content)[0] as Doc)
    // The services' ApplicationSets; a preview's base and data copies install no plinth-service.
    .filter((appset) => appset.spec.template.metadata.labels?.["app.kubernetes.io/name"] === "{{.service}}")
    .flatMap((appset) => renderApplications(appset))
    .map((app) => {
      const source = (app.spec.sources as Doc[]).find((s) => s.helm)!;
      expect(source.repoURL, `${app.metadata.name} reads plinth-service from the GitOps repository`).toBe(gitops);
      const valueFiles = (source.helm.valueFiles as string[]).map((v) => inTree(v.replace(/^\$values\//, "")));
      return {
        name: app.metadata.name,
        source,
        preview: app.metadata.labels["plinth.dev/pull-request"] !== undefined,
        chartDir: inTree(source.path),
        release: source.helm.releaseName,
        namespace: app.spec.destination.namespace,
        // A value file CI has not written is skipped, as ignoreMissingValueFiles makes Argo CD do.
        valueFiles: valueFiles.filter((file) => existsSync(file) || !source.helm.ignoreMissingValueFiles),
        parameters: source.helm.parameters ?? [],
      };
    });
}

describe.skipIf(!HELM).each(EXAMPLES)("plinth-service rendered by helm for example %s", (example) => {
  it("lints strictly and renders strictly valid objects for every service in every environment", async () => {
    const { model, files } = await buildExample(example);
    const out = path.join(work, example);
    writeTree(out, files);
    const apps = applications(out, files, model.platform.repositories.gitops, model.platform.gitopsPath);
    expect(apps.length).toBe(model.deployments.length);
    // No chart of an environment on the ladder follows a branch: plinth-service is read from a version
    // folder the build wrote (a version's folder never changes), any other chart at a pinned revision.
    for (const app of apps.filter((a) => !a.preview)) {
      if (app.source.path?.includes("/_charts/plinth-service/") || app.source.path?.startsWith("helm/_charts/plinth-service/")) {
        expect(app.source.path, app.name).toMatch(/helm\/_charts\/plinth-service\/\d+\.\d+\.\d+$/);
        expect(existsSync(path.join(app.chartDir, "Chart.yaml")), `${app.name}: ${app.source.path} is in the tree`).toBe(true);
        expect(readFileSync(path.join(app.chartDir, "Chart.yaml"), "utf8")).toContain(`version: ${path.basename(app.source.path)}\n`);
      } else {
        expect([model.platform.revision, "*", "HEAD"], `${app.name} pins its chart`).not.toContain(app.source.targetRevision);
      }
    }
    const renders = await inParallel(apps, 2, (app) => lintAndTemplate(app.chartDir, app.release, app.namespace, app.valueFiles, app.parameters));
    const problems: string[] = [];
    renders.forEach((render: ChartRender, i) => {
      const app = apps[i]!;
      if (render.lint.code !== 0) problems.push(`${app.name}: helm lint --strict: ${render.lint.stdout}${render.lint.stderr}`);
      if (render.template.code !== 0) problems.push(`${app.name}: helm template: ${render.template.stderr}`);
    });
    expect(problems).toEqual([]);
    // One type-check for the whole example.
    const objects = renders.flatMap((r) => r.objects);
    expect(objectProblems(objects, renders.flatMap((r, i) => r.objects.map(() => apps[i]!.name)))).toEqual([]);
    // Each Application renders its workload under the release's name, by digest wherever the lock pins one.
    renders.forEach((render, i) => {
      const app = apps[i]!;
      const deployment = model.deployments.find((d) => d.application.replace("{number}", SAMPLE_PULL_REQUEST.number as string) === app.name)!;
      const workload = render.objects.find((o) => o.kind === "Deployment" || o.kind === "Rollout");
      expect(workload?.metadata.name, app.name).toBe(deployment.releaseName);
      const image = workload!.spec.template.spec.containers[0].image as string;
      expect(image, app.name).toBe(
        deployment.image.digest ? `${deployment.image.repository}@${deployment.image.digest}` : `${deployment.image.repository}:${SAMPLE_PULL_REQUEST.head_sha}`,
      );
    });
  });
});

describe.skipIf(!HELM)("plinth-service: faults, extension points, previews", () => {
  const chartDir = newestServiceChartDir();
  /** One values file of an example, with `edit` applied, written where helm reads it. */
  async function valuesFile(example: string, valuesPath: string, edit: (values: Doc) => void = () => {}): Promise<string> {
    const { files } = await buildExample(example);
    const values = parseYamlDocuments(files.find((f) => f.path === valuesPath)!.content)[0] as Doc;
    edit(values);
    const file = path.join(mkdtempSync(path.join(work, "values-")), "values.yaml");
    writeFileSync(file, stringify(values));
    return file;
  }
  /** bitvault's production api values (a canary Rollout with analyses, HPA, ingress, secrets) with `edit` applied. */
  const prodApi = (edit?: (values: Doc) => void) => valuesFile("bitvault", "helm/prod/api.values.yaml", edit);

  it("the strict object check rejects a field the published types lack, at any depth", async () => {
    const render = await lintAndTemplate(chartDir, "api", "prod", [await prodApi()]);
    const rollout = render.objects.find((o) => o.kind === "Rollout")!;
    expect(objectProblems([rollout], "as rendered")).toEqual([]);
    const planted = structuredClone(rollout);
    planted.spec.template.spec.containers[0].livenessProbe.httpGet.portName = "http";
    expect(objectProblems([planted], "planted").join("\n")).toContain(`'"portName"' does not exist in type 'IHTTPGetAction'`);
  });

  it("a probe of the wrong shape fails lint and template with the chart's schema message", async () => {
    const file = await prodApi((v) => (v.livenessProbe = { httpGet: "/healthz", periodSeconds: 10 }));
    const render = await lintAndTemplate(chartDir, "api", "prod", [file]);
    expect(render.lint.code).not.toBe(0);
    expect(render.template.code).not.toBe(0);
    expect(render.template.stderr).toContain("values don't meet the specifications of the schema(s)");
    expect(render.template.stderr).toMatch(/at '\/livenessProbe\/httpGet': got string, want object/);
  });

  it("an unknown rollout key fails with the chart's schema message", async () => {
    const file = await prodApi((v) => (v.rollout.maxSurge = "25%"));
    const render = await lintAndTemplate(chartDir, "api", "prod", [file]);
    expect(render.lint.code).not.toBe(0);
    expect(render.template.code).not.toBe(0);
    expect(render.template.stderr).toContain("at '/rollout': additional properties 'maxSurge' not allowed");
  });

  it("the values as written render; a missing digest without a tag is refused by the chart", async () => {
    const ok = await lintAndTemplate(chartDir, "api", "prod", [await prodApi()]);
    expect([ok.lint.code, ok.template.code, ok.template.stderr]).toEqual([0, 0, ""]);
    expect(ok.objects.map((o) => o.kind).sort()).toEqual(["HTTPRoute", "HorizontalPodAutoscaler", "PodDisruptionBudget", "Rollout", "Service", "ServiceAccount", "ServiceMonitor"]);
    const unpinned = await lintAndTemplate(chartDir, "api", "prod", [await prodApi((v) => delete v.image.digest)]);
    expect(unpinned.template.code).not.toBe(0);
    expect(unpinned.template.stderr).toContain("plinth-service: image.digest (or, for a preview, image.tag) is required");
  });

  it("extension points render valid objects: env from bindings, volumes, pre-release Jobs, identity, HTTPRoute, blue-green", async () => {
    const file = await prodApi((v) => {
      v.envFrom = [{ secretRef: { name: "api-postgres-app" } }, { configMapRef: { name: "api-cache" }, prefix: "CACHE_" }];
      v.volumes = [{ name: "tmp", emptyDir: { sizeLimit: "64Mi" } }, { name: "ca", configMap: { name: "internal-ca" } }];
      v.volumeMounts = [{ name: "tmp", mountPath: "/tmp" }, { name: "ca", mountPath: "/etc/ssl/internal", readOnly: true }];
      v.hooks = { preRelease: [{ name: "migrate", command: ["/app/migrate", "up"], backoffLimit: 1, activeDeadlineSeconds: 600 }] };
      v.serviceAccount = { annotations: { "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/api" } };
      v.httpRoute = { enabled: true, parentRefs: [{ name: "public", namespace: "envoy-gateway-system" }], hostnames: ["bitvault.io"], path: "/api" };
      v.rollout = { enabled: true, strategy: "blueGreen", blueGreen: { autoPromotionEnabled: false, scaleDownDelaySeconds: 30 } };
    });
    const render = await lintAndTemplate(chartDir, "api", "prod", [file]);
    expect([render.lint.code, render.template.code, render.template.stderr]).toEqual([0, 0, ""]);
    expect(objectProblems(render.objects, "extensions")).toEqual([]);
    const byKind = (kind: string) => render.objects.filter((o) => o.kind === kind);
    const pod = byKind("Rollout")[0]!.spec.template.spec;
    expect(pod.containers[0].envFrom).toEqual([
      { secretRef: { name: "api-secrets" } },
      { secretRef: { name: "api-postgres-app" } },
      { configMapRef: { name: "api-cache" }, prefix: "CACHE_" },
    ]);
    expect(pod.volumes.map((v: Doc) => v.name)).toEqual(["tmp", "ca"]);
    expect(byKind("Rollout")[0]!.spec.strategy.blueGreen).toMatchObject({ activeService: "api", previewService: "api-preview", autoPromotionEnabled: false });
    expect(byKind("Service").map((s) => s.metadata.name)).toEqual(["api", "api-preview"]);
    const job = byKind("Job")[0]!;
    expect(job.metadata.annotations["helm.sh/hook"]).toBe("pre-install,pre-upgrade");
    expect(job.spec.template.spec.containers[0]).toMatchObject({ command: ["/app/migrate", "up"], image: pod.containers[0].image });
    expect(byKind("ServiceAccount")[0]!.metadata.annotations).toEqual({ "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/api" });
    expect(byKind("HTTPRoute")[0]!.spec.rules[0].backendRefs).toEqual([{ name: "api", port: 8080 }]);
  });

  it("catalyst-forge: each worker pod gets its own cache claim on the profile's StorageClass, in the Rollout as in the Deployment", async () => {
    for (const [environment, namespace, kind, storageClassName] of [
      ["production", "forge-production", "Rollout", "gp3"],
      ["dev", "forge-dev", "Deployment", "longhorn"],
    ] as const) {
      const render = await lintAndTemplate(chartDir, "worker-ci", namespace, [await valuesFile("catalyst-forge", `helm/${environment}/worker-ci.values.yaml`)]);
      expect([render.lint.code, render.template.code, render.template.stderr]).toEqual([0, 0, ""]);
      expect(objectProblems(render.objects, environment)).toEqual([]);
      const pod = render.objects.find((o) => o.kind === kind)!.spec.template.spec;
      expect(pod.volumes.find((v: Doc) => v.name === "git-cache")).toEqual({
        name: "git-cache",
        ephemeral: { volumeClaimTemplate: { spec: { accessModes: ["ReadWriteOnce"], storageClassName, resources: { requests: { storage: "200Gi" } } } } },
      });
      expect(pod.containers[0].volumeMounts).toContainEqual({ name: "git-cache", mountPath: "/var/cache/forge" });
      // The root filesystem stays read-only: the cache is where the worker writes.
      expect(pod.containers[0].securityContext.readOnlyRootFilesystem).toBe(true);
    }
  });

  it("catalyst-forge: the migration Job is a PreSync hook that runs as a ServiceAccount made before it, and no Service selects it", async () => {
    const render = await lintAndTemplate(chartDir, "api-server", "forge-production", [await valuesFile("catalyst-forge", "helm/production/api-server.values.yaml")]);
    expect([render.lint.code, render.template.code, render.template.stderr]).toEqual([0, 0, ""]);
    expect(objectProblems(render.objects, "migration")).toEqual([]);
    const job = render.objects.find((o) => o.kind === "Job")!;
    expect(job.metadata.name).toBe("api-server-migrate");
    expect(job.metadata.annotations).toMatchObject({ "helm.sh/hook": "pre-install,pre-upgrade", "helm.sh/hook-weight": "0" });
    expect(job.spec).toMatchObject({ backoffLimit: 0, activeDeadlineSeconds: 900 });
    const jobPod = job.spec.template.spec;
    expect(jobPod.containers[0].command).toEqual(["/api-server", "migrate", "up"]);
    // Argo CD creates PreSync hooks in hook-weight order before any Sync-phase object: the Job's
    // account must itself be a hook of a lower weight (the release's own account comes later).
    const accounts = render.objects.filter((o) => o.kind === "ServiceAccount");
    const hookAccount = accounts.find((a) => a.metadata.name === jobPod.serviceAccountName)!;
    expect(hookAccount.metadata.name).toBe("api-server-pre-release");
    expect(hookAccount.metadata.annotations["helm.sh/hook"]).toBe("pre-install,pre-upgrade");
    expect(Number(hookAccount.metadata.annotations["helm.sh/hook-weight"])).toBeLessThan(Number(job.metadata.annotations["helm.sh/hook-weight"]));
    expect(accounts.find((a) => a.metadata.name === "api-server")!.metadata.annotations?.["helm.sh/hook"]).toBeUndefined();
    // Same image, pull Secrets, binding env and secret files as the service; not its selector labels.
    const pod = render.objects.find((o) => o.kind === "Rollout")!.spec.template.spec;
    expect(jobPod.containers[0].image).toBe(pod.containers[0].image);
    expect(jobPod.imagePullSecrets).toEqual(pod.imagePullSecrets);
    expect(jobPod.containers[0].env).toEqual(pod.containers[0].env);
    expect(jobPod.volumes).toEqual(pod.volumes);
    const selector = render.objects.find((o) => o.kind === "Service")!.spec.selector as Record<string, string>;
    expect(Object.entries(selector).every(([k, v]) => job.spec.template.metadata.labels[k] === v)).toBe(false);
  });

  it("bitvault: dev seeds its synthetic data with a PreSync Job; staging and production do not (previews: test/previews.test.ts)", async () => {
    const render = await lintAndTemplate(chartDir, "api", "dev", [await valuesFile("bitvault", "helm/dev/api.values.yaml", (v) => (v.image.digest ??= `sha256:${"b".repeat(64)}`))]);
    expect([render.lint.code, render.template.code, render.template.stderr]).toEqual([0, 0, ""]);
    expect(objectProblems(render.objects, "seed")).toEqual([]);
    const job = render.objects.find((o) => o.kind === "Job" && o.metadata.name === "api-seed-data")!;
    expect(job.metadata.annotations["helm.sh/hook"]).toBe("pre-install,pre-upgrade");
    expect(job.spec.template.spec.containers[0].command).toEqual(["/app/bitvault-api", "seed", "--synthetic", "--if-empty"]);
    expect(job.spec.template.spec.serviceAccountName).toBe("api-pre-release");
    const { files } = await buildExample("bitvault");
    for (const environment of ["staging", "prod"]) {
      const values = parseYamlDocuments(files.find((f) => f.path === `helm/${environment}/api.values.yaml`)!.content)[0] as Doc;
      expect(values.hooks.preRelease, environment).toEqual([]);
    }
  });

  it("cronJobs render CronJobs (one run at a time) as the service's own ServiceAccount, without its caches", async () => {
    const file = await valuesFile("catalyst-forge", "helm/production/worker-ci.values.yaml", (v) => {
      v.cronJobs = [{ name: "prune-cache", schedule: "0 4 * * *", command: ["/worker", "--prune"], backoffLimit: 1, activeDeadlineSeconds: 3600 }];
    });
    const render = await lintAndTemplate(chartDir, "worker-ci", "forge-production", [file]);
    expect([render.lint.code, render.template.code, render.template.stderr]).toEqual([0, 0, ""]);
    expect(objectProblems(render.objects, "cron")).toEqual([]);
    const cron = render.objects.find((o) => o.kind === "CronJob")!;
    expect(cron.metadata.name).toBe("worker-ci-prune-cache");
    expect(cron.spec).toMatchObject({ schedule: "0 4 * * *", concurrencyPolicy: "Forbid", jobTemplate: { spec: { backoffLimit: 1, activeDeadlineSeconds: 3600 } } });
    const pod = cron.spec.jobTemplate.spec.template.spec;
    expect(pod.serviceAccountName).toBe("worker-ci");
    expect(pod.containers[0].command).toEqual(["/worker", "--prune"]);
    expect(pod.volumes.map((v: Doc) => v.name)).toEqual(["worker-ci-secrets", "postgres-app"]);
    const selector = render.objects.find((o) => o.kind === "Service")!.spec.selector as Record<string, string>;
    expect(Object.entries(selector).every(([k, v]) => cron.spec.jobTemplate.spec.template.metadata.labels[k] === v)).toBe(false);
  });

  it("pre-release Jobs leave the per-pod caches to the service's pods", async () => {
    const file = await valuesFile("catalyst-forge", "helm/production/worker-ci.values.yaml", (v) => {
      v.hooks = { preRelease: [{ name: "warm", command: ["/worker", "--check"] }] };
    });
    const render = await lintAndTemplate(chartDir, "worker-ci", "forge-production", [file]);
    expect([render.lint.code, render.template.code, render.template.stderr]).toEqual([0, 0, ""]);
    expect(objectProblems(render.objects, "hook with caches")).toEqual([]);
    const jobPod = render.objects.find((o) => o.kind === "Job")!.spec.template.spec;
    expect(jobPod.volumes.map((v: Doc) => v.name)).toEqual(["worker-ci-secrets", "postgres-app"]);
    expect(jobPod.containers[0].volumeMounts.map((m: Doc) => m.name)).toEqual(["worker-ci-secrets", "postgres-app"]);
  });

  it("a preview runs the pull request's image by digest when CI wrote one, by its head commit's tag otherwise", async () => {
    const { model, files } = await buildExample("bitvault");
    const out = path.join(work, "bitvault-previews");
    writeTree(out, files);
    const previews = applications(out, files, model.platform.repositories.gitops, model.platform.gitopsPath).filter((a) => a.name.startsWith("preview-"));
    expect(previews.length).toBeGreaterThan(0);
    const imageOf = async (app: AppRender) => {
      const render = await lintAndTemplate(app.chartDir, app.release, app.namespace, app.valueFiles, app.parameters);
      expect(render.template.stderr).toBe("");
      return render.objects.find((o) => o.kind === "Deployment" || o.kind === "Rollout")!.spec.template.spec.containers[0].image as string;
    };
    expect(await imageOf(previews[0]!)).toMatch(new RegExp(`:${SAMPLE_PULL_REQUEST.head_sha}$`));
    // CI writes previews/pr-<number>/<service>.image.yaml into the GitOps repository.
    const digest = `sha256:${"c".repeat(64)}`;
    const ciFile = path.join(out, "previews", `pr-${SAMPLE_PULL_REQUEST.number}`, `${previews[0]!.release}.image.yaml`);
    mkdirSync(path.dirname(ciFile), { recursive: true });
    writeFileSync(ciFile, stringify({ image: { digest } }));
    const [withDigest] = applications(out, files, model.platform.repositories.gitops, model.platform.gitopsPath).filter((a) => a.name === previews[0]!.name);
    expect(withDigest!.valueFiles).toContain(ciFile);
    expect(await imageOf(withDigest!)).toMatch(new RegExp(`@${digest}$`));
  });
});
