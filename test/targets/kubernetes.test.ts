import { describe, expect, it } from "vitest";
import type { Model, ModelBackup, ModelDataService } from "../../compiler/model.js";
import { DEFAULT_LIMIT_RANGE } from "../../compiler/resolve/index.js";
import type { Spec } from "../../spec/schema.js";
import type { OutputFile } from "../../targets/types.js";
import { kubernetesTarget } from "../../targets/kubernetes/index.js";
import { toGoDurationString } from "../../targets/shared/go-duration.js";
import { fixtureModel, withDeployGraph } from "../fixtures/model.js";
import { buildExample, editedExample, EXAMPLES } from "../helpers.js";
import { checkManifestFile, k8sProblems, parseYamlDocuments, validateWithModel } from "../support/k8s-check.js";
import { dataConnection } from "../../compiler/resolve/data-engines.js";

type Doc = Record<string, any>;

/** The target's files, with what resolve derives (placements, deploy graph) following the test's changes. */
function generate(model: Model = fixtureModel()): OutputFile[] {
  return kubernetesTarget.generate(withDeployGraph(model));
}

/**
 * Every document of every file the root application syncs, checked, with the file it came from.
 * Previews' bases (kubernetes/_previews/) are checked as Argo CD applies them, kustomized for a pull
 * request, in test/previews.test.ts.
 */
function documents(files: OutputFile[]): { path: string; doc: Doc }[] {
  return files.filter((file) => !file.path.startsWith("kubernetes/_previews/")).flatMap((file) => checkManifestFile(file.path, file.content).map((doc) => ({ path: file.path, doc: doc as Doc })));
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

interface Endpoint {
  namespace: string;
  labels?: Record<string, string>;
}

const matchLabels = (selector: Doc | undefined, labels: Record<string, string>) =>
  Object.entries((selector?.matchLabels ?? {}) as Record<string, string>).every(([key, value]) => labels[key] === value);

/**
 * NetworkPolicy semantics (matchLabels selectors, pod peers without IPs) for one connection: it
 * passes when the source's namespace allows it out and the destination's namespace lets it in.
 * A pod no policy of a direction selects is open in that direction; otherwise some rule of some
 * selecting policy must match the peer (and port, when the rule lists ports).
 */
function trafficAllowed(sourcePolicies: Doc[], destinationPolicies: Doc[], source: Endpoint, destination: Endpoint, port: number): boolean {
  const peerMatches = (peer: Doc, policyNamespace: string, other: Endpoint) => {
    if (peer.ipBlock) return false;
    const namespaceOk = peer.namespaceSelector
      ? matchLabels(peer.namespaceSelector, { "kubernetes.io/metadata.name": other.namespace })
      : other.namespace === policyNamespace;
    return namespaceOk && (peer.podSelector === undefined || matchLabels(peer.podSelector, other.labels ?? {}));
  };
  const direction = (docs: Doc[], type: "Ingress" | "Egress", self: Endpoint, other: Endpoint) => {
    const selecting = docs.filter((p) => p.spec.policyTypes.includes(type) && matchLabels(p.spec.podSelector, self.labels ?? {}));
    if (selecting.length === 0) return true;
    const [rulesKey, peersKey] = type === "Ingress" ? ["ingress", "from"] : ["egress", "to"];
    return selecting.some((p) =>
      ((p.spec[rulesKey] ?? []) as Doc[]).some(
        (rule) =>
          (rule.ports === undefined || (rule.ports as Doc[]).some((r) => r.port === port)) &&
          // An empty or missing peer list matches every peer.
          ((rule[peersKey] ?? []).length === 0 || (rule[peersKey] as Doc[]).some((peer) => peerMatches(peer, self.namespace, other))),
      ),
    );
  };
  return direction(sourcePolicies, "Egress", source, destination) && direction(destinationPolicies, "Ingress", destination, source);
}

describe("kubernetes target on the fixture model", () => {
  const files = generate();

  it("writes one file per namespace and one for cluster-scoped stores, per cluster", () => {
    expect(files.map((f) => f.path)).toEqual([
      "kubernetes/_previews/cloud/preview/kustomization.yaml",
      "kubernetes/_previews/cloud/preview/resources.yaml",
      "kubernetes/cloud/_cluster.yaml",
      "kubernetes/cloud/dev.yaml",
      "kubernetes/cloud/prod.yaml",
      "kubernetes/homelab/_cluster.yaml",
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

  it("a peer limited to ports gets a rule of its own, so the ports bind only it", () => {
    const model = fixtureModel();
    const prod = model.namespaces.find((n) => n.name === "prod")!;
    prod.networkPolicy = { ...prod.networkPolicy!, defaultDeny: true, denyEgress: true, allowEgressTo: [{ namespace: "db" }, { cidr: "0.0.0.0/0", ports: [443] }] };
    const egress = policies(generate(model), "prod").find((p) => p.metadata.name === "allow-egress")!.spec.egress;
    expect(egress).toEqual([
      { to: [{ podSelector: {} }, { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "db" } } }] },
      { to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ protocol: "TCP", port: 443 }] },
    ]);
  });

  it("default deny off means nothing is closed, so nothing is emitted", () => {
    const model = fixtureModel();
    const prod = model.namespaces.find((n) => n.name === "prod")!;
    prod.networkPolicy = { ...prod.networkPolicy!, defaultDeny: false, denyEgress: false };
    expect(policies(generate(model), "prod")).toEqual([]);
  });

  it("denies ingress only while egress is open, and opens the namespace's own pods and the named ingress peers", () => {
    const dev = policies(generate(), "dev");
    expect(dev.map((p) => p.metadata.name)).toEqual(["allow-ingress", "default-deny"]);
    expect(dev[1]!.spec).toEqual({ podSelector: {}, policyTypes: ["Ingress"] });
    expect(dev[0]!.spec.ingress).toEqual([{ from: [{ podSelector: {} }, { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" } } }] }]);
  });

  it("denies egress too when egress peers are listed, allowing those peers and DNS", () => {
    const byName = Object.fromEntries(policies(generate(), "prod").map((p) => [p.metadata.name, p.spec]));
    expect(byName["default-deny"]).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    expect(byName["allow-ingress"].ingress[0].from).toEqual([
      { podSelector: {} },
      { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" } } },
      { ipBlock: { cidr: "10.0.0.0/16" } },
    ]);
    expect(byName["allow-egress"].egress[0].to).toEqual([
      { podSelector: {} },
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
    expect(names).toEqual(["allow-egress", "allow-ingress", "default-deny"]);
  });

  it("lets pods of a default-deny namespace reach each other (web → api), and only the listed peers in", () => {
    const files = generate();
    // dev denies ingress only; prod denies both ways; workloads lists no ingress peer at all.
    for (const namespace of ["dev", "prod", "workloads"]) {
      const own = { namespace };
      expect(trafficAllowed(policies(files, namespace), policies(files, namespace), own, own, 8080), namespace).toBe(true);
    }
    const prod = policies(files, "prod");
    expect(trafficAllowed([], prod, { namespace: "ingress-nginx" }, { namespace: "prod" }, 8080)).toBe(true);
    expect(trafficAllowed([], prod, { namespace: "staging" }, { namespace: "prod" }, 8080)).toBe(false);
    expect(trafficAllowed([], policies(files, "workloads"), { namespace: "observability" }, { namespace: "workloads" }, 8080)).toBe(false);
    // Egress stays closed to what prod does not list, DNS open on port 53 only.
    expect(trafficAllowed(prod, [], { namespace: "prod" }, { namespace: "kube-system", labels: { "k8s-app": "kube-dns" } }, 53)).toBe(true);
    expect(trafficAllowed(prod, [], { namespace: "prod" }, { namespace: "kube-system", labels: { "k8s-app": "kube-dns" } }, 443)).toBe(false);
  });
});

describe("secret stores", () => {
  it("puts cluster-scoped stores in the cluster file, with the backend's provider", () => {
    const aws = only(generate(), "ClusterSecretStore", "aws");
    expect(aws.path).toBe("kubernetes/cloud/_cluster.yaml");
    // EKS Pod Identity: the controller's own credentials are its role's, so the store names no auth.
    expect(aws.doc.spec.provider).toEqual({ aws: { service: "SecretsManager", region: "eu-west-1" } });
    const vault = only(generate(), "ClusterSecretStore", "vault");
    expect(vault.path).toBe("kubernetes/homelab/_cluster.yaml");
    expect(vault.doc.spec.provider).toEqual({
      vault: { server: "http://vault.security.svc:8200", path: "kv", version: "v2", auth: { kubernetes: { mountPath: "kubernetes", role: "external-secrets" } } },
    });
  });

  it("with IRSA (a cluster that is not EKS) the store assumes the role of the controller's service account", () => {
    const model = fixtureModel();
    model.clusters[0]!.kind = "existing";
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
    expect(find(files, "ClusterSecretStore", "aws")).toHaveLength(0);
  });

  it("a Vault store logs in through its cluster's own auth mount, whose token review is allowed", () => {
    const model = fixtureModel();
    const store = model.secretStores.find((s) => s.backend === "vault")!;
    store.placements = store.placements.map((p) => ({ ...p, vaultAuthMount: `kubernetes-${p.cluster}` }));
    const files = generate(model);
    for (const placement of store.placements) {
      const doc = only(files.filter((f) => f.path.startsWith(`kubernetes/${placement.cluster}/`)), store.kind, store.name, placement.namespace).doc;
      expect(doc.spec.provider.vault.auth.kubernetes.mountPath).toBe(`kubernetes-${placement.cluster}`);
      const account = model.clusters.find((c) => c.name === placement.cluster)!.externalSecretsServiceAccount;
      const binding = only(files.filter((f) => f.path === `kubernetes/${placement.cluster}/_cluster.yaml`), "ClusterRoleBinding", `${account.name}-vault-auth-delegator`).doc;
      expect(binding.roleRef.name).toBe("system:auth-delegator");
      expect(binding.subjects).toEqual([{ kind: "ServiceAccount", name: account.name, namespace: account.namespace }]);
    }
  });

  it("a cluster with a certificate issuer gets its ACME ClusterIssuer, answered through its Ingress class", () => {
    const model = fixtureModel();
    const cluster = model.clusters[0]!;
    expect(find(generate(model), "ClusterIssuer", "letsencrypt")).toHaveLength(0);
    cluster.certificateIssuer = { name: "letsencrypt", server: "https://acme-v02.api.letsencrypt.org/directory", email: "ops@example.com", solver: { ingressClassName: "nginx" } };
    const issuer = only(generate(model).filter((f) => f.path === `kubernetes/${cluster.name}/_cluster.yaml`), "ClusterIssuer", "letsencrypt").doc;
    expect(issuer.spec.acme).toEqual({
      server: "https://acme-v02.api.letsencrypt.org/directory",
      email: "ops@example.com",
      privateKeySecretRef: { name: "letsencrypt-account-key" },
      solvers: [{ http01: { ingress: { ingressClassName: "nginx" } } }],
    });
  });

  it("an EKS cluster gets its profile's EBS StorageClass; other kinds do not", () => {
    const model = fixtureModel();
    const files = generate(model);
    for (const cluster of model.clusters) {
      const storageClass = model.profiles.find((p) => p.name === cluster.profile)!.storageClass;
      const found = find(files.filter((f) => f.path.startsWith(`kubernetes/${cluster.name}/`)), "StorageClass", storageClass);
      if (cluster.kind === "eks" && ["gp3", "gp2"].includes(storageClass)) {
        expect(found).toHaveLength(1);
        expect(found[0]!.doc).toMatchObject({ provisioner: "ebs.csi.aws.com", parameters: { type: storageClass }, volumeBindingMode: "WaitForFirstConsumer" });
      } else {
        expect(found).toHaveLength(0);
      }
    }
    expect(model.clusters.some((c) => c.kind === "eks"), "the fixture has an EKS cluster").toBe(true);
  });

  it("fails loudly when a backend's settings are missing from the Model", () => {
    // The graph is derived from the intact model; only the target then sees the gap.
    const model = fixtureModel();
    delete model.secretStores.find((s) => s.name === "vault")!.vault;
    expect(() => kubernetesTarget.generate(model)).toThrow(/secret store "vault".*no vault settings/);
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
    // Its deployments inherited it (resolve copies the environment's rollout onto each).
    for (const d of model.deployments.filter((x) => x.environment === "dev")) delete d.rollout;
    expect(templates(generate(model))).toEqual(["prod/error-rate", "prod/latency-p99"]);
  });

  it("a rollout without analyses (e.g. recreate) gets no templates", () => {
    const model = fixtureModel();
    model.rollouts = [...model.rollouts.filter((r) => r.name !== "quick"), { name: "quick", strategy: "recreate", analyses: [], at: [] }];
    expect(templates(generate(model))).toEqual(["prod/error-rate", "prod/latency-p99"]);
  });
});

/** An example's spec with one change, resolved the way compileSpec does. */
const exampleModel = async (example: string, change: (spec: Spec) => void = () => {}): Promise<Model> => (await editedExample(example, change)).model;

describe("container defaults where a quota caps requests (resolve)", () => {
  const quotaAndLimits = (model: Model, namespace: string, cluster: string) => {
    const files = generate(model).filter((f) => f.path === `kubernetes/${cluster}/${namespace}.yaml`);
    return { quota: only(files, "ResourceQuota", "namespace-quota", namespace).doc.spec.hard, limits: find(files, "LimitRange", "container-defaults", namespace).map(({ doc }) => doc.spec.limits) };
  };

  it("gives a namespace with a cpu/memory quota and no limitRange the documented default, and caps memory limits with it", async () => {
    // bitvault's platform namespace runs ArgoCD, External Secrets and monitoring charts that set no resources.
    const model = await exampleModel("bitvault");
    expect(model.namespaces.find((n) => n.name === "platform" && n.cluster === "nonprod")!.limitRange).toEqual(DEFAULT_LIMIT_RANGE);
    const { quota, limits } = quotaAndLimits(model, "platform", "nonprod");
    expect(limits).toEqual([[{ type: "Container", default: { memory: "512Mi" }, defaultRequest: { cpu: "100m", memory: "128Mi" } }]]);
    expect(quota).toEqual({ "requests.cpu": "6", "requests.memory": "16Gi", "limits.memory": "16Gi" });
  });

  it("keeps a spec limitRange that covers what the quota caps, and adds only missing default requests to one that does not", async () => {
    const asWritten = await exampleModel("bitvault");
    expect(asWritten.namespaces.find((n) => n.name === "dev")!.limitRange).toEqual({
      default: { cpu: "500m", memory: "512Mi" },
      defaultRequest: { cpu: "100m", memory: "256Mi" },
    });
    const partial = await exampleModel("bitvault", (spec) => {
      spec.namespaces = spec.namespaces.map((n) => (n.name === "dev" ? { ...n, limitRange: { defaultRequest: { memory: "64Mi" } } } : n));
    });
    expect(partial.namespaces.find((n) => n.name === "dev")!.limitRange).toEqual({ defaultRequest: { cpu: "100m", memory: "64Mi" } });
    // No default memory limit, so the quota must not cap limits.memory.
    expect(quotaAndLimits(partial, "dev", "nonprod").quota).toEqual({ "requests.cpu": "4", "requests.memory": "8Gi", pods: "60" });
  });

  it("adds nothing where no quota caps cpu or memory", async () => {
    const model = await exampleModel("bitvault", (spec) => {
      spec.namespaces = spec.namespaces.map((n) => (n.name === "platform" ? { ...n, quota: { pods: 30 } } : n));
    });
    expect(model.namespaces.filter((n) => n.name === "platform" && n.cluster === "nonprod").map((n) => n.limitRange)).toEqual([undefined]);
  });
});

describe("object-store prefixes of data-service backups (resolve)", () => {
  it("gives each namespace a data service runs in its own backup and archive path (dev and staging share a cluster)", async () => {
    const model = await exampleModel("bitvault");
    const pitr = model.backups.filter((b) => b.method === "cnpg-pitr");
    expect(pitr.map((b) => [b.name, b.cluster, b.namespaces, b.prefix, b.destinationPath])).toEqual([
      ["postgres-cnpg-pitr-dev", "nonprod", ["dev"], "postgres/dev/postgres", "s3://bitvault-nonprod-backups/postgres/dev/postgres"],
      ["postgres-cnpg-pitr-staging", "nonprod", ["staging"], "postgres/staging/postgres", "s3://bitvault-nonprod-backups/postgres/staging/postgres"],
      ["postgres-cnpg-pitr-prod", "prod", ["bitvault-data"], "postgres/bitvault-data/postgres", "s3://bitvault-prod-backups/postgres/bitvault-data/postgres"],
    ]);
    expect(pitr.every((b) => b.archiveTimeoutSeconds === 300)).toBe(true);
  });

  it("restores each environment's database from its own archive", async () => {
    const model = await exampleModel("bitvault");
    for (const plan of model.recovery) {
      const env = model.environments.find((e) => e.name === plan.environment)!;
      const manifests = plan.steps.flatMap((step) => (step.manifest ? [step.manifest.document as Doc] : []));
      const databases = manifests.filter((d) => d.kind === "Cluster");
      expect(databases.length, plan.environment).toBeGreaterThan(0);
      for (const database of databases) {
        const backup = model.backups.find((b) => b.method === "cnpg-pitr" && b.cluster === plan.cluster && b.namespaces.includes(env.dataNamespace!))!;
        expect(database.metadata.namespace).toBe(env.dataNamespace);
        expect(database.spec.backup.barmanObjectStore.destinationPath).toBe(backup.destinationPath);
        expect(database.spec.externalClusters[0].barmanObjectStore.destinationPath).toBe(backup.destinationPath);
      }
    }
  });
});

describe("backups", () => {
  const postgres = (): ModelDataService => ({
    name: "postgres",
    engine: "postgres",
    version: "16",
    stateful: true,
    storage: "20Gi",
    instances: 2,
    tiers: ["lite", "standard", "full"],
    resources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { memory: "1Gi" } },
    composeImage: "postgres:16-alpine",
    cnpgImage: "ghcr.io/cloudnative-pg/postgresql:16",
    port: 5432,
    kubernetes: { kind: "operator", component: "cloudnative-pg" },
    placements: [
      { cluster: "cloud", namespace: "prod", environment: "prod", instances: 2, storage: "20Gi", resources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { memory: "1Gi" } }, connection: dataConnection({ name: "postgres", engine: "postgres", port: 5432 }, "prod", 2) },
      { cluster: "homelab", namespace: "workloads", instances: 1, storage: "5Gi", connection: dataConnection({ name: "postgres", engine: "postgres", port: 5432 }, "workloads", 1) },
    ],
    previewPlacements: [],
    overrideEnvironments: [],
    at: ["dataServices", 0],
  });
  const backup = (partial: Partial<ModelBackup> & Pick<ModelBackup, "name" | "method">): ModelBackup => ({
    namespaces: [],
    schedule: "0 2 * * *",
    retention: "14d",
    retentionDays: 14,
    windowDays: 15,
    expireAfterDays: 15,
    prefix: "",
    performer: { kind: "objects", objects: [] },
    offStorage: true,
    at: ["backups", 0],
    ...partial,
  });
  /** The fixture with a Postgres on each cluster (IAM role on AWS, MinIO keys on-prem) and two Velero schedules. */
  function withBackups(): Model {
    const model = fixtureModel();
    model.dataServices = [postgres(), { ...postgres(), name: "cache", engine: "redis", cnpgImage: undefined, kubernetes: undefined } as ModelDataService];
    model.backups = [
      backup({ name: "nightly", method: "velero", cluster: "cloud", namespaces: ["dev", "prod"], retention: "30d", retentionDays: 30, bucket: "acme-cloud-backups", prefix: "velero", destinationPath: "s3://acme-cloud-backups/velero" }),
      backup({ name: "everything", method: "velero", cluster: "homelab", schedule: "@daily", retention: "3d", retentionDays: 3, bucket: "acme-homelab-backups", prefix: "velero" }),
      backup({
        name: "postgres-cnpg-pitr-prod",
        method: "cnpg-pitr",
        cluster: "cloud",
        dataService: "postgres",
        namespaces: ["prod"],
        bucket: "acme-cloud-backups",
        prefix: "postgres/prod/postgres",
        destinationPath: "s3://acme-cloud-backups/postgres/prod/postgres",
        archiveTimeoutSeconds: 60,
      }),
      backup({
        name: "postgres-cnpg-pitr-workloads",
        method: "cnpg-pitr",
        cluster: "homelab",
        dataService: "postgres",
        namespaces: ["workloads"],
        schedule: "30 */6 * * *",
        bucket: "acme-homelab-backups",
        prefix: "postgres/workloads/postgres",
        destinationPath: "s3://acme-homelab-backups/postgres/workloads/postgres",
        endpoint: "https://minio.acme.internal",
        credentialsSecret: "postgres-backup-s3",
      }),
      // Backups nothing performs (not Postgres; no Vault): refused by checks, nothing is emitted for these.
      backup({ name: "cache-cnpg-pitr", method: "cnpg-pitr", cluster: "cloud", dataService: "cache", namespaces: ["dev"], destinationPath: "s3://acme-cloud-backups/redis/dev/cache", performer: { kind: "none", rule: "recovery/no-performer", reason: "not Postgres", hint: "" } }),
      backup({ name: "vault-raft", method: "vault-raft-snapshot", cluster: "homelab", dataService: "postgres", namespaces: ["security"], performer: { kind: "none", rule: "recovery/no-performer", reason: "no Vault", hint: "" } }),
    ];
    return model;
  }

  it("writes a Velero Schedule per velero backup into the velero namespace's file", () => {
    const files = generate(withBackups());
    const nightly = only(files, "Schedule", "nightly", "velero");
    expect(nightly.path).toBe("kubernetes/cloud/velero.yaml");
    expect(nightly.doc.spec).toEqual({
      schedule: "0 2 * * *",
      useOwnerReferencesInBackup: false,
      template: { includedNamespaces: ["dev", "prod"], ttl: "720h0m0s", storageLocation: "default", snapshotVolumes: true },
    });
    const everything = only(files, "Schedule", "everything", "velero");
    expect(everything.path).toBe("kubernetes/homelab/velero.yaml");
    // No namespaces in the Model: the whole cluster.
    expect(everything.doc.spec.template).toMatchObject({ includedNamespaces: ["*"], ttl: "72h0m0s" });
    expect(everything.doc.spec.schedule).toBe("@daily");
  });

  it("puts Schedules wherever the cluster runs Velero", () => {
    const model = withBackups();
    model.clusters[0]!.veleroServiceAccount = { name: "velero-server", namespace: "backup" };
    const files = generate(model);
    expect(only(files, "Schedule", "nightly", "backup").path).toBe("kubernetes/cloud/backup.yaml");
    expect(files.map((f) => f.path)).not.toContain("kubernetes/cloud/velero.yaml");
  });

  it("runs each cnpg-pitr Postgres as a CloudNativePG Cluster archiving to the Model's path with the pod's IAM role on AWS", () => {
    const { doc, path } = only(generate(withBackups()), "Cluster", "postgres", "prod");
    expect(path).toBe("kubernetes/cloud/prod.yaml");
    expect(doc.apiVersion).toBe("postgresql.cnpg.io/v1");
    expect(doc.spec).toEqual({
      instances: 2,
      imageName: "ghcr.io/cloudnative-pg/postgresql:16",
      inheritedMetadata: { labels: { "app.kubernetes.io/instance": "postgres" } },
      storage: { size: "20Gi", storageClass: "gp3" },
      resources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { memory: "1Gi" } },
      postgresql: { parameters: { archive_timeout: "60s" } },
      backup: {
        barmanObjectStore: {
          destinationPath: "s3://acme-cloud-backups/postgres/prod/postgres",
          s3Credentials: { inheritFromIAMRole: true },
          wal: { compression: "gzip" },
          data: { compression: "gzip" },
          // No lineage in the Model: the data service's own name.
          serverName: "postgres",
        },
        retentionPolicy: "14d",
      },
    });
  });

  it("on MinIO, names the endpoint and the credentials Secret's keys", () => {
    const { doc } = only(generate(withBackups()), "Cluster", "postgres", "workloads");
    expect(doc.spec.storage.storageClass).toBe("longhorn");
    expect(doc.spec.postgresql).toBeUndefined();
    expect(doc.spec.backup.barmanObjectStore).toMatchObject({
      destinationPath: "s3://acme-homelab-backups/postgres/workloads/postgres",
      endpointURL: "https://minio.acme.internal",
      s3Credentials: { accessKeyId: { name: "postgres-backup-s3", key: "ACCESS_KEY_ID" }, secretAccessKey: { name: "postgres-backup-s3", key: "ACCESS_SECRET_KEY" } },
    });
  });

  it("schedules base backups with CloudNativePG's six-field cron (seconds first)", () => {
    const files = generate(withBackups());
    expect(only(files, "ScheduledBackup", "postgres-cnpg-pitr-prod", "prod").doc.spec).toEqual({
      schedule: "0 0 2 * * *",
      cluster: { name: "postgres" },
      method: "barmanObjectStore",
      immediate: true,
      backupOwnerReference: "self",
    });
    expect(only(files, "ScheduledBackup", "postgres-cnpg-pitr-workloads", "workloads").doc.spec.schedule).toBe("0 30 */6 * * *");
  });

  it("emits nothing for a non-Postgres cnpg-pitr backup or methods without an object", () => {
    const docs = documents(generate(withBackups()));
    const backupKinds = docs.filter(({ doc }) => ["Cluster", "ScheduledBackup", "Schedule"].includes(doc.kind)).map(({ doc }) => `${doc.kind} ${doc.metadata.namespace}/${doc.metadata.name}`);
    expect(backupKinds.sort()).toEqual([
      "Cluster prod/postgres",
      "Cluster workloads/postgres",
      "Schedule velero/everything",
      "Schedule velero/nightly",
      "ScheduledBackup prod/postgres-cnpg-pitr-prod",
      "ScheduledBackup workloads/postgres-cnpg-pitr-workloads",
    ]);
  });

  it("keeps the kind order: the database and its backups after the namespace's other objects", () => {
    expect(kindsIn(generate(withBackups()), "kubernetes/cloud/prod.yaml").slice(-4)).toEqual([
      "AnalysisTemplate/error-rate",
      "AnalysisTemplate/latency-p99",
      "Cluster/postgres",
      "ScheduledBackup/postgres-cnpg-pitr-prod",
    ]);
  });

  it("writes retention as Go prints a duration", () => {
    expect(["30d", "3d", "90m", "45s", "1h"].map(toGoDurationString)).toEqual(["720h0m0s", "72h0m0s", "1h30m0s", "45s", "1h0m0s"]);
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

  it("checks backup CRDs against their vendored schemas and our cron/duration rules", () => {
    const meta = { name: "x", namespace: "a" };
    const cluster = (barmanObjectStore: Doc) => ({
      apiVersion: "postgresql.cnpg.io/v1",
      kind: "Cluster",
      metadata: meta,
      spec: { instances: 1, imageName: "i", storage: { size: "1Gi" }, backup: { barmanObjectStore, retentionPolicy: "7d" } },
    });
    const ok = { destinationPath: "s3://bucket/prefix", s3Credentials: { inheritFromIAMRole: true } };
    expect(() => validateWithModel(cluster(ok))).not.toThrow();
    expect(k8sProblems(cluster(ok))).toEqual([]);
    expect(() => validateWithModel(cluster({ ...ok, endpointUrl: "http://x" }))).toThrow(/endpointUrl/);
    expect(() => validateWithModel({ ...cluster(ok), spec: { ...cluster(ok).spec, backup: { barmanObjectStore: ok, retentionPolicy: "14 days" } } })).toThrow(/retentionPolicy/);
    expect(k8sProblems(cluster({ destinationPath: "s3://bucket/prefix", s3Credentials: {} }))).toEqual([expect.stringMatching(/inheritFromIAMRole/)]);
    const scheduled = (schedule: string) => ({ apiVersion: "postgresql.cnpg.io/v1", kind: "ScheduledBackup", metadata: meta, spec: { schedule, cluster: { name: "x" } } });
    expect(k8sProblems(scheduled("0 0 2 * * *"))).toEqual([]);
    expect(k8sProblems(scheduled("0 2 * * *"))).toEqual([expect.stringMatching(/6-field/)]);
    const schedule = (ttl: string) => ({
      apiVersion: "velero.io/v1",
      kind: "Schedule",
      metadata: meta,
      spec: { schedule: "0 2 * * *", template: { includedNamespaces: ["a"], ttl, storageLocation: "default" } },
    });
    expect(k8sProblems(schedule("720h0m0s"))).toEqual([]);
    expect(k8sProblems(schedule("30d"))).toEqual([expect.stringMatching(/Go duration/)]);
    expect(() => validateWithModel({ ...schedule("1h"), spec: { ...schedule("1h").spec, ttl: "1h" } })).toThrow(/ttl/);
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
      if (file.path.startsWith("kubernetes/_previews/")) {
        // Kustomized per pull request in test/previews.test.ts.
        expect(file.path).toMatch(/^kubernetes\/_previews\/[a-z0-9-]+\/[a-z0-9-]+\/(kustomization|resources)\.yaml$/);
        continue;
      }
      expect(file.path).toMatch(/^kubernetes\/[a-z0-9-]+\/(_cluster|[a-z0-9-]+)\.yaml$/);
      checkManifestFile(file.path, file.content);
    }
  });

  it("is exactly what the target produces, and deterministic", async () => {
    const { model, files } = await build();
    expect(kubernetesTarget.generate(model)).toEqual(files);
    expect(kubernetesTarget.generate(model)).toEqual(kubernetesTarget.generate(model));
  });

  it("has a Namespace for every Model namespace and every component namespace plinth fills, in its cluster's folder", async () => {
    const { model, files } = await build();
    const namespaces = documents(files)
      .filter(({ doc }) => doc.kind === "Namespace")
      .map(({ path, doc }) => `${path.split("/")[1]}/${doc.metadata.name}`)
      .sort();
    const componentNamespaces = model.clusters.flatMap((c) => c.componentNamespaces.map((n) => `${c.name}/${n}`));
    expect(namespaces).toEqual([...model.namespaces.map((n) => `${n.cluster}/${n.name}`), ...componentNamespaces].sort());
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

  it("has an AnalysisTemplate for every analysis a fixed-namespace environment's rollout, or a service's own there, uses", async () => {
    const { model, files } = await build();
    const expected = model.environments.flatMap((env) => {
      if (env.runtime !== "kubernetes" || env.preview || !env.namespace) return [];
      const names = [env.rollout, ...model.deployments.filter((d) => d.environment === env.name).map((d) => d.rollout)].filter((r): r is string => r !== undefined);
      return names.flatMap((name) => model.rollouts.find((r) => r.name === name)!.analyses.map((a) => `${env.cluster}/${env.namespace}/${a}`));
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

  it("every quota on requests comes with container defaults for what it caps; limits.memory only where every container gets a limit", async () => {
    const { files } = await build();
    const docs = documents(files);
    for (const { doc: quota } of docs.filter(({ doc }) => doc.kind === "ResourceQuota")) {
      const ns = quota.metadata.namespace;
      const limits = docs.find(({ doc }) => doc.kind === "LimitRange" && doc.metadata.namespace === ns)?.doc.spec.limits[0] ?? {};
      for (const resource of ["cpu", "memory"]) {
        if (quota.spec.hard[`requests.${resource}`] === undefined) continue;
        expect(limits.defaultRequest?.[resource] ?? limits.default?.[resource], `${ns}: default ${resource} request`).toBeDefined();
      }
      if (quota.spec.hard["limits.memory"] !== undefined) expect(limits.default?.memory, `${ns}: default memory limit`).toBeDefined();
    }
  });

  it("lets pods of every default-deny namespace reach each other, and each listed peer namespace in", async () => {
    const { model, files } = await build();
    const docs = documents(files);
    for (const ns of model.namespaces.filter((n) => n.networkPolicy?.defaultDeny)) {
      const policies = docs.filter(({ path, doc }) => path === `kubernetes/${ns.cluster}/${ns.name}.yaml` && doc.kind === "NetworkPolicy").map(({ doc }) => doc);
      expect(trafficAllowed(policies, policies, { namespace: ns.name }, { namespace: ns.name }, 8080), ns.name).toBe(true);
      for (const peer of ns.networkPolicy!.allowFrom.filter((p) => p.namespace !== undefined)) {
        expect(trafficAllowed([], policies, { namespace: peer.namespace! }, { namespace: ns.name }, 8080), `${peer.namespace} → ${ns.name}`).toBe(true);
      }
    }
  });

  it("has a Velero Schedule for every velero backup, in the velero namespace, with the backup's namespaces", async () => {
    const { model, files } = await build();
    const schedules = documents(files).filter(({ doc }) => doc.kind === "Schedule");
    const velero = model.backups.filter((b) => b.method === "velero");
    expect(schedules.map(({ path, doc }) => `${path.split("/")[1]}/${doc.metadata.name}`).sort()).toEqual(velero.map((b) => `${b.cluster}/${b.name}`).sort());
    for (const b of velero) {
      const cluster = model.clusters.find((c) => c.name === b.cluster)!;
      const { doc } = schedules.find(({ path, doc }) => path.split("/")[1] === b.cluster && doc.metadata.name === b.name)!;
      expect(doc.metadata.namespace).toBe(cluster.veleroServiceAccount.namespace);
      expect(doc.spec.schedule).toBe(b.schedule);
      expect(doc.spec.template.includedNamespaces).toEqual(b.namespaces.length > 0 ? b.namespaces : ["*"]);
    }
  });

  it("runs every cnpg-pitr Postgres placement as a Cluster with a ScheduledBackup, each archiving to its own path", async () => {
    const { model, files } = await build();
    const docs = documents(files);
    const expected = model.backups.filter((b) => b.method === "cnpg-pitr" && model.dataServices.find((d) => d.name === b.dataService)?.engine === "postgres");
    const clusters = docs.filter(({ doc }) => doc.kind === "Cluster");
    expect(clusters).toHaveLength(expected.reduce((sum, b) => sum + b.namespaces.length, 0));
    for (const b of expected) {
      for (const namespace of b.namespaces) {
        const where = `kubernetes/${b.cluster}/${namespace}.yaml`;
        const database = clusters.find(({ path, doc }) => path === where && doc.metadata.name === b.dataService);
        expect(database, `${where} Cluster ${b.dataService}`).toBeDefined();
        expect(database!.doc.spec.backup.barmanObjectStore.destinationPath).toBe(b.destinationPath);
        expect(database!.doc.spec.backup.retentionPolicy).toBe(`${b.retentionDays}d`);
        const scheduled = docs.find(({ path, doc }) => path === where && doc.kind === "ScheduledBackup" && doc.spec.cluster.name === b.dataService);
        expect(scheduled?.doc.spec.schedule).toBe(b.schedule.startsWith("@") ? b.schedule : `0 ${b.schedule}`);
      }
    }
    // Per bucket, no two databases write the same archive (dev and staging on one cluster used to).
    const paths = clusters.map(({ doc }) => doc.spec.backup.barmanObjectStore.destinationPath);
    expect(new Set(paths).size).toBe(paths.length);
  });

  it("names in the restore runbook the same archive each Cluster writes to", async () => {
    const { files } = await build();
    const runbook = (await buildExample(example)).files.find((f) => f.path === "runbooks/disaster-recovery.md");
    for (const { doc } of documents(files).filter(({ doc }) => doc.kind === "Cluster")) {
      expect(runbook?.content ?? "", `${doc.metadata.namespace}/${doc.metadata.name}`).toContain(doc.spec.backup.barmanObjectStore.destinationPath);
    }
  });
});

describe("data services run by operators (bitvault)", () => {
  it("writes a Redis and an OpenSearchCluster per placement, sized per environment, on the profile's class, valid against the pinned CRDs", async () => {
    const { files } = await buildExample("bitvault");
    const docs = files.filter((f) => f.path.startsWith("kubernetes/")).flatMap((f) => (parseYamlDocuments(f.content) as Doc[]).map((doc) => ({ path: f.path, doc })));
    const data = docs.filter(({ doc }) => ["Redis", "RedisReplication", "OpenSearchCluster"].includes(String(doc.kind)));
    expect(data.map(({ path, doc }) => `${path} ${String(doc.kind)}`).sort()).toEqual([
      "kubernetes/nonprod/dev.yaml Redis",
      "kubernetes/nonprod/staging.yaml OpenSearchCluster",
      "kubernetes/nonprod/staging.yaml Redis",
      "kubernetes/prod/bitvault-data.yaml OpenSearchCluster",
      "kubernetes/prod/bitvault-data.yaml Redis",
    ]);
    const staging = data.find(({ path, doc }) => path.endsWith("staging.yaml") && doc.kind === "OpenSearchCluster")!.doc as { spec: { nodePools: Doc[] } };
    expect(staging.spec.nodePools[0]).toMatchObject({ replicas: 1, diskSize: "50Gi", persistence: { pvc: { storageClass: "gp3" } }, labels: { "app.kubernetes.io/instance": "opensearch" } });
    for (const { doc } of data) expect(() => validateWithModel(doc)).not.toThrow();
  });

  it("rejects a field the pinned CRD does not have, at any depth", async () => {
    const { files } = await buildExample("bitvault");
    const doc = (parseYamlDocuments(files.find((f) => f.path === "kubernetes/prod/bitvault-data.yaml")!.content) as Doc[]).find((d) => d.kind === "OpenSearchCluster")!;
    const planted = structuredClone(doc) as { spec: { nodePools: Doc[] } };
    planted.spec.nodePools[0]!.diskSizee = "1Gi";
    expect(() => validateWithModel(planted)).toThrow(/diskSizee/);
    const redis = (parseYamlDocuments(files.find((f) => f.path === "kubernetes/prod/bitvault-data.yaml")!.content) as Doc[]).find((d) => d.kind === "Redis")!;
    expect(() => validateWithModel({ ...redis, spec: { ...(redis.spec as Doc), kubernetesConfig: { ...((redis.spec as Doc).kubernetesConfig as Doc), imageTag: "x" } } })).toThrow(/imageTag/);
  });
});

describe("a Postgres no cnpg-pitr backup archives", () => {
  it("still runs as a CloudNativePG Cluster in every placement, without spec.backup, its volumes labelled with its name", () => {
    const model = fixtureModel();
    model.dataServices = [
      {
        name: "sessions",
        engine: "postgres",
        version: "16",
        stateful: false,
        storage: "5Gi",
        instances: 1,
        tiers: ["lite", "standard", "full"],
        composeImage: "postgres:16-alpine",
        cnpgImage: "ghcr.io/cloudnative-pg/postgresql:16",
        port: 5432,
        kubernetes: { kind: "operator", component: "cloudnative-pg" },
        placements: [{ cluster: "cloud", namespace: "prod", environment: "prod", instances: 1, storage: "5Gi", connection: dataConnection({ name: "sessions", engine: "postgres", port: 5432 }, "prod", 1) }],
        previewPlacements: [],
        overrideEnvironments: [],
        at: ["dataServices", 0],
      },
    ];
    model.backups = [];
    const cluster = documents(generate(model)).find(({ doc }) => doc.kind === "Cluster")!.doc;
    expect(cluster.metadata).toMatchObject({ name: "sessions", namespace: "prod" });
    expect(cluster.spec).toEqual({
      instances: 1,
      imageName: "ghcr.io/cloudnative-pg/postgresql:16",
      inheritedMetadata: { labels: { "app.kubernetes.io/instance": "sessions" } },
      storage: { size: "5Gi", storageClass: expect.any(String) },
    });
    expect(() => validateWithModel(cluster)).not.toThrow();
    // It provides the Secret and Service services bind to.
    const node = withDeployGraph(model).deploy.nodes.find((n) => n.id === "cloud/data/prod/sessions")!;
    expect(node.provides).toEqual(["Service cloud/prod/sessions-rw", "Secret cloud/prod/sessions-app"]);
  });
});
