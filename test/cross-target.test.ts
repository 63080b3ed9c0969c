/**
 * The kubernetes, argocd and helm targets must agree on every name they share: what ArgoCD deploys
 * into must exist, the values files it reads must be generated, the Secrets and AnalysisTemplates a
 * chart references must be created next to it, and every ExternalSecret's store must exist. Runs over
 * every example and over the hand-built fixture.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { emit } from "../compiler/emit.js";
import type { Model } from "../compiler/model.js";
import { gitopsRepoPath } from "../compiler/resolve/index.js";
import type { OutputFile } from "../targets/types.js";
import { fixtureModelWithAccess } from "./fixtures/model.js";
import { buildExample, EXAMPLES } from "./helpers.js";
import { renderApplications, renderString, SAMPLE_PULL_REQUEST } from "./support/appset-render.js";
import { newestServiceChartDir } from "../compiler/charts.js";
import { HELM, lintAndTemplate } from "./support/helm.js";
import { k8sProblems, parseYamlDocuments } from "./support/k8s-check.js";

type Doc = Record<string, any>;

interface Tree {
  model: Model;
  files: OutputFile[];
  /** Every document of the kubernetes and argocd targets, with its cluster (the folder under the target). */
  docs: { target: string; cluster: string; path: string; doc: Doc }[];
  /** Applications as ArgoCD would hold them: the static ones and those the ApplicationSets render. */
  applications: { cluster: string; preview: boolean; services?: boolean; app: Doc; appset?: Doc }[];
}

function tree(model: Model, files: OutputFile[]): Tree {
  const docs = files
    .filter((f) => /^(kubernetes|argocd)\//.test(f.path))
    .flatMap((f) => {
      const [target, cluster] = f.path.split("/") as [string, string];
      return (parseYamlDocuments(f.content) as Doc[]).map((doc) => ({ target, cluster, path: f.path, doc }));
    });
  const applications = docs
    .filter((d) => d.target === "argocd")
    .flatMap(({ cluster, doc }) => {
      if (doc.kind === "Application") return [{ cluster, preview: false, app: doc }];
      if (doc.kind !== "ApplicationSet") return [];
      const preview = JSON.stringify(doc.spec.generators).includes('"pullRequest"');
      // The services' ApplicationSets (one per environment); a preview's base and data copies are the others.
      const services = doc.spec.template.metadata.labels?.["app.kubernetes.io/name"] === "{{.service}}";
      return renderApplications(doc).map((app) => ({ cluster, preview, services, app, appset: doc }));
    });
  return { model, files, docs, applications };
}

const kubernetes = (t: Tree, cluster: string, kind: string) => t.docs.filter((d) => d.target === "kubernetes" && d.cluster === cluster && d.doc.kind === kind).map((d) => d.doc);
const syncOptions = (app: Doc): string[] => app.spec.syncPolicy?.syncOptions ?? [];
const glob = (pattern: string, value: string) => new RegExp(`^${pattern.split("*").map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`).test(value);
const valuesOf = (t: Tree, path: string) => parseYamlDocuments(t.files.find((f) => f.path === path)!.content)[0] as Doc;

/** Every analysis reference in a values file's rollout block: `{ templates: [{ templateName }], args? }`. */
function analysisRefs(node: unknown): Doc[] {
  if (Array.isArray(node)) return node.flatMap(analysisRefs);
  if (node === null || typeof node !== "object") return [];
  const own = Array.isArray((node as Doc).templates) ? [node as Doc] : [];
  return [...own, ...Object.values(node).flatMap(analysisRefs)];
}

/**
 * The Prometheus Service kube-prometheus-stack creates: `<kube-prometheus-stack.fullname>-prometheus`,
 * the fullname being fullnameOverride, else the release name if it contains the chart name, else
 * `<release>-kube-prometheus-stack`, cut to 26 characters (the chart's _helpers.tpl).
 */
function kubePrometheusService(release: string, values: Doc): string {
  const cut = (text: string) => text.slice(0, 26).replace(/-+$/, "");
  const name = (values.nameOverride as string | undefined) ?? "kube-prometheus-stack";
  const fullname = values.fullnameOverride ? cut(values.fullnameOverride) : release.includes(name) ? cut(release) : cut(`${release}-${name}`);
  return `${fullname}-prometheus`;
}

/** Analyses on a Prometheus Service of a monitoring component in the same cluster: address host vs the Service the chart creates. */
function inClusterPrometheus(t: Tree): { template: string; host: string; service: string }[] {
  return t.docs
    .filter((d) => d.target === "kubernetes" && d.doc.kind === "AnalysisTemplate")
    .flatMap(({ cluster, doc }) =>
      (doc.spec.metrics as Doc[]).flatMap((metric) => {
        const address = metric.provider?.prometheus?.address as string | undefined;
        const host = address && new URL(address).hostname;
        const match = host && /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc(\.cluster\.local)?$/.exec(host);
        if (!match) return [];
        const monitoring = t.applications.find(
          (a) => a.cluster === cluster && a.app.spec.source?.chart === "kube-prometheus-stack" && a.app.spec.destination.namespace === match[2],
        );
        if (!monitoring) return [];
        const helm = monitoring.app.spec.source.helm ?? {};
        return [{ template: `${cluster}/${doc.metadata.namespace}/${doc.metadata.name}`, host: match[1]!, service: kubePrometheusService(helm.releaseName ?? monitoring.app.metadata.name, helm.valuesObject ?? {}) }];
      }),
    );
}

function checks(build: () => Promise<Tree>) {
  it("every non-preview destination namespace is a Namespace of the kubernetes target or created by its Application", async () => {
    const t = await build();
    const apps = t.applications.filter((a) => !a.preview && a.app.spec.destination.namespace !== undefined);
    expect(apps.length).toBeGreaterThan(0);
    for (const { cluster, app } of apps) {
      const namespaces = kubernetes(t, cluster, "Namespace").map((n) => n.metadata.name);
      const cluster_ = t.model.clusters.find((c) => c.name === cluster)!;
      const namespace = app.spec.destination.namespace;
      const created = syncOptions(app).includes("CreateNamespace=true") || namespace === cluster_.argocdNamespace;
      expect(namespaces.includes(namespace) || created, `${cluster}: Application ${app.metadata.name} deploys into ${namespace}`).toBe(true);
    }
  });

  it("every ApplicationSet destination of a workload is a Namespace of the kubernetes target; a pull request's is its base's, which nothing else creates", async () => {
    const t = await build();
    for (const { cluster, preview, app } of t.applications.filter((a) => a.appset)) {
      if (!preview) {
        expect(kubernetes(t, cluster, "Namespace").map((n) => n.metadata.name), app.metadata.name).toContain(app.spec.destination.namespace);
        continue;
      }
      // Only the base may bring the namespace back: anything else recreating it would outlive the pull request.
      expect(syncOptions(app), app.metadata.name).not.toContain("CreateNamespace=true");
      const bases = t.applications.filter((a) => a.preview && a.app.spec.source?.kustomize?.namespace === app.spec.destination.namespace);
      expect(bases.map((b) => b.app.spec.destination.namespace), `${app.metadata.name}: a base makes ${app.spec.destination.namespace}`).toEqual([app.spec.destination.namespace]);
    }
  });

  it("every values file an Application reads is generated, from the GitOps repository's values source", async () => {
    const t = await build();
    const generated = new Set(t.files.map((f) => gitopsRepoPath(t.model.platform.gitopsPath, f.path)));
    const readers = t.applications.filter((a) => a.services);
    expect(readers.length).toBe(t.model.deployments.filter((d) => !d.namespace.includes("{number}")).length + (readers.filter((a) => a.preview).length));
    for (const { app } of readers) {
      const values = app.spec.sources.find((s: Doc) => s.ref === "values");
      expect(values).toEqual({ repoURL: t.model.platform.repositories.gitops, targetRevision: t.model.platform.revision, ref: "values" });
      const [own, ...ci] = app.spec.sources[0].helm.valueFiles as string[];
      expect(own!.startsWith("$values/"), own).toBe(true);
      expect(generated.has(own!.slice("$values/".length)), `${app.metadata.name} reads ${own}`).toBe(true);
      // A preview also reads the image digest CI may have written; Argo CD skips it while it is missing.
      expect(ci, app.metadata.name).toEqual(app.metadata.labels["plinth.dev/pull-request"] ? [`$values/previews/pr-${SAMPLE_PULL_REQUEST.number}/${app.spec.sources[0].helm.releaseName}.image.yaml`] : []);
      if (ci.length > 0) expect(app.spec.sources[0].helm.ignoreMissingValueFiles).toBe(true);
    }
  });

  it("the root Application syncs both folders the targets generate for its cluster", async () => {
    const t = await build();
    for (const cluster of t.model.clusters) {
      const root = t.applications.find((a) => a.cluster === cluster.name && a.app.metadata.name === cluster.rootApplication);
      expect(root, `${cluster.name} has its root Application`).toBeDefined();
      for (const folder of [`argocd/${cluster.name}`, `kubernetes/${cluster.name}`]) {
        expect(t.files.some((f) => f.path.startsWith(`${folder}/`)), folder).toBe(true);
        const source = (root!.app.spec.sources ?? []).find((s: { path?: string }) => s.path === gitopsRepoPath(t.model.platform.gitopsPath, folder));
        expect(source, `the root Application syncs ${folder}`).toBeDefined();
        expect(source.repoURL).toBe(t.model.platform.repositories.gitops);
      }
    }
  });

  it("every ExternalSecret names a store that exists on its cluster (a SecretStore in its namespace)", async () => {
    const t = await build();
    const secrets = t.docs.filter((d) => d.target === "kubernetes" && d.doc.kind === "ExternalSecret");
    for (const { cluster, doc } of secrets) {
      const { kind, name } = doc.spec.secretStoreRef;
      const stores = kubernetes(t, cluster, kind).filter((s) => s.metadata.name === name && (kind === "ClusterSecretStore" || s.metadata.namespace === doc.metadata.namespace));
      expect(stores, `${cluster}/${doc.metadata.namespace}/${doc.metadata.name} → ${kind} ${name}`).toHaveLength(1);
    }
  });

  it("the Secret and AnalysisTemplates a deployment's values reference are created in its namespace", async () => {
    const t = await build();
    for (const deployment of t.model.deployments.filter((d) => !d.namespace.includes("{number}"))) {
      const values = valuesOf(t, deployment.valuesPath);
      const inNamespace = (kind: string) => kubernetes(t, deployment.cluster, kind).filter((o) => o.metadata.namespace === deployment.namespace);
      if (values.externalSecrets) {
        const secret = inNamespace("ExternalSecret").find((e) => (e.spec.target?.name ?? e.metadata.name) === values.externalSecrets.secretName);
        expect(secret, `${deployment.valuesPath}: ExternalSecret for ${values.externalSecrets.secretName}`).toBeDefined();
        expect(secret!.spec.data.map((d: Doc) => d.secretKey)).toEqual(expect.arrayContaining(values.externalSecrets.keys));
      }
      const templates = JSON.stringify(values.rollout).match(/"templateName":"[^"]+"/g) ?? [];
      for (const ref of templates) {
        const name = ref.slice('"templateName":"'.length, -1);
        expect(inNamespace("AnalysisTemplate").map((a) => a.metadata.name), `${deployment.valuesPath} uses AnalysisTemplate ${name}`).toContain(name);
      }
    }
  });

  it("every analysis a deployment runs passes a value for each argument its AnalysisTemplates declare", async () => {
    const t = await build();
    for (const deployment of t.model.deployments.filter((d) => !d.namespace.includes("{number}"))) {
      const declared = new Map(
        kubernetes(t, deployment.cluster, "AnalysisTemplate")
          .filter((o) => o.metadata.namespace === deployment.namespace)
          .map((o) => [o.metadata.name as string, ((o.spec.args ?? []) as Doc[]).map((a) => a.name as string)]),
      );
      for (const ref of analysisRefs(valuesOf(t, deployment.valuesPath).rollout)) {
        const needed = [...new Set((ref.templates as Doc[]).flatMap((x) => declared.get(x.templateName) ?? []))];
        const passed = new Map(((ref.args ?? []) as Doc[]).map((a) => [a.name, a.value]));
        // Argo Rollouts: "args.<name> was not resolved" otherwise.
        for (const name of needed) expect(passed.get(name), `${deployment.valuesPath}: args.${name} for ${JSON.stringify(ref.templates)}`).toEqual(expect.stringMatching(/\S/));
      }
    }
  });

  it("every Application's project exists on its cluster and allows its sources and destination", async () => {
    const t = await build();
    for (const { cluster, app } of t.applications) {
      if (app.spec.project === "default") continue;
      const project = t.docs.find((d) => d.target === "argocd" && d.cluster === cluster && d.doc.kind === "AppProject" && d.doc.metadata.name === app.spec.project)?.doc;
      expect(project, `${cluster}: project ${app.spec.project} of ${app.metadata.name}`).toBeDefined();
      const sources: Doc[] = app.spec.sources ?? [app.spec.source];
      for (const source of sources) expect(project!.spec.sourceRepos.some((r: string) => glob(r, source.repoURL)), `${app.metadata.name} from ${source.repoURL}`).toBe(true);
      const { server, namespace } = app.spec.destination;
      const allowed = project!.spec.destinations.some((d: Doc) => d.server === server && glob(d.namespace, namespace ?? ""));
      expect(allowed, `${app.metadata.name} into ${server} ${namespace}`).toBe(true);
      // CreateNamespace makes the Application own a Namespace, a cluster-scoped object the project must permit.
      if (syncOptions(app).includes("CreateNamespace=true")) {
        const permits = (project!.spec.clusterResourceWhitelist ?? []).some((g: Doc) => glob(g.group, "") && glob(g.kind, "Namespace"));
        expect(permits, `${app.metadata.name}: project ${app.spec.project} permits Namespace`).toBe(true);
      }
    }
  });

  it("an analysis on the in-cluster Prometheus addresses the Service the monitoring component's chart creates", async () => {
    const t = await build();
    for (const { template, host, service } of inClusterPrometheus(t)) expect(host, template).toBe(service);
  });

  it.skipIf(!HELM)("a preview's per-pull-request parameters land in its values through plinth-service and give a valid Ingress or HTTPRoute for the pull request's host", async () => {
    const t = await build();
    const scratch = mkdtempSync(path.join(os.tmpdir(), "plinth-cross-target-"));
    try {
      for (const { app } of t.applications.filter((a) => a.preview && a.services)) {
        const source = app.spec.sources[0];
        const file = (source.helm.valueFiles[0] as string).slice("$values/".length);
        const deployment = t.model.deployments.find((d) => d.valuesRepoPath === file)!;
        const valuesFile = path.join(scratch, `${app.metadata.name}.yaml`);
        writeFileSync(valuesFile, t.files.find((f) => f.path === deployment.valuesPath)!.content);
        const namespace = renderString(app.spec.destination.namespace, SAMPLE_PULL_REQUEST);
        const render = await lintAndTemplate(newestServiceChartDir(), source.helm.releaseName, namespace, [valuesFile], source.helm.parameters ?? []);
        expect(render.template.stderr, app.metadata.name).toBe("");
        const workload = render.objects.find((o) => o.kind === "Deployment" || o.kind === "Rollout")!;
        expect(workload.spec.template.spec.containers[0].image).toBe(`${deployment.image.repository}:${SAMPLE_PULL_REQUEST.head_sha}`);
        for (const object of render.objects) expect(k8sProblems(object), `${app.metadata.name} ${object.kind}`).toEqual([]);
        const service = t.model.services.find((s) => s.name === deployment.service)!;
        if (service.ingress && deployment.hosts.length > 0) {
          const host = renderString(deployment.hosts[0]!.split("{number}").join("{{.number}}"), SAMPLE_PULL_REQUEST);
          const route = render.objects.find((o) => o.kind === "Ingress" || o.kind === "HTTPRoute");
          expect(route?.kind === "HTTPRoute" ? route.spec.hostnames : route?.spec.rules.map((r: { host: string }) => r.host), app.metadata.name).toEqual([host]);
        }
      }
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it("the restore runbook syncs the root application the argocd target writes", async () => {
    const t = await build();
    for (const plan of t.model.recovery) {
      const root = t.docs.find((d) => d.target === "argocd" && d.cluster === plan.cluster && d.path.endsWith("/root.yaml"))!.doc;
      const syncs = plan.steps.flatMap((s) => s.commands).filter((c) => c.startsWith("argocd app sync "));
      expect(syncs.length, plan.environment).toBeGreaterThan(0);
      for (const command of syncs) expect(command.split(" ")[3]!.replace(/^'|'$/g, ""), command).toBe(root.metadata.name);
    }
  });
}

describe("cross-target consistency: fixture", () => {
  checks(async () => {
    const model = fixtureModelWithAccess();
    // What resolve gives a deployment whose rollout's analyses take service-name (the fixture's error-rate does).
    for (const d of model.deployments) if (d.rollout !== undefined) d.analysisArgs = { "service-name": d.releaseName };
    return tree(model, emit(model, ["kubernetes", "argocd", "helm"]));
  });
});

describe.each(EXAMPLES)("cross-target consistency: %s", (example) => {
  checks(async () => {
    const { model, files } = await buildExample(example);
    return tree(model, files);
  });
});

describe("cross-target consistency: the examples' analyses", () => {
  it("some run against the in-cluster Prometheus, and some pass arguments (so the checks above are exercised)", async () => {
    const trees = await Promise.all(EXAMPLES.map(async (e) => { const { model, files } = await buildExample(e); return tree(model, files); }));
    expect(trees.flatMap(inClusterPrometheus).length).toBeGreaterThan(0);
    const withArgs = trees.flatMap((t) => t.model.deployments.filter((d) => analysisRefs(valuesOf(t, d.valuesPath).rollout).some((r) => r.args?.length > 0)));
    expect(withArgs.length).toBeGreaterThan(0);
  });

  it("the per-example loops above run on something: ApplicationSets, previews, ExternalSecrets and restore plans exist", async () => {
    const trees = await Promise.all(EXAMPLES.map(async (e) => { const { model, files } = await buildExample(e); return tree(model, files); }));
    expect(trees.flatMap((t) => t.applications.filter((a) => a.appset && !a.preview)).length, "ApplicationSet applications").toBeGreaterThan(0);
    expect(trees.flatMap((t) => t.applications.filter((a) => a.preview)).length, "preview applications").toBeGreaterThan(0);
    expect(trees.flatMap((t) => t.model.externalSecrets).length, "ExternalSecrets").toBeGreaterThan(0);
    expect(trees.flatMap((t) => t.model.recovery).length, "restore plans").toBeGreaterThan(0);
  });
});
