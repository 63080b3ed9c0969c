import { describe, expect, it } from "vitest";
import type { Model } from "../../compiler/model.js";
import { argocdTarget } from "../../targets/argocd/index.js";
import type { OutputFile } from "../../targets/types.js";
import { fixtureModelWithAccess } from "../fixtures/model.js";
import { buildExample, EXAMPLES } from "../helpers.js";
import { renderApplications } from "../support/appset-render.js";
import { checkManifestFile, k8sProblems, validateWithModel } from "../support/k8s-check.js";

type Doc = Record<string, any>;

const generate = (model: Model = fixtureModelWithAccess()) => argocdTarget.generate(model);

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
      "argocd/cloud/applicationsets/preview.yaml",
      "argocd/cloud/applicationsets/prod.yaml",
      "argocd/cloud/components/argo-rollouts.yaml",
      "argocd/cloud/components/cert-manager.yaml",
      "argocd/cloud/components/external-secrets.yaml",
      "argocd/cloud/kubernetes.yaml",
      "argocd/cloud/projects/acme.yaml",
      "argocd/cloud/projects/platform.yaml",
      "argocd/cloud/root.yaml",
      "argocd/homelab/kubernetes.yaml",
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
    expect(root.spec.source).toEqual({ repoURL: "https://github.com/acme/gitops", targetRevision: "main", path: "argocd/cloud", directory: { recurse: true } });
    expect(root.spec.syncPolicy).toEqual({ automated: { prune: false, selfHeal: true } });
  });

  it("root follows Model.rootSync: not automated means no automated block; gitopsPath moves the source path", () => {
    const changed = fixtureModelWithAccess();
    changed.clusters[0]!.rootSync = { automated: false, prune: false, selfHeal: false };
    changed.clusters[0]!.gitopsPaths = { argocd: "deploy/argocd/cloud", kubernetes: "deploy/kubernetes/cloud" };
    const out = generate(changed);
    const root = doc(out, "argocd/cloud/root.yaml");
    expect(root.spec.syncPolicy).toBeUndefined();
    expect(root.spec.source.path).toBe("deploy/argocd/cloud");
    expect(doc(out, "argocd/cloud/kubernetes.yaml").spec.source.path).toBe("deploy/kubernetes/cloud");
  });

  it("components: one Application per chart with its sync wave and CreateNamespace; ArgoCD itself is left to the bootstrap", () => {
    expect(files.some((f) => f.path.endsWith("components/argocd.yaml"))).toBe(false);
    const certManager = doc(files, "argocd/cloud/components/cert-manager.yaml");
    expect(wave(certManager)).toBe(-2);
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

  it("sync waves: projects, then operators, then the kubernetes tree, then workloads", () => {
    const docs = all(files.filter((f) => f.path.startsWith("argocd/cloud/") && !f.path.endsWith("root.yaml"))).map(({ doc }) => doc);
    const projects = docs.filter((d) => d.kind === "AppProject").map(wave);
    const components = docs.filter((d) => d.metadata.labels["plinth.dev/component"]).map(wave);
    const tree = wave(doc(files, "argocd/cloud/kubernetes.yaml"));
    const appsets = docs.filter((d) => d.kind === "ApplicationSet").map(wave);
    expect(Math.max(...projects)).toBeLessThan(Math.min(...components));
    expect(Math.max(...components)).toBeLessThan(tree);
    expect(tree).toBeLessThan(Math.min(...appsets));
    expect(doc(files, "argocd/cloud/kubernetes.yaml").spec.syncPolicy.syncOptions).toContain("SkipDryRunOnMissingResource=true");
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
    expect(acme.spec.clusterResourceWhitelist).toBeUndefined();
    expect(doc(files, "argocd/homelab/projects/homelab-ops.yaml").spec.clusterResourceWhitelist).toEqual([{ group: "*", kind: "*" }]);
    expect(files.some((f) => f.path === "argocd/homelab/projects/acme.yaml")).toBe(false);
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
        repoURL: "https://github.com/acme/app",
        path: "charts/api",
        targetRevision: "main",
        helm: { releaseName: "api", valueFiles: ["$values/helm/dev/api.values.yaml"] },
      },
      { repoURL: "https://github.com/acme/gitops", targetRevision: "main", ref: "values" },
    ]);
    expect(app!.spec.destination).toEqual({ server: "https://kubernetes.default.svc", namespace: "dev" });
  });

  it("render into valid Applications for every element (a missing key would throw, as missingkey=error does)", () => {
    const rendered = appsets().flatMap(renderApplications);
    expect(rendered.map((a) => a.metadata.name).sort()).toEqual(["dev-api", "preview-42-api", "prod-api"]);
    rendered.forEach(checkRendered);
  });

  it("automated sync only where the environment syncs automatically, with its prune and selfHeal", () => {
    const policy = (name: string) => renderApplications(doc(files, `argocd/cloud/applicationsets/${name}.yaml`))[0]!.spec.syncPolicy;
    expect(policy("dev")).toEqual({ automated: { prune: true, selfHeal: true } });
    expect(policy("prod")).toBeUndefined();
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
    expect(app!.spec.syncPolicy.syncOptions).toContain("CreateNamespace=true");
    expect(app!.spec.syncPolicy.managedNamespaceMetadata.labels["plinth.dev/environment"]).toBe("preview");
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
    expect(out.map((f) => f.path)).toEqual(files.map((f) => f.path).filter((p) => p !== "argocd/cloud/applicationsets/preview.yaml"));
  });

  it("services with charts from a chart repository and from Git in one environment both render", () => {
    const changed = fixtureModelWithAccess();
    changed.services.push({
      ...changed.services[0]!,
      name: "billing",
      chart: { repoURL: "https://charts.acme.example", name: "billing", version: "0.4.1", targetRevision: "0.4.1" },
    });
    changed.deployments.push({ ...changed.deployments[0]!, service: "billing", releaseName: "billing", application: "dev-billing", valuesPath: "helm/dev/billing.values.yaml", valuesRepoPath: "helm/dev/billing.values.yaml" });
    const apps = renderApplications(doc(generate(changed), "argocd/cloud/applicationsets/dev.yaml"));
    apps.forEach(checkRendered);
    const sources = Object.fromEntries(apps.map((a) => [a.metadata.name, a.spec.sources[0]]));
    expect(sources["dev-billing"]).toMatchObject({ repoURL: "https://charts.acme.example", chart: "billing", path: "", targetRevision: "0.4.1" });
    expect(sources["dev-api"]).toMatchObject({ repoURL: "https://github.com/acme/app", chart: "", path: "charts/api", targetRevision: "main" });
  });
});

describe.each(EXAMPLES)("argocd target on example %s", (example) => {
  it("every document validates and every ApplicationSet renders valid Applications", async () => {
    const { model, files } = await buildExample(example);
    const own = files.filter((f) => f.path.startsWith("argocd/"));
    expect(own.length).toBeGreaterThan(0);
    const docs = all(own).map(({ doc }) => doc);
    for (const appset of docs.filter((d) => d.kind === "ApplicationSet")) renderApplications(appset).forEach(checkRendered);
    for (const cluster of model.clusters) {
      const root = doc(own, `argocd/${cluster.name}/root.yaml`);
      expect(root.metadata.name).toBe(cluster.rootApplication);
      expect(root.spec.syncPolicy?.automated ?? null).toEqual(cluster.rootSync.automated ? { prune: cluster.rootSync.prune, selfHeal: cluster.rootSync.selfHeal } : null);
    }
  });
});

describe.skipIf(!EXAMPLES.includes("k3s-homelab"))("seed 001 (k3s-homelab)", () => {
  it("root app-of-apps syncs with prune: false and selfHeal: true", async () => {
    const { files } = await buildExample("k3s-homelab");
    const roots = files.filter((f) => /^argocd\/[^/]+\/root\.yaml$/.test(f.path));
    expect(roots).toHaveLength(1);
    expect(doc(files, roots[0]!.path).spec.syncPolicy.automated).toEqual({ prune: false, selfHeal: true });
  });
});
