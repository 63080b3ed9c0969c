import { describe, expect, it } from "vitest";
import type { Model } from "../../compiler/model.js";
import type { OutputFile } from "../../targets/types.js";
import { kubernetesTarget } from "../../targets/kubernetes/index.js";
import { fixtureModel } from "../fixtures/model.js";
import { buildExample, EXAMPLES } from "../helpers.js";
import { checkManifestFile, k8sProblems, parseYamlDocuments } from "../support/k8s-check.js";

type Doc = Record<string, any>;

function generate(model: Model = fixtureModel()): OutputFile[] {
  return kubernetesTarget.generate(model);
}

/** Every document of every file, checked, with the file it came from. */
function documents(files: OutputFile[]): { path: string; doc: Doc }[] {
  return files.flatMap((file) => checkManifestFile(file.path, file.content).map((doc) => ({ path: file.path, doc: doc as Doc })));
}

function find(files: OutputFile[], kind: string, name: string, namespace?: string): { path: string; doc: Doc }[] {
  return documents(files).filter(({ doc }) => doc.kind === kind && doc.metadata.name === name && doc.metadata.namespace === namespace);
}

function only(files: OutputFile[], kind: string, name: string, namespace?: string): { path: string; doc: Doc } {
  const found = find(files, kind, name, namespace);
  expect(found, `${kind} ${namespace ?? ""}/${name}`).toHaveLength(1);
  return found[0]!;
}

const kindsIn = (files: OutputFile[], path: string) =>
  documents(files.filter((f) => f.path === path)).map(({ doc }) => `${doc.kind}/${doc.metadata.name}`);

describe("kubernetes target on the fixture model", () => {
  const files = generate();

  it("writes one file per namespace and one for cluster-scoped stores, per cluster", () => {
    expect(files.map((f) => f.path)).toEqual([
      "kubernetes/cloud/_cluster-secret-stores.yaml",
      "kubernetes/cloud/dev.yaml",
      "kubernetes/cloud/prod.yaml",
      "kubernetes/homelab/_cluster-secret-stores.yaml",
      "kubernetes/homelab/observability.yaml",
      "kubernetes/homelab/security.yaml",
      "kubernetes/homelab/workloads.yaml",
    ]);
  });

  it("every document parses strictly, validates against its schema and passes our checks", () => {
    const docs = documents(files);
    expect(docs.length).toBeGreaterThan(20);
  });

  it("is byte-deterministic with LF endings and a trailing newline", () => {
    expect(generate()).toEqual(files);
    for (const file of files) {
      expect(file.content.endsWith("\n")).toBe(true);
      expect(file.content).not.toContain("\r");
    }
  });

  it("orders a namespace file by kind, then name", () => {
    expect(kindsIn(files, "kubernetes/cloud/prod.yaml")).toEqual([
      "Namespace/prod",
      "ResourceQuota/namespace-quota",
      "NetworkPolicy/allow-dns",
      "NetworkPolicy/allow-egress",
      "NetworkPolicy/allow-ingress",
      "NetworkPolicy/default-deny",
      "ExternalSecret/api-secrets",
      "AnalysisTemplate/error-rate",
      "AnalysisTemplate/latency-p99",
    ]);
    expect(kindsIn(files, "kubernetes/homelab/security.yaml")).toEqual([
      "Namespace/security",
      "ResourceQuota/namespace-quota",
      "Role/local-secrets",
      "RoleBinding/local-secrets",
    ]);
  });

  it("quotes strings a YAML 1.1 reader would misread", () => {
    const observability = files.find((f) => f.path === "kubernetes/homelab/observability.yaml")!.content;
    expect(observability).toContain('secretKey: "yes"');
    const workloads = files.find((f) => f.path === "kubernetes/homelab/workloads.yaml")!.content;
    expect(workloads).toContain('plinth.dev/team: "0755"');
    const dev = files.find((f) => f.path === "kubernetes/cloud/dev.yaml")!.content;
    expect(dev).toContain('tier: "on"');
    expect(parseYamlDocuments(dev, "1.1")[0]).toMatchObject({ metadata: { labels: { tier: "on" } } });
  });

  it("never writes a secret value, only references", () => {
    for (const { doc } of documents(files)) {
      expect(doc.kind).not.toBe("Secret");
      if (doc.kind === "ExternalSecret") for (const d of doc.spec.data) expect(Object.keys(d).sort()).toEqual(["remoteRef", "secretKey"]);
    }
  });
});

describe("namespaces", () => {
  it("labels the Namespace with the Model's labels and the pod security level in all three modes", () => {
    const { doc } = only(generate(), "Namespace", "prod");
    expect(doc.metadata.labels).toEqual({
      "app.kubernetes.io/managed-by": "plinth",
      "app.kubernetes.io/part-of": "acme",
      "plinth.dev/environment": "prod",
      "pod-security.kubernetes.io/audit": "restricted",
      "pod-security.kubernetes.io/enforce": "restricted",
      "pod-security.kubernetes.io/warn": "restricted",
    });
    const model = fixtureModel();
    model.namespaces.find((n) => n.name === "prod")!.podSecurity = "baseline";
    expect(only(generate(model), "Namespace", "prod").doc.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("baseline");
  });

  it("caps CPU and memory requests and pods; memory limits only where the LimitRange defaults them", () => {
    expect(only(generate(), "ResourceQuota", "namespace-quota", "dev").doc.spec.hard).toEqual({
      "requests.cpu": "4",
      "requests.memory": "8Gi",
      "limits.memory": "8Gi",
      pods: "40",
    });
    // prod has no LimitRange and observability only default requests: a limits.memory quota
    // would reject every container that sets no memory limit.
    expect(only(generate(), "ResourceQuota", "namespace-quota", "prod").doc.spec.hard).toEqual({ "requests.memory": "32Gi" });
    expect(only(generate(), "ResourceQuota", "namespace-quota", "observability").doc.spec.hard).toEqual({ "requests.memory": "6Gi" });
    const model = fixtureModel();
    model.namespaces.find((n) => n.name === "prod")!.limitRange = { default: { memory: "1Gi" } };
    expect(only(generate(model), "ResourceQuota", "namespace-quota", "prod").doc.spec.hard).toEqual({ "requests.memory": "32Gi", "limits.memory": "32Gi" });
  });

  it("has no ResourceQuota without a quota and no LimitRange without defaults", () => {
    const model = fixtureModel();
    delete model.namespaces.find((n) => n.name === "dev")!.quota;
    delete model.namespaces.find((n) => n.name === "dev")!.limitRange;
    const files = generate(model);
    expect(find(files, "ResourceQuota", "namespace-quota", "dev")).toEqual([]);
    expect(find(files, "LimitRange", "container-defaults", "dev")).toEqual([]);
    expect(find(files, "Namespace", "dev")).toHaveLength(1);
  });

  it("sets container defaults and default requests from the LimitRange", () => {
    expect(only(generate(), "LimitRange", "container-defaults", "dev").doc.spec.limits).toEqual([
      { type: "Container", default: { cpu: "500m", memory: "512Mi" }, defaultRequest: { cpu: "100m", memory: "128Mi" } },
    ]);
    expect(only(generate(), "LimitRange", "container-defaults", "observability").doc.spec.limits).toEqual([
      { type: "Container", defaultRequest: { memory: "64Mi" } },
    ]);
  });
});

describe("network policies", () => {
  const policies = (files: OutputFile[], namespace: string) =>
    documents(files)
      .filter(({ doc }) => doc.kind === "NetworkPolicy" && doc.metadata.namespace === namespace)
      .map(({ doc }) => doc);

  it("a namespace without a network policy gets none", () => {
    expect(policies(generate(), "security")).toEqual([]);
    expect(policies(generate(), "observability")).toEqual([]);
  });

  it("default deny off means nothing is closed, so nothing is emitted", () => {
    const model = fixtureModel();
    const prod = model.namespaces.find((n) => n.name === "prod")!;
    prod.networkPolicy = { ...prod.networkPolicy!, defaultDeny: false, denyEgress: false };
    expect(policies(generate(model), "prod")).toEqual([]);
  });

  it("denies ingress only while egress is open, and opens the named ingress peers", () => {
    const dev = policies(generate(), "dev");
    expect(dev.map((p) => p.metadata.name)).toEqual(["allow-ingress", "default-deny"]);
    expect(dev[1]!.spec).toEqual({ podSelector: {}, policyTypes: ["Ingress"] });
    expect(dev[0]!.spec.ingress).toEqual([{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" } } }] }]);
  });

  it("denies egress too when egress peers are listed, allowing those peers and DNS", () => {
    const byName = Object.fromEntries(policies(generate(), "prod").map((p) => [p.metadata.name, p.spec]));
    expect(byName["default-deny"]).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    expect(byName["allow-ingress"].ingress[0].from).toEqual([
      { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" } } },
      { ipBlock: { cidr: "10.0.0.0/16" } },
    ]);
    expect(byName["allow-egress"].egress[0].to).toEqual([
      { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "prod" } } },
      { ipBlock: { cidr: "0.0.0.0/0" } },
    ]);
    expect(byName["allow-dns"]).toEqual({
      podSelector: {},
      policyTypes: ["Egress"],
      egress: [
        {
          to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
          ports: [
            { protocol: "UDP", port: 53 },
            { protocol: "TCP", port: 53 },
          ],
        },
      ],
    });
  });

  it("leaves DNS closed when the spec turns allowDns off", () => {
    const names = policies(generate(), "workloads").map((p) => p.metadata.name);
    expect(names).toEqual(["allow-egress", "default-deny"]);
  });
});

describe("secret stores", () => {
  it("puts cluster-scoped stores in the cluster file, with the backend's provider", () => {
    const aws = only(generate(), "ClusterSecretStore", "aws");
    expect(aws.path).toBe("kubernetes/cloud/_cluster-secret-stores.yaml");
    expect(aws.doc.spec.provider).toEqual({
      aws: {
        service: "SecretsManager",
        region: "eu-west-1",
        auth: { jwt: { serviceAccountRef: { name: "external-secrets", namespace: "external-secrets" } } },
      },
    });
    const vault = only(generate(), "ClusterSecretStore", "vault");
    expect(vault.path).toBe("kubernetes/homelab/_cluster-secret-stores.yaml");
    expect(vault.doc.spec.provider).toEqual({
      vault: { server: "http://vault.security.svc:8200", path: "kv", version: "v2", auth: { kubernetes: { mountPath: "kubernetes", role: "external-secrets" } } },
    });
  });

  it("takes the IRSA service account from the cluster", () => {
    const model = fixtureModel();
    model.clusters[0]!.externalSecretsServiceAccount = { name: "eso", namespace: "platform" };
    expect(only(generate(model), "ClusterSecretStore", "aws").doc.spec.provider.aws.auth.jwt.serviceAccountRef).toEqual({ name: "eso", namespace: "platform" });
  });

  it("a namespace-scoped store becomes a SecretStore in each namespace that reads it", () => {
    const files = generate();
    for (const namespace of ["observability", "workloads"]) {
      const store = only(files, "SecretStore", "local-secrets", namespace);
      expect(store.path).toBe(`kubernetes/homelab/${namespace}.yaml`);
      expect(store.doc.spec.provider).toEqual({
        kubernetes: {
          remoteNamespace: "security",
          server: { caProvider: { type: "ConfigMap", name: "kube-root-ca.crt", key: "ca.crt" } },
          auth: { serviceAccount: { name: "local-secrets" } },
        },
      });
      expect(only(files, "ServiceAccount", "local-secrets", namespace).path).toBe(`kubernetes/homelab/${namespace}.yaml`);
    }
    expect(find(files, "ClusterSecretStore", "local-secrets")).toEqual([]);
    const binding = only(files, "RoleBinding", "local-secrets", "security").doc;
    expect(binding.roleRef).toEqual({ apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "local-secrets" });
    expect(binding.subjects).toEqual([
      { kind: "ServiceAccount", name: "local-secrets", namespace: "observability" },
      { kind: "ServiceAccount", name: "local-secrets", namespace: "workloads" },
    ]);
    expect(only(files, "Role", "local-secrets", "security").doc.rules).toEqual([{ apiGroups: [""], resources: ["secrets"], verbs: ["get", "list", "watch"] }]);
  });

  it("a cluster-scoped Kubernetes store reads as the External Secrets service account", () => {
    const model = fixtureModel();
    const store = model.secretStores.find((s) => s.name === "local-secrets")!;
    store.kind = "ClusterSecretStore";
    store.placements = [{ cluster: "homelab" }];
    for (const secret of model.externalSecrets) if (secret.store === "local-secrets") secret.storeKind = "ClusterSecretStore";
    const files = generate(model);
    expect(only(files, "ClusterSecretStore", "local-secrets").doc.spec.provider.kubernetes).toEqual({
      remoteNamespace: "security",
      server: { caProvider: { type: "ConfigMap", name: "kube-root-ca.crt", key: "ca.crt", namespace: "security" } },
      auth: { serviceAccount: { name: "external-secrets", namespace: "security" } },
    });
    expect(documents(files).filter(({ doc }) => ["ServiceAccount", "Role", "RoleBinding"].includes(doc.kind))).toEqual([]);
  });

  it("a namespaced AWS store uses the controller's own IRSA identity", () => {
    const model = fixtureModel();
    const store = model.secretStores.find((s) => s.name === "aws")!;
    store.kind = "SecretStore";
    store.placements = [{ cluster: "cloud", namespace: "dev" }];
    const files = generate(model);
    expect(only(files, "SecretStore", "aws", "dev").doc.spec.provider).toEqual({ aws: { service: "SecretsManager", region: "eu-west-1" } });
    expect(files.map((f) => f.path)).not.toContain("kubernetes/cloud/_cluster-secret-stores.yaml");
  });

  it("fails loudly when a backend's settings are missing from the Model", () => {
    const model = fixtureModel();
    delete model.secretStores.find((s) => s.name === "vault")!.vault;
    expect(() => generate(model)).toThrow(/secret store "vault".*no vault settings/);
  });
});

describe("external secrets", () => {
  it("materialises each Model secret with its store, target and remote references", () => {
    const { doc, path } = only(generate(), "ExternalSecret", "api-secrets", "prod");
    expect(path).toBe("kubernetes/cloud/prod.yaml");
    expect(doc.metadata.labels).toMatchObject({ "plinth.dev/environment": "prod", "plinth.dev/service": "api" });
    expect(doc.spec).toEqual({
      refreshInterval: "1h",
      secretStoreRef: { name: "aws", kind: "ClusterSecretStore" },
      target: { name: "api-secrets", creationPolicy: "Owner" },
      data: [{ secretKey: "DATABASE_URL", remoteRef: { key: "prod/api/database", property: "url" } }],
    });
    const grafana = only(generate(), "ExternalSecret", "grafana-admin", "observability").doc;
    expect(grafana.spec.secretStoreRef).toEqual({ name: "local-secrets", kind: "SecretStore" });
    expect(grafana.spec.data[1]).toEqual({ secretKey: "yes", remoteRef: { key: "grafana-admin" } });
  });

  it("writes the refresh interval as a Go duration", () => {
    expect(only(generate(), "ExternalSecret", "alertmanager-discord", "observability").doc.spec.refreshInterval).toBe("24h");
    expect(only(generate(), "ExternalSecret", "grafana-admin", "observability").doc.spec.refreshInterval).toBe("15m");
  });

  it("every ExternalSecret names a store that exists where it can be used", () => {
    const docs = documents(generate());
    const externalSecrets = docs.filter(({ doc }) => doc.kind === "ExternalSecret");
    expect(externalSecrets.length).toBe(5);
    for (const { path, doc } of externalSecrets) {
      const cluster = path.split("/")[1];
      const ref = doc.spec.secretStoreRef;
      const store = docs.filter(
        (d) =>
          d.path.split("/")[1] === cluster &&
          d.doc.kind === ref.kind &&
          d.doc.metadata.name === ref.name &&
          (ref.kind === "ClusterSecretStore" || d.doc.metadata.namespace === doc.metadata.namespace),
      );
      expect(store, `${path}: ${ref.kind}/${ref.name}`).toHaveLength(1);
    }
  });
});

describe("analysis templates", () => {
  const templates = (files: OutputFile[]) =>
    documents(files)
      .filter(({ doc }) => doc.kind === "AnalysisTemplate")
      .map(({ doc }) => `${doc.metadata.namespace}/${doc.metadata.name}`);

  it("places each analysis a rollout uses in the namespace of every environment using that rollout", () => {
    // dev uses "quick" (error-rate); prod uses "careful" (error-rate, latency-p99); the preview
    // environment uses "careful" too but has no fixed namespace; "unused" belongs to no rollout.
    expect(templates(generate())).toEqual(["dev/error-rate", "prod/error-rate", "prod/latency-p99"]);
  });

  it("turns the analysis into a Prometheus metric with its conditions and limits", () => {
    expect(only(generate(), "AnalysisTemplate", "error-rate", "prod").doc.spec).toEqual({
      args: [{ name: "service-name" }],
      metrics: [
        {
          name: "error-rate",
          interval: "1m",
          count: 5,
          failureLimit: 1,
          successCondition: "result[0] < 0.01",
          failureCondition: "result[0] >= 0.05",
          provider: {
            prometheus: {
              address: "http://prometheus.monitoring.svc:9090",
              query: 'sum(rate(http_requests_total{service="{{args.service-name}}",status=~"5.."}[5m])) / sum(rate(http_requests_total{service="{{args.service-name}}"}[5m]))',
            },
          },
        },
      ],
    });
    const latencySpec = only(generate(), "AnalysisTemplate", "latency-p99", "prod").doc.spec;
    expect(latencySpec.args).toBeUndefined();
    const latency = latencySpec.metrics[0];
    expect(latency.failureCondition).toBeUndefined();
    expect(latency.failureLimit).toBe(0);
  });

  it("an environment without a rollout gets no templates", () => {
    const model = fixtureModel();
    delete model.environments.find((e) => e.name === "dev")!.rollout;
    expect(templates(generate(model))).toEqual(["prod/error-rate", "prod/latency-p99"]);
  });

  it("a rollout without analyses (e.g. recreate) gets no templates", () => {
    const model = fixtureModel();
    model.rollouts = [...model.rollouts.filter((r) => r.name !== "quick"), { name: "quick", strategy: "recreate", analyses: [], at: [] }];
    expect(templates(generate(model))).toEqual(["prod/error-rate", "prod/latency-p99"]);
  });
});

describe("the manifest checker itself", () => {
  it("rejects duplicate keys", () => {
    expect(() => checkManifestFile("x.yaml", "apiVersion: v1\nkind: Namespace\nkind: Namespace\nmetadata:\n  name: a\n")).toThrow(/[Dd]uplicate|unique/);
  });

  it("rejects names that are not DNS-1123, missing required fields and cluster-scoped objects with a namespace", () => {
    expect(k8sProblems({ apiVersion: "v1", kind: "Namespace", metadata: { name: "Bad_Name" } })).toEqual([expect.stringMatching(/DNS-1123 label/)]);
    expect(k8sProblems({ apiVersion: "v1", kind: "ResourceQuota", metadata: { name: "q", namespace: "a" }, spec: {} })).toEqual(["spec.hard is required"]);
    expect(k8sProblems({ apiVersion: "v1", kind: "ResourceQuota", metadata: { name: "q", namespace: "a" }, spec: { hard: { pods: "ten" } } })).toEqual([
      expect.stringMatching(/not a quantity/),
    ]);
    expect(
      k8sProblems({ apiVersion: "external-secrets.io/v1", kind: "ClusterSecretStore", metadata: { name: "s", namespace: "a" }, spec: { provider: { aws: {} } } }),
    ).toEqual([expect.stringMatching(/cluster-scoped/)]);
    expect(k8sProblems({ apiVersion: "v1", kind: "Pod", metadata: { name: "p" } })).toEqual([expect.stringMatching(/not a kind we know/)]);
  });

  it("rejects a refresh interval Go cannot parse and a document the published schema rejects", () => {
    const es = (refreshInterval: unknown) =>
      `apiVersion: external-secrets.io/v1\nkind: ExternalSecret\nmetadata:\n  name: s\n  namespace: a\nspec:\n  refreshInterval: ${refreshInterval}\n  secretStoreRef: {name: x, kind: ClusterSecretStore}\n  target: {name: s}\n  data: [{secretKey: k, remoteRef: {key: r}}]\n`;
    expect(() => checkManifestFile("ok.yaml", es("1h"))).not.toThrow();
    expect(() => checkManifestFile("x.yaml", es("1d"))).toThrow(/not a Go duration/);
    expect(() => checkManifestFile("x.yaml", es("[1]"))).toThrow(/schema/);
  });
});

describe.each(EXAMPLES)("kubernetes target on example %s", (example) => {
  const build = async () => {
    const { model, files } = await buildExample(example);
    return { model, files: files.filter((f) => f.path.startsWith("kubernetes/")) };
  };

  it("every document parses strictly, validates against its schema and passes our checks", async () => {
    const { files } = await build();
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      expect(file.path).toMatch(/^kubernetes\/[a-z0-9-]+\/(_cluster-secret-stores|[a-z0-9-]+)\.yaml$/);
      checkManifestFile(file.path, file.content);
    }
  });

  it("is exactly what the target produces, and deterministic", async () => {
    const { model, files } = await build();
    expect(kubernetesTarget.generate(model)).toEqual(files);
    expect(kubernetesTarget.generate(model)).toEqual(kubernetesTarget.generate(model));
  });

  it("has a Namespace for every Model namespace, in its cluster's folder", async () => {
    const { model, files } = await build();
    const namespaces = documents(files)
      .filter(({ doc }) => doc.kind === "Namespace")
      .map(({ path, doc }) => `${path.split("/")[1]}/${doc.metadata.name}`)
      .sort();
    expect(namespaces).toEqual(model.namespaces.map((n) => `${n.cluster}/${n.name}`).sort());
  });

  it("every ExternalSecret names a store that exists where it can be used", async () => {
    const { model, files } = await build();
    const docs = documents(files);
    const externalSecrets = docs.filter(({ doc }) => doc.kind === "ExternalSecret");
    expect(externalSecrets).toHaveLength(model.externalSecrets.length);
    for (const { path, doc } of externalSecrets) {
      const cluster = path.split("/")[1];
      const ref = doc.spec.secretStoreRef;
      const stores = docs.filter(
        (d) =>
          d.path.split("/")[1] === cluster &&
          d.doc.kind === ref.kind &&
          d.doc.metadata.name === ref.name &&
          (ref.kind === "ClusterSecretStore" || d.doc.metadata.namespace === doc.metadata.namespace),
      );
      expect(stores, `${path}: ${ref.kind}/${ref.name}`).toHaveLength(1);
    }
  });

  it("has an AnalysisTemplate for every analysis a fixed-namespace environment's rollout uses", async () => {
    const { model, files } = await build();
    const expected = model.environments.flatMap((env) => {
      if (env.runtime !== "kubernetes" || env.preview || !env.namespace || !env.rollout) return [];
      const rollout = model.rollouts.find((r) => r.name === env.rollout)!;
      return rollout.analyses.map((a) => `${env.cluster}/${env.namespace}/${a}`);
    });
    const actual = documents(files)
      .filter(({ doc }) => doc.kind === "AnalysisTemplate")
      .map(({ path, doc }) => `${path.split("/")[1]}/${doc.metadata.namespace}/${doc.metadata.name}`);
    expect(actual.sort()).toEqual([...new Set(expected)].sort());
  });

  it("every AnalysisTemplate declares each {{args.NAME}} its metrics use", async () => {
    const { files } = await build();
    for (const { doc } of documents(files).filter(({ doc }) => doc.kind === "AnalysisTemplate")) {
      const used = [...JSON.stringify(doc.spec.metrics).matchAll(/\{\{\s*args\.([^}\s]+)\s*\}\}/g)].map((m) => m[1]);
      const declared = (doc.spec.args ?? []).map((a: { name: string }) => a.name);
      for (const name of used) expect(declared, `${doc.metadata.namespace}/${doc.metadata.name}`).toContain(name);
    }
  });
});
