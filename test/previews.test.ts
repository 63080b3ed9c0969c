/**
 * Previews with data, read as the ApplicationSet controller and Argo CD would apply them to a new pull
 * request: the base Application (its Namespace and data-service copies, through kustomize with the pull
 * request's namespace), the copies of chart-run data services, the services' bindings to the copies in
 * their own namespace, and the seed-data Job running after the chart's ExternalSecret and before the
 * workload. Rendered with the real kubectl kustomize and helm, checked against the published schemas and
 * the CRD schemas vendored from the pinned charts.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { emit } from "../compiler/emit.js";
import type { Model, ModelDataService } from "../compiler/model.js";
import { bindingNames } from "../compiler/resolve/bindings.js";
import { SEED_JOB } from "../compiler/resolve/deployments.js";
import { previewBase } from "../compiler/resolve/environments.js";
import type { OutputFile } from "../targets/types.js";
import { buildExample, editedExample } from "./helpers.js";
import { renderApplications, SAMPLE_PULL_REQUEST } from "./support/appset-render.js";
import { HELM, KUBECTL, lintAndTemplate } from "./support/helm.js";
import { checkManifestFile, parseYamlDocuments } from "./support/k8s-check.js";
import { objectProblems } from "./support/strict-fields.js";

type Doc = Record<string, any>;

if (!KUBECTL) console.warn("SKIPPED: rendering previews' bases needs kubectl (scripts/fetch-helm.mjs, $PLINTH_KUBECTL or kubectl on the PATH)");
if (!HELM) console.warn("SKIPPED: rendering previews' seed Jobs needs helm (scripts/fetch-helm.mjs, $PLINTH_HELM or helm on the PATH)");

const work = mkdtempSync(path.join(os.tmpdir(), "plinth-previews-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const pullRequestNamespace = (model: Model, environment: string) => `${model.environments.find((e) => e.name === environment)!.preview!.namespacePrefix}${SAMPLE_PULL_REQUEST.number}`;

/** bitvault as committed (preview tier lite: Postgres), and with previews on the full tier (Redis, NATS, OpenSearch too). */
async function trees(): Promise<{ label: string; model: Model; files: OutputFile[] }[]> {
  const committed = await buildExample("bitvault");
  const { model } = await editedExample("bitvault", (spec) => {
    const preview = spec.environments.find((e) => e.name === "preview")!;
    preview.tier = "full";
  });
  return [
    { label: "bitvault", model: committed.model, files: committed.files },
    { label: "bitvault, previews on the full tier", model, files: emit(model) },
  ];
}

/** The Applications the ApplicationSets of a cluster's tree create for the sample pull request, by name. */
function previewApplications(files: OutputFile[]): Map<string, Doc> {
  const apps = new Map<string, Doc>();
  for (const file of files.filter((f) => /^argocd\/[^/]+\/applicationsets\//.test(f.path))) {
    const appset = parse(file.content) as Doc;
    if (!JSON.stringify(appset.spec.generators).includes('"pullRequest"')) continue;
    for (const app of renderApplications(appset)) apps.set(app.metadata.name, app);
  }
  return apps;
}

/** What Argo CD syncs for the base Application: `kustomize edit set namespace`, then `kustomize build`. */
function kustomizeBase(files: OutputFile[], model: Model, app: Doc, label: string): Doc[] {
  const prefix = model.platform.gitopsPath === "" ? "" : `${model.platform.gitopsPath}/`;
  const folder = (app.spec.source.path as string).slice(prefix.length);
  const dir = path.join(work, label.replace(/[^a-z0-9]+/gi, "-"), folder);
  const inFolder = files.filter((f) => f.path.startsWith(`${folder}/`));
  expect(inFolder.map((f) => f.path.slice(folder.length + 1)).sort(), `${folder} holds a kustomization`).toEqual(["kustomization.yaml", "resources.yaml"]);
  mkdirSync(dir, { recursive: true });
  for (const f of inFolder) {
    const content = f.path.endsWith("kustomization.yaml") ? `${f.content}namespace: ${app.spec.source.kustomize.namespace}\n` : f.content;
    writeFileSync(path.join(dir, path.basename(f.path)), content);
  }
  const run = spawnSync(KUBECTL!, ["kustomize", dir], { encoding: "utf8" });
  expect(run.stderr, "kubectl kustomize").toBe("");
  expect(run.status).toBe(0);
  return checkManifestFile(`${folder} (kustomized)`, run.stdout);
}

/** The preview environments, never none: a loop over them must check something. */
function previewsOf(model: Model) {
  const previews = model.environments.filter((e) => e.preview);
  expect(previews.length, "preview environments").toBeGreaterThan(0);
  return previews;
}

/** The data services a preview's services use, which each pull request must get a copy of. */
function usedData(model: Model, environment: string): ModelDataService[] {
  const env = model.environments.find((e) => e.name === environment)!;
  const used = new Set(model.deployments.filter((d) => d.environment === environment).flatMap((d) => model.services.find((s) => s.name === d.service)!.dependsOn.dataServices));
  return model.dataServices.filter((ds) => used.has(ds.name) && env.dataServices.includes(ds.name));
}

/** The used data services a pull request would not get a running copy of, in its namespace. */
function missingCopies(model: Model, environment: string, baseObjects: Doc[], apps: Map<string, Doc>): string[] {
  const namespace = pullRequestNamespace(model, environment);
  const problems: string[] = [];
  for (const ds of usedData(model, environment)) {
    if (ds.kubernetes?.kind === "operator") {
      const copy = baseObjects.find((o) => o.metadata.name === ds.name && o.kind !== "Namespace");
      if (!copy) problems.push(`${environment}: no ${ds.name} in the base`);
      // Disposable: nothing backs a copy up.
      else if (JSON.stringify(copy.spec).includes('"backup"')) problems.push(`${environment}: the ${ds.name} copy is backed up`);
    } else if (ds.kubernetes?.kind === "chart") {
      const app = apps.get(`${environment}-${SAMPLE_PULL_REQUEST.number}-data-${ds.name}`);
      if (!app) problems.push(`${environment}: no Application runs ${ds.name}`);
      else if (app.spec.destination.namespace !== namespace || app.spec.source.chart !== ds.kubernetes.chart.name || app.spec.source.targetRevision !== ds.kubernetes.chart.version) {
        problems.push(`${environment}: ${ds.name}'s Application is not its pinned chart in ${namespace}`);
      }
    } else problems.push(`${environment}: ${ds.name} (${ds.engine}) cannot run in a pull request's namespace`);
  }
  return problems;
}

describe("previews with data", async () => {
  const all = await trees();

  it.each(all.map((t) => [t.label, t] as const))("%s: each pull request gets a base Application that owns its namespace, in the platform project", (_label, { model, files }) => {
    const apps = previewApplications(files);
    for (const env of previewsOf(model)) {
      const namespace = pullRequestNamespace(model, env.name);
      const base = apps.get(previewBase(env).application.replace("{number}", String(SAMPLE_PULL_REQUEST.number)))!;
      expect(base, `${env.name}: base Application`).toBeDefined();
      expect(base.spec.destination.namespace).toBe(namespace);
      expect(base.spec.source.kustomize.namespace).toBe(namespace);
      expect(base.spec.syncPolicy.automated.prune, "what the pull request drops goes").toBe(true);
      // Its own manifest makes the Namespace; nothing else creates it (it would outlive the pull request).
      for (const app of apps.values()) {
        if (app.spec.destination.namespace === namespace) expect(app.spec.syncPolicy.syncOptions ?? [], app.metadata.name).not.toContain("CreateNamespace=true");
      }
      const cluster = model.clusters.find((c) => c.name === env.cluster)!;
      expect(base.spec.project).toBe(cluster.platformProject);
      const project = parse(files.find((f) => f.path === `argocd/${cluster.name}/projects/${cluster.platformProject}.yaml`)!.content) as Doc;
      expect(project.spec.clusterResourceWhitelist).toContainEqual({ group: "*", kind: "*" });
      // The services' Applications no longer label the namespace: one owner.
      for (const app of apps.values()) {
        if (app === base || app.spec.destination.namespace !== namespace) continue;
        expect(app.spec.syncPolicy.managedNamespaceMetadata, app.metadata.name).toBeUndefined();
      }
    }
  });

  it("bitvault: every pull-request generator lists pull requests with the GitHub token from a Secret made in ArgoCD's namespace, labelled for tokenRef strict mode", async () => {
    const { model, files } = await buildExample("bitvault");
    const cluster = model.clusters.find((c) => c.name === "nonprod")!;
    const appsets = files.filter((f) => f.path.startsWith("argocd/nonprod/applicationsets/")).map((f) => parse(f.content) as Doc);
    const pullRequests = appsets.flatMap((a) => {
      const gen = (a.spec.generators[0].matrix?.generators[0] ?? a.spec.generators[0]) as Doc;
      return gen.pullRequest ? [gen.pullRequest] : [];
    });
    expect(pullRequests.length, "the services' and the base's ApplicationSets").toBeGreaterThanOrEqual(2);
    const tokenRefs = pullRequests.map((p) => p.github.tokenRef);
    expect(tokenRefs.every(Boolean), "no generator polls anonymously").toBe(true);
    const secrets = (parseYamlDocuments(files.find((f) => f.path === `kubernetes/nonprod/${cluster.argocdNamespace}.yaml`)!.content) as Doc[]).filter((d) => d.kind === "ExternalSecret");
    for (const ref of tokenRefs) {
      const made = secrets.find((s) => s.spec.target.name === ref.secretName);
      expect(made, `ExternalSecret for ${ref.secretName}`).toBeDefined();
      expect(made!.spec.data.map((d: Doc) => d.secretKey)).toContain(ref.key);
      expect(made!.spec.target.template.metadata.labels["argocd.argoproj.io/secret-type"]).toBe("scm-creds");
    }
  });

  it.skipIf(!KUBECTL).each(all.map((t) => [t.label, t] as const))(
    "%s: kustomized for a pull request, the base is its Namespace and a copy of every operator-run data service its services use, all valid",
    (label, { model, files }) => {
      const apps = previewApplications(files);
      for (const env of previewsOf(model)) {
        const namespace = pullRequestNamespace(model, env.name);
        const base = apps.get(previewBase(env).application.replace("{number}", String(SAMPLE_PULL_REQUEST.number)))!;
        const objects = kustomizeBase(files, model, base, label);
        const namespaces = objects.filter((o) => o.kind === "Namespace");
        expect(namespaces.map((n) => n.metadata.name)).toEqual([namespace]);
        expect(namespaces[0]!.metadata.labels["plinth.dev/environment"], "the registry pull Secret selects it").toBe(env.name);
        for (const o of objects.filter((x) => x.kind !== "Namespace")) expect(o.metadata.namespace, `${o.kind} ${o.metadata.name}`).toBe(namespace);
        expect(missingCopies(model, env.name, objects, apps)).toEqual([]);
      }
    },
  );

  it.each(all.map((t) => [t.label, t] as const))("%s: a preview's services reach the copies in their own namespace, credentials from the operator's Secret there", (_label, { model, files }) => {
    let checked = 0;
    for (const env of previewsOf(model)) {
      for (const d of model.deployments.filter((x) => x.environment === env.name)) {
        const values = parse(files.find((f) => f.path === d.valuesPath)!.content) as Doc;
        const vars = new Map((values.env as Doc[]).map((e) => [e.name as string, e]));
        const mounted = new Set((values.volumes as Doc[]).map((v) => v.secret?.secretName).filter(Boolean));
        const service = model.services.find((s) => s.name === d.service)!;
        for (const ds of usedData(model, env.name).filter((x) => service.dependsOn.dataServices.includes(x.name))) {
          const copy = ds.previewPlacements.find((p) => p.environment === env.name)!;
          const names = bindingNames(ds);
          expect(vars.get(names.host)?.value, `${d.service}: ${names.host}`).toBe(copy.connection.host);
          expect(copy.connection.host, "a short name: the pull request's own namespace").not.toContain(".");
          if (copy.connection.secret) {
            expect(mounted.has(copy.connection.secret.name), `${d.service} mounts ${copy.connection.secret.name}`).toBe(true);
            if (names.username) expect(vars.get(names.username)?.valueFrom?.secretKeyRef?.name).toBe(copy.connection.secret.name);
          }
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(0);
  });

  it.skipIf(!HELM)("bitvault: a pull request's api seeds its fixtures after its ExternalSecret and before it starts, as its own ServiceAccount", async () => {
    const { model, files } = await buildExample("bitvault");
    const d = model.deployments.find((x) => x.environment === "preview" && x.service === "api")!;
    expect(d.preRelease.map((j) => j.name)).toContain(SEED_JOB);
    const dir = path.join(work, "seed");
    mkdirSync(dir, { recursive: true });
    for (const f of files.filter((x) => x.path.startsWith("helm/"))) {
      mkdirSync(path.join(dir, path.dirname(f.path)), { recursive: true });
      writeFileSync(path.join(dir, f.path), f.content);
    }
    const chart = path.join(dir, "helm", "_charts", "plinth-service", d.chart.version);
    // With the per-pull-request parameters its Application passes (the head commit's image tag, the host).
    const app = previewApplications(files).get(`preview-${SAMPLE_PULL_REQUEST.number}-api`)!;
    const render = await lintAndTemplate(chart, d.releaseName, app.spec.destination.namespace, [path.join(dir, d.valuesPath)], app.spec.sources[0].helm.parameters);
    expect(render.lint.code, render.lint.stdout + render.lint.stderr).toBe(0);
    expect(render.template.code, render.template.stderr).toBe(0);
    checkManifestFile("api preview render", render.template.stdout);
    expect(objectProblems(render.objects, "api preview render"), "no field the published types lack").toEqual([]);
    const wave = (o: Doc) => Number(o.metadata.annotations?.["argocd.argoproj.io/sync-wave"] ?? 0);
    const job = render.objects.find((o) => o.kind === "Job" && o.metadata.name.endsWith(SEED_JOB))!;
    expect(job.metadata.annotations["argocd.argoproj.io/hook"]).toBe("Sync");
    expect(job.metadata.annotations["helm.sh/hook"], "not PreSync: nothing it reads exists before the sync").toBeUndefined();
    const externalSecret = render.objects.find((o) => o.kind === "ExternalSecret")!;
    const workload = render.objects.find((o) => ["Deployment", "Rollout", "StatefulSet"].includes(o.kind))!;
    expect(wave(externalSecret)).toBeLessThan(wave(job));
    expect(wave(job)).toBeLessThan(wave(workload));
    expect(job.spec.template.spec.serviceAccountName).toBe(workload.spec.template.spec.serviceAccountName);
    expect(render.objects.filter((o) => o.kind === "ServiceAccount").map((o) => o.metadata.name), "no hook account left behind").toEqual([workload.spec.template.spec.serviceAccountName]);
    // It reaches the pull request's database like the api does.
    const volumes = (job.spec.template.spec.volumes as Doc[]).map((v) => v.secret?.secretName);
    expect(volumes).toContain("postgres-app");
    expect(job.spec.backoffLimit, "retries while the pull request's database starts").toBeGreaterThanOrEqual(6);
    expect(job.spec.activeDeadlineSeconds, "the spec's timeout plus ten minutes for the database").toBe(model.services.find((s) => s.name === "api")!.seedData!.activeDeadlineSeconds! + 600);

    // Autoscaled, its HorizontalPodAutoscaler waits with the workload: in an earlier wave it would
    // report its missing target as Degraded and fail the sync.
    const values = parse(files.find((f) => f.path === d.valuesPath)!.content) as Doc;
    values.autoscaling = { enabled: true, minReplicas: 1, maxReplicas: 3, targetCPUUtilizationPercentage: 70 };
    const scaledFile = path.join(dir, "scaled.values.yaml");
    writeFileSync(scaledFile, stringify(values));
    const scaled = await lintAndTemplate(chart, d.releaseName, app.spec.destination.namespace, [scaledFile], app.spec.sources[0].helm.parameters);
    expect(scaled.template.code, scaled.template.stderr).toBe(0);
    const hpa = scaled.objects.find((o) => o.kind === "HorizontalPodAutoscaler")!;
    const scaledWorkload = scaled.objects.find((o) => ["Deployment", "Rollout", "StatefulSet"].includes(o.kind))!;
    expect(wave(hpa)).toBe(wave(scaledWorkload));
    expect(wave(hpa)).toBeGreaterThan(wave(job));
  });

  it.skipIf(!KUBECTL)("the base check fails when a copy is missing, or a chart-run copy's Application is (planted)", () => {
    const { model, files } = all[1]!;
    const withoutPostgres = files.map((f) =>
      f.path.endsWith("/_previews/nonprod/preview/resources.yaml")
        ? { ...f, content: (parseYamlDocuments(f.content) as Doc[]).filter((o) => o.metadata.name !== "postgres").map((o) => `---\n${JSON.stringify(o)}\n`).join("") }
        : f,
    );
    const apps = previewApplications(withoutPostgres);
    const objects = kustomizeBase(withoutPostgres, model, apps.get(`preview-${SAMPLE_PULL_REQUEST.number}-base`)!, "planted");
    expect(missingCopies(model, "preview", objects, apps)).toEqual(["preview: no postgres in the base"]);
    apps.delete(`preview-${SAMPLE_PULL_REQUEST.number}-data-nats`);
    expect(missingCopies(model, "preview", kustomizeBase(files, model, apps.get(`preview-${SAMPLE_PULL_REQUEST.number}-base`)!, "planted-2"), apps)).toEqual(["preview: no Application runs nats"]);
  });
});
