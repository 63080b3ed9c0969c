import { describe, expect, it } from "vitest";
import { emit } from "../../compiler/emit.js";
import type { Model, ModelCluster } from "../../compiler/model.js";
import { APPLICATION_HEALTH_KEY, resolveComponent } from "../../compiler/resolve/components.js";
import type { Spec } from "../../spec/schema.js";
import { argocdTarget } from "../../targets/argocd/index.js";
import { PREVIEW_SYNC_RETRY, SYNC_RETRY } from "../../targets/argocd/meta.js";
import type { OutputFile } from "../../targets/types.js";
import { fixtureModelWithAccess, withDeployGraph } from "../fixtures/model.js";
import { buildExample, editedExample, EXAMPLES } from "../helpers.js";
import { renderApplications } from "../support/appset-render.js";
import { checkManifestFile, k8sProblems, validateWithModel } from "../support/k8s-check.js";

type Doc = Record<string, any>;

/** The target's files, with the deploy graph following the test's changes to the model. */
const generate = (model: Model = fixtureModelWithAccess()) => argocdTarget.generate(withDeployGraph(model));

/** The single document of a file, checked strictly (one object per file is the layout). */
function doc(files: OutputFile[], path: string): Doc {
  const file = files.find((f) => f.path === path);
  expect(file, path).toBeDefined();
  const docs = checkManifestFile(file!.path, file!.content);
  expect(docs, `${path} holds one object`).toHaveLength(1);
  return docs[0] as Doc;
}

const all = (files: OutputFile[]) => files.map((f) => ({ path: f.path, doc: doc(files, f.path) }));
const wave = (d: Doc) => Number(d.metadata.annotations?.["argocd.argoproj.io/sync-wave"]);

/** Checks a rendered Application like a generated one: our rules and the published schema. */
function checkRendered(app: Doc): void {
  expect(k8sProblems(app), JSON.stringify(app.metadata)).toEqual([]);
  validateWithModel(app);
}

describe("argocd target on the fixture", () => {
  const model = fixtureModelWithAccess();
  const files = generate(model);

  it("writes one object per file under argocd/<cluster>/, sorted", () => {
    expect(files.map((f) => f.path)).toEqual([
      "argocd/cloud/applicationsets/dev.yaml",
      "argocd/cloud/applicationsets/preview-base.yaml",
      "argocd/cloud/applicationsets/preview.yaml",
      "argocd/cloud/applicationsets/prod.yaml",
      "argocd/cloud/components/argo-rollouts.yaml",
      "argocd/cloud/components/cert-manager.yaml",
      "argocd/cloud/components/external-secrets.yaml",
      "argocd/cloud/projects/acme.yaml",
      "argocd/cloud/projects/platform.yaml",
      "argocd/cloud/root.yaml",
      "argocd/homelab/projects/homelab-ops.yaml",
      "argocd/homelab/projects/platform.yaml",
      "argocd/homelab/root.yaml",
    ]);
  });

  it("every document parses strictly (also as YAML 1.1), validates against the Argo CD schema and our rules", () => {
    const kinds = all(files).map(({ doc }) => doc.kind);
    expect(new Set(kinds)).toEqual(new Set(["Application", "AppProject", "ApplicationSet"]));
  });

  it("is byte-deterministic", () => {
    expect(generate(fixtureModelWithAccess())).toEqual(files);
  });

  it("root app-of-apps: the Model's name, the cluster's argocd folder of the GitOps repo, recursive, its sync policy", () => {
    const root = doc(files, "argocd/cloud/root.yaml");
    expect(root.metadata).toMatchObject({ name: "acme-cloud-root", namespace: "argocd" });
    expect(root.spec.project).toBe("default");
    expect(root.spec.sources).toEqual(
      ["argocd/cloud", "kubernetes/cloud"].map((path) => ({ repoURL: "https://github.com/acme/gitops", targetRevision: "main", path, directory: { recurse: true } })),
    );
    expect(root.spec.syncPolicy).toEqual({ automated: { prune: false, selfHeal: true }, syncOptions: ["SkipDryRunOnMissingResource=true"], retry: SYNC_RETRY });
  });

  it("root follows Model.rootSync: not automated means no automated block; gitopsPath moves the source path", () => {
    const changed = fixtureModelWithAccess();
    changed.clusters[0]!.rootSync = { automated: false, prune: false, selfHeal: false };
    changed.clusters[0]!.gitopsPaths = { argocd: "deploy/argocd/cloud", kubernetes: "deploy/kubernetes/cloud" };
    const out = generate(changed);
    const root = doc(out, "argocd/cloud/root.yaml");
    expect(root.spec.syncPolicy).toEqual({ syncOptions: ["SkipDryRunOnMissingResource=true"], retry: SYNC_RETRY });
    expect(root.spec.sources.map((source: Doc) => source.path)).toEqual(["deploy/argocd/cloud", "deploy/kubernetes/cloud"]);
  });

  it("components: one Application per chart with its sync wave and CreateNamespace; ArgoCD itself is left to the bootstrap", () => {
    expect(files.some((f) => f.path.endsWith("components/argocd.yaml"))).toBe(false);
    const certManager = doc(files, "argocd/cloud/components/cert-manager.yaml");
    expect(wave(certManager)).toBe(model.deploy.nodes.find((n) => n.id === "cloud/component/cert-manager")!.wave);
    expect(certManager.spec.project).toBe("platform");
    expect(certManager.spec.source).toEqual({
      repoURL: "https://charts.example/cert-manager",
      chart: "cert-manager",
      targetRevision: "1.2.3",
      helm: { releaseName: "cert-manager", valuesObject: { crds: { enabled: true }, mode: "on" } },
    });
    expect(certManager.spec.destination).toEqual({ server: "https://kubernetes.default.svc", namespace: "cert-manager" });
    expect(certManager.spec.syncPolicy.syncOptions).toContain("CreateNamespace=true");
    expect(doc(files, "argocd/cloud/components/argo-rollouts.yaml").spec.source.helm.valuesObject).toBeUndefined();
  });

  it("sync waves come from the deploy graph: projects before components, CRD owners before what uses their kinds", () => {
    const docs = all(files.filter((f) => f.path.startsWith("argocd/cloud/") && !f.path.endsWith("root.yaml"))).map(({ doc }) => doc);
    const graphWave = (kind: string, name: string) => model.deploy.nodes.find((n) => n.cluster === "cloud" && n.objects.some((o) => o.kind === kind && o.name === name))!.wave;
    for (const d of docs) expect(wave(d), `${d.kind} ${d.metadata.name}`).toBe(graphWave(d.kind, d.metadata.name));
    const projects = docs.filter((d) => d.kind === "AppProject").map(wave);
    const components = docs.filter((d) => d.metadata.labels["plinth.dev/component"]).map(wave);
    expect(Math.max(...projects)).toBeLessThan(Math.min(...components));
    // prod runs an analysed canary: its ApplicationSet comes after argo-rollouts, which brings the Rollout CRD.
    expect(wave(doc(files, "argocd/cloud/components/argo-rollouts.yaml"))).toBeLessThan(wave(doc(files, "argocd/cloud/applicationsets/prod.yaml")));
  });

  it("platform project: the GitOps repo and the component charts, anywhere on its cluster, cluster resources allowed", () => {
    const platform = doc(files, "argocd/cloud/projects/platform.yaml");
    expect(platform.spec.sourceRepos).toEqual([
      "https://charts.example/argo-rollouts",
      "https://charts.example/cert-manager",
      "https://charts.example/external-secrets",
      "https://github.com/acme/gitops",
    ]);
    expect(platform.spec.destinations).toEqual([{ server: "https://kubernetes.default.svc", namespace: "*" }]);
    expect(platform.spec.clusterResourceWhitelist).toEqual([{ group: "*", kind: "*" }]);
  });

  it("team projects: this cluster's destinations, source repos, cluster resources only when allowed", () => {
    const acme = doc(files, "argocd/cloud/projects/acme.yaml");
    expect(acme.spec.destinations.map((d: Doc) => d.namespace)).toEqual(["dev", "prod", "pr-*"]);
    expect(acme.spec.sourceRepos).toEqual(["https://github.com/acme/app", "https://github.com/acme/gitops"]);
    expect(doc(files, "argocd/homelab/projects/homelab-ops.yaml").spec.clusterResourceWhitelist).toEqual([{ group: "*", kind: "*" }]);
    expect(files.some((f) => f.path === "argocd/homelab/projects/acme.yaml")).toBe(false);
  });

  it("a team project that deploys previews creates nothing cluster-wide: the preview's base, in the platform project, makes its Namespace", () => {
    expect(doc(files, "argocd/cloud/projects/acme.yaml").spec.clusterResourceWhitelist).toBeUndefined();
    const [base] = renderApplications(doc(files, "argocd/cloud/applicationsets/preview-base.yaml"));
    expect(base!.spec.project).toBe(doc(files, "argocd/cloud/projects/platform.yaml").metadata.name);
    expect(doc(files, "argocd/cloud/projects/platform.yaml").spec.clusterResourceWhitelist).toEqual([{ group: "*", kind: "*" }]);
  });

  it("every Application retries a failed sync, a bounded number of times with backoff", () => {
    const apps = [
      ...all(files).filter(({ doc }) => doc.kind === "Application").map(({ doc }) => doc),
      ...all(files).filter(({ doc }) => doc.kind === "ApplicationSet").flatMap(({ doc }) => renderApplications(doc)),
    ];
    expect(apps.length).toBeGreaterThan(5);
    // A pull request's Applications that wait for its namespace (made by its base) retry longer.
    const waitsForBase = (app: Doc) => app.metadata.labels?.["plinth.dev/pull-request"] !== undefined && app.spec.source?.kustomize === undefined;
    for (const app of apps) expect(app.spec.syncPolicy?.retry, app.metadata.name).toEqual(waitsForBase(app) ? PREVIEW_SYNC_RETRY : SYNC_RETRY);
    expect(apps.filter(waitsForBase).length).toBeGreaterThan(0);
    for (const retry of [SYNC_RETRY, PREVIEW_SYNC_RETRY]) {
      expect(retry.limit).toBeGreaterThan(0);
      expect(retry.limit).toBeLessThanOrEqual(10);
      expect(retry.backoff).toEqual({ duration: "10s", factor: 2, maxDuration: "3m" });
    }
  });

  it("roles: policies per action scoped to the role's environments, with the role's groups", () => {
    const roles = Object.fromEntries(doc(files, "argocd/cloud/projects/acme.yaml").spec.roles.map((r: Doc) => [r.name, r]));
    expect(roles.developer).toEqual({
      name: "developer",
      description: "Builds and previews",
      groups: ["acme:developers"],
      policies: [
        "p, proj:acme:developer, applications, get, acme/dev-api, allow",
        "p, proj:acme:developer, applications, sync, acme/dev-api, allow",
        "p, proj:acme:developer, applications, get, acme/preview-*-api, allow",
        "p, proj:acme:developer, applications, sync, acme/preview-*-api, allow",
      ],
    });
    // approve has no ArgoCD counterpart; promote is the Rollout actions.
    expect(roles.approver.policies).toEqual([
      "p, proj:acme:approver, applications, action/argoproj.io/Rollout/promote-full, acme/prod-api, allow",
      "p, proj:acme:approver, applications, action/argoproj.io/Rollout/resume, acme/prod-api, allow",
      "p, proj:acme:approver, applications, get, acme/prod-api, allow",
    ]);
    expect(roles.operator.groups).toBeUndefined();
    expect(roles.operator.policies).toEqual(
      ["action/*", "delete", "get", "override", "sync"].map((p) => `p, proj:acme:operator, applications, ${p}, acme/*, allow`),
    );
    for (const role of Object.values(roles)) for (const policy of role.policies) expect(policy).toMatch(/^p, proj:acme:[a-z-]+, applications, [A-Za-z*/.-]+, acme\/[a-z*-]+, allow$/);
  });

  it("in a team project without plinth deployments a role reaches its environments' `<environment>-*` applications", () => {
    const changed = fixtureModelWithAccess();
    changed.projects.push({
      name: "team",
      destinations: ["dev", "prod"].map((namespace) => ({ cluster: "cloud", server: "https://kubernetes.default.svc", namespace })),
      sourceRepos: ["https://github.com/acme/gitops"],
      roles: ["developer", "approver", "operator"],
      clusterResources: false,
      at: ["projects", 2],
    });
    const roles = Object.fromEntries(doc(generate(changed), "argocd/cloud/projects/team.yaml").spec.roles.map((r: Doc) => [r.name, r.policies]));
    expect(roles.developer).toEqual(["p, proj:team:developer, applications, get, team/dev-*, allow", "p, proj:team:developer, applications, sync, team/dev-*, allow"]);
    expect(roles.approver).toContain("p, proj:team:approver, applications, get, team/prod-*, allow");
    expect(roles.operator).toContain("p, proj:team:operator, applications, sync, team/*, allow");
  });

  it("a role with no ArgoCD permission in a project is left out", () => {
    const changed = fixtureModelWithAccess();
    changed.roles[1]!.actions = ["approve"];
    const roles = doc(generate(changed), "argocd/cloud/projects/acme.yaml").spec.roles.map((r: Doc) => r.name);
    expect(roles).toEqual(["developer", "operator"]);
  });
});

describe("argocd ApplicationSets", () => {
  const model = fixtureModelWithAccess();
  const files = generate(model);
  const appsets = () => all(files).filter(({ doc }) => doc.kind === "ApplicationSet").map(({ doc }) => doc);

  it("use goTemplate with missingkey=error and point at the chart and the environment's values file (multi-source, ref: values)", () => {
    const dev = doc(files, "argocd/cloud/applicationsets/dev.yaml");
    expect(dev.spec.goTemplate).toBe(true);
    expect(dev.spec.goTemplateOptions).toEqual(["missingkey=error"]);
    const [app] = renderApplications(dev);
    expect(app!.metadata.name).toBe("dev-api");
    expect(app!.metadata.labels).toMatchObject({ "plinth.dev/environment": "dev", "app.kubernetes.io/name": "api", "app.kubernetes.io/part-of": "acme" });
    expect(app!.spec.project).toBe("acme");
    expect(app!.spec.sources).toEqual([
      {
        // plinth-service at the version folder the build writes into the GitOps repository.
        repoURL: "https://github.com/acme/gitops",
        path: "helm/_charts/plinth-service/0.1.0",
        targetRevision: "main",
        helm: { releaseName: "api", valueFiles: ["$values/helm/dev/api.values.yaml"] },
      },
      { repoURL: "https://github.com/acme/gitops", targetRevision: "main", ref: "values" },
    ]);
    expect(app!.spec.destination).toEqual({ server: "https://kubernetes.default.svc", namespace: "dev" });
  });

  it("render into valid Applications for every element (a missing key would throw, as missingkey=error does)", () => {
    const rendered = appsets().flatMap(renderApplications);
    expect(rendered.map((a) => a.metadata.name).sort()).toEqual(["dev-api", "preview-42-api", "preview-42-base", "prod-api"]);
    rendered.forEach(checkRendered);
  });

  it("automated sync only where the environment syncs automatically, with its prune and selfHeal", () => {
    const policy = (name: string) => renderApplications(doc(files, `argocd/cloud/applicationsets/${name}.yaml`))[0]!.spec.syncPolicy;
    expect(policy("dev")).toEqual({ automated: { prune: true, selfHeal: true }, retry: SYNC_RETRY });
    expect(policy("prod")).toEqual({ retry: SYNC_RETRY });
    const changed = fixtureModelWithAccess();
    const dev = changed.environments.find((e) => e.name === "dev")!;
    Object.assign(dev, { sync: "manual" });
    const out = generate(changed);
    expect(out.find((f) => f.path.endsWith("applicationsets/dev.yaml"))!.content).not.toContain("automated");
    // Nothing else changes.
    expect(out.filter((f) => !f.path.endsWith("applicationsets/dev.yaml"))).toEqual(files.filter((f) => !f.path.endsWith("applicationsets/dev.yaml")));
  });

  it("preview: pull-request generator on the repository with labels and requeue, pr-<number> namespace created per pull request", () => {
    const preview = doc(files, "argocd/cloud/applicationsets/preview.yaml");
    const [matrix] = preview.spec.generators;
    expect(matrix.matrix.generators[0]).toEqual({ pullRequest: { github: { owner: "acme", repo: "app", labels: ["preview"] }, requeueAfterSeconds: 300 } });
    const [app] = renderApplications(preview);
    expect(app!.metadata.name).toBe("preview-42-api");
    expect(app!.metadata.labels["plinth.dev/pull-request"]).toBe("42");
    expect(app!.spec.destination.namespace).toBe("pr-42");
    // The namespace's one owner is the preview's base Application: the services' Applications wait for it
    // (retrying longer) and cannot recreate it once the base deleted it with the pull request.
    expect(app!.spec.syncPolicy.syncOptions ?? []).not.toContain("CreateNamespace=true");
    expect(app!.spec.syncPolicy.managedNamespaceMetadata).toBeUndefined();
    expect(app!.spec.syncPolicy.retry.limit).toBeGreaterThan(SYNC_RETRY.limit!);
    const [base] = renderApplications(doc(files, "argocd/cloud/applicationsets/preview-base.yaml"));
    expect(base!.metadata.name).toBe("preview-42-base");
    expect(base!.spec.destination.namespace).toBe("pr-42");
    expect(base!.spec.source.kustomize).toEqual({ namespace: "pr-42" });
    expect(app!.spec.sources[0].helm.parameters).toEqual([
      { name: "image.tag", value: "1234567890123456789012345678901234567890", forceString: true },
      { name: "ingress.hosts[0].host", value: "pr-42.preview.acme.example" },
      { name: "ingress.tls[0].hosts[0]", value: "pr-42.preview.acme.example" },
    ]);
  });

  it("previews are torn down with their pull request: nothing preserves resources on deletion", () => {
    for (const file of files) expect(file.content, file.path).not.toMatch(/preserveResourcesOnDeletion/);
  });

  it("turning previews off removes the pull-request generator and nothing else", () => {
    const changed = fixtureModelWithAccess();
    changed.environments = changed.environments.filter((e) => !e.preview);
    changed.deployments = changed.deployments.filter((d) => d.environment !== "preview");
    const out = generate(changed);
    expect(out.map((f) => f.content).join("")).not.toContain("pullRequest");
    expect(files.map((f) => f.content).join("")).toContain("pullRequest");
    const developer = doc(out, "argocd/cloud/projects/acme.yaml").spec.roles[0];
    expect(developer.policies.some((p: string) => p.includes("preview"))).toBe(false);
    expect(out.map((f) => f.path)).toEqual(files.map((f) => f.path).filter((p) => !/applicationsets\/preview(-base)?\.yaml$/.test(p)));
  });

  it("services with charts from a chart repository and from Git in one environment both render", () => {
    const changed = fixtureModelWithAccess();
    changed.services.push({
      ...changed.services[0]!,
      name: "billing",
      chart: { kind: "repository", repoURL: "https://charts.acme.example", name: "billing", version: "0.4.1", targetRevision: "0.4.1" },
    });
    changed.deployments.push({
      ...changed.deployments[0]!,
      service: "billing",
      releaseName: "billing",
      application: "dev-billing",
      valuesPath: "helm/dev/billing.values.yaml",
      valuesRepoPath: "helm/dev/billing.values.yaml",
      chart: { kind: "repository", repoURL: "https://charts.acme.example", name: "billing", targetRevision: "0.4.1", version: "0.4.1", pinned: true },
    });
    const apps = renderApplications(doc(generate(changed), "argocd/cloud/applicationsets/dev.yaml"));
    apps.forEach(checkRendered);
    const sources = Object.fromEntries(apps.map((a) => [a.metadata.name, a.spec.sources[0]]));
    expect(sources["dev-billing"]).toMatchObject({ repoURL: "https://charts.acme.example", chart: "billing", path: "", targetRevision: "0.4.1" });
    expect(sources["dev-api"]).toMatchObject({ repoURL: "https://github.com/acme/gitops", chart: "", path: "helm/_charts/plinth-service/0.1.0", targetRevision: "main" });
  });
});

describe.each(EXAMPLES)("argocd target on example %s", (example) => {
  it("every document validates and every ApplicationSet renders valid Applications", async () => {
    const { model, files } = await buildExample(example);
    const own = files.filter((f) => f.path.startsWith("argocd/"));
    expect(own.length).toBeGreaterThan(0);
    const docs = all(own).map(({ doc }) => doc);
    for (const appset of docs.filter((d) => d.kind === "ApplicationSet")) renderApplications(appset).forEach(checkRendered);
    for (const app of docs.filter((d) => d.kind === "Application")) expect(app.spec.syncPolicy?.retry, app.metadata.name).toEqual(SYNC_RETRY);
    for (const cluster of model.clusters) {
      const root = doc(own, `argocd/${cluster.name}/root.yaml`);
      expect(root.metadata.name).toBe(cluster.rootApplication);
      expect(root.spec.syncPolicy?.automated ?? null).toEqual(cluster.rootSync.automated ? { prune: cluster.rootSync.prune, selfHeal: cluster.rootSync.selfHeal } : null);
    }
  });
});

describe("seed 001 (k3s-homelab)", () => {
  it("root app-of-apps syncs with prune: false and selfHeal: true", async () => {
    const { files } = await buildExample("k3s-homelab");
    const roots = files.filter((f) => /^argocd\/[^/]+\/root\.yaml$/.test(f.path));
    expect(roots).toHaveLength(1);
    expect(doc(files, roots[0]!.path).spec.syncPolicy.automated).toEqual({ prune: false, selfHeal: true });
  });
});

/** The component Applications the argocd target writes for one cluster, by component name. */
function componentApps(files: OutputFile[], cluster: ModelCluster): Map<string, Doc> {
  const prefix = `argocd/${cluster.name}/components/`;
  return new Map(files.filter((f) => f.path.startsWith(prefix)).map((f) => [f.path.slice(prefix.length, -".yaml".length), doc(files, f.path)]));
}

/**
 * What loki 6.x refuses to render (templates/validate.yaml), for the keys plinth sets, over the
 * chart's defaults: SimpleScalable with 3 read/write/backend replicas, no single binary, replication 3.
 */
function lokiProblems(values: Doc): string[] {
  const problems: string[] = [];
  const loki = values.loki ?? {};
  if (!loki.schemaConfig?.configs?.length && !loki.useTestSchema) problems.push("You must provide a schema_config for Loki");
  const scalable = ["read", "write", "backend"].some((target) => (values[target]?.replicas ?? 3) > 0);
  if ((loki.storage?.type ?? "s3") === "filesystem" && scalable) problems.push("Cannot run scalable targets (backend, read, write) without an object storage backend");
  const single = values.singleBinary?.replicas ?? 0;
  if ((values.deploymentMode ?? "SimpleScalable") === "SingleBinary" && single < 1) problems.push("SingleBinary with no replica renders no Loki");
  if (single === 1 && (loki.commonConfig?.replication_factor ?? 3) !== 1) problems.push("one replica needs replication_factor 1");
  return problems;
}

describe("component values: catalog defaults under the user's values", () => {
  it("the user's values win key by key; the catalog's stay where the user says nothing", () => {
    expect(resolveComponent("cert-manager").values).toEqual({ crds: { enabled: true } });
    expect(resolveComponent({ name: "cert-manager", values: { crds: { enabled: false } } }).values).toEqual({ crds: { enabled: false } });
    const loki = resolveComponent({ name: "loki", values: { singleBinary: { replicas: 2 }, loki: { storage: { type: "s3" } } } }).values as Doc;
    expect(loki.singleBinary).toEqual({ replicas: 2 });
    expect(loki.loki.storage).toEqual({ type: "s3" });
    expect(loki.loki.schemaConfig.configs[0]).toMatchObject({ store: "tsdb", schema: "v13" });
    expect(lokiProblems(resolveComponent("loki").values as Doc)).toEqual([]);
    expect(lokiProblems({})).toContain("You must provide a schema_config for Loki");
  });

  it("kube-prometheus-stack is named kube-prometheus-stack whatever the release", () => {
    expect(resolveComponent("monitoring").values).toMatchObject({ fullnameOverride: "kube-prometheus-stack" });
  });
});

describe.each(EXAMPLES)("component Applications of example %s", (example) => {
  it("chart sources Argo CD 2.13 can fetch: http(s) repositories, or OCI registries without a scheme declared with enableOCI", async () => {
    const { model, files } = await buildExample(example);
    for (const cluster of model.clusters) {
      const platform = doc(files, `argocd/${cluster.name}/projects/${cluster.platformProject}.yaml`);
      for (const [name, app] of componentApps(files, cluster)) {
        const repoURL: string = app.spec.source.repoURL;
        // Argo CD 2.x takes a Helm source as OCI only without a scheme ("should include hostname and port only").
        expect(repoURL, name).not.toMatch(/^oci:/);
        expect(repoURL, name).toMatch(/^(https?:\/\/|[a-z0-9-]+(\.[a-z0-9-]+)+(:\d+)?\/)/);
        expect(platform.spec.sourceRepos, name).toContain(repoURL);
        if (repoURL.includes("://")) continue;
        const repositories = ((cluster.argocd.values.configs as Doc | undefined)?.repositories ?? {}) as Doc;
        expect(Object.values(repositories), `${cluster.name}: OCI repository of ${name}`).toContainEqual({ name, type: "helm", url: repoURL, enableOCI: "true" });
      }
    }
  });

  it("the argo-cd values the bootstrap installs restore the Application health check, so sync waves wait for child health", async () => {
    const { model } = await buildExample(example);
    for (const cluster of model.clusters) {
      const lua = ((cluster.argocd.values.configs as Doc | undefined)?.cm as Doc | undefined)?.[APPLICATION_HEALTH_KEY];
      expect(lua, cluster.name).toEqual(expect.stringContaining("hs.status = obj.status.health.status"));
      expect(lua).toMatch(/return hs\n$/);
    }
  });

  it("cert-manager installs its CRDs; Loki renders as a single binary on the profile's storage class", async () => {
    const { model, files } = await buildExample(example);
    for (const cluster of model.clusters) {
      const apps = componentApps(files, cluster);
      const certManager = apps.get("cert-manager");
      if (certManager) expect(certManager.spec.source.helm.valuesObject.crds.enabled).toBe(true);
      const loki = apps.get("loki");
      if (!loki) continue;
      expect(lokiProblems(loki.spec.source.helm.valuesObject), cluster.name).toEqual([]);
      const storageClass = model.profiles.find((p) => p.name === cluster.profile)!.storageClass;
      expect(loki.spec.source.helm.valuesObject.singleBinary.persistence.storageClass).toBe(storageClass);
    }
  });

  it("Velero writes to the cluster's backup bucket with the AWS plugin, as the service account the IAM role trusts", async () => {
    const { model, files } = await buildExample(example);
    for (const cluster of model.clusters) {
      const velero = componentApps(files, cluster).get("velero");
      if (!velero) continue;
      const values = velero.spec.source.helm.valuesObject;
      const profile = model.profiles.find((p) => p.name === cluster.profile)!;
      expect(values.initContainers).toEqual([expect.objectContaining({ image: expect.stringMatching(/^velero\/velero-plugin-for-aws:v1\.11\.\d+$/), volumeMounts: [{ mountPath: "/target", name: "plugins" }] })]);
      const buckets = model.buckets.filter((b) => b.cluster === cluster.name).map((b) => b.name);
      const veleroBackups = model.backups.filter((b) => b.method === "velero" && b.cluster === cluster.name);
      expect(values.backupsEnabled).toBe(buckets.length > 0);
      const [location, ...others] = values.configuration.backupStorageLocation as Doc[];
      if (buckets.length > 0) {
        expect(location).toMatchObject({ name: "default", provider: "aws", default: true });
        for (const l of [location!, ...others]) expect(buckets).toContain(l.bucket);
        for (const backup of veleroBackups) expect(`s3://${location!.bucket}/${location!.prefix}`).toBe(backup.destinationPath);
      }
      if (profile.objectStorage.provider === "minio") {
        expect(location?.config).toEqual({ region: expect.any(String), s3ForcePathStyle: "true", s3Url: profile.objectStorage.endpoint });
        expect(values.credentials).toEqual({ useSecret: true, existingSecret: expect.any(String) });
        expect(values.snapshotsEnabled).toBe(false);
      } else {
        expect(values.credentials).toEqual({ useSecret: false });
        expect(values.volumeSnapshotLocation ?? values.configuration.volumeSnapshotLocation).toEqual([expect.objectContaining({ provider: "aws" })]);
      }
      expect(values.serviceAccount.server.name).toBe(cluster.veleroServiceAccount.name);
      expect(velero.spec.destination.namespace).toBe(cluster.veleroServiceAccount.namespace);
    }
  });

  it("External Secrets runs as the service account Vault's role and the IRSA role trust", async () => {
    const { model, files } = await buildExample(example);
    for (const cluster of model.clusters) {
      const eso = componentApps(files, cluster).get("external-secrets");
      if (!eso) continue;
      expect(eso.spec.source.helm.valuesObject.serviceAccount.name).toBe(cluster.externalSecretsServiceAccount.name);
      expect(eso.spec.destination.namespace).toBe(cluster.externalSecretsServiceAccount.namespace);
    }
  });
});

describe("the examples exercise every component default", () => {
  it("cert-manager, loki, monitoring, an OCI chart, and Velero on S3 and on MinIO", async () => {
    const built = await Promise.all(EXAMPLES.map((e) => buildExample(e)));
    const components = new Set(built.flatMap(({ model }) => model.clusters.flatMap((c) => c.components.map((x) => x.name))));
    for (const name of ["cert-manager", "loki", "monitoring", "envoy-gateway", "velero", "external-secrets"]) expect(components, name).toContain(name);
    const veleroStorage = new Set(
      built.flatMap(({ model }) => model.clusters.filter((c) => c.components.some((x) => x.name === "velero")).map((c) => model.profiles.find((p) => p.name === c.profile)!.objectStorage.provider)),
    );
    expect(veleroStorage).toEqual(new Set(["s3", "minio"]));
  });
});

describe("component values from a spec (bitvault)", () => {
  async function build(edit: (spec: Spec) => void): Promise<{ model: Model; files: OutputFile[] }> {
    const { model } = await editedExample("bitvault", edit);
    return { model, files: emit(model, ["opentofu", "argocd"]) };
  }
  const annotation = (app: Doc | undefined, ...path: string[]) =>
    path.reduce<any>((node, key) => node?.[key], app?.spec.source.helm.valuesObject)?.annotations?.["eks.amazonaws.com/role-arn"];

  it("on EKS, External Secrets, Velero and external-dns run with Pod Identity: no IRSA annotation in their values", async () => {
    const { model, files } = await build(() => {});
    let checked = 0;
    for (const cluster of model.clusters) {
      const apps = componentApps(files, cluster);
      for (const [component, path_] of [
        ["velero", ["serviceAccount", "server"]],
        ["external-secrets", ["serviceAccount"]],
        ["external-dns", ["serviceAccount"]],
      ] as const) {
        if (!apps.has(component)) continue;
        expect(annotation(apps.get(component), ...path_), `${cluster.name} ${component}`).toBeUndefined();
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(4);
  });

  it("a user's component values win over plinth's defaults", async () => {
    const { model, files } = await build((spec) => {
      spec.clusters[0]!.components = spec.clusters[0]!.components.map((c) =>
        (typeof c === "string" ? c : c.name) === "velero" ? { name: "velero", values: { snapshotsEnabled: false, configuration: { uploaderType: "kopia" } } } : c,
      );
    });
    const values = componentApps(files, model.clusters[0]!).get("velero")!.spec.source.helm.valuesObject;
    expect(values.snapshotsEnabled).toBe(false);
    expect(values.configuration.uploaderType).toBe("kopia");
    expect(values.configuration.backupStorageLocation[0].bucket).toBe(model.buckets.find((b) => b.cluster === model.clusters[0]!.name)!.name);
  });
});
