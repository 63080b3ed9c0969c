import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { resolve } from "../compiler/resolve/index.js";
import { buildExample, editedExample } from "./helpers.js";

describe("resolve: what default-deny namespaces must still admit", () => {
  it("opens namespaces to the controllers that reach into them", async () => {
    const { model } = await buildExample("catalyst-forge");
    const allowed = (cluster: string, name: string) =>
      model.namespaces.find((n) => n.cluster === cluster && n.name === name)!.networkPolicy!.allowFrom.map((p) => p.namespace);
    const onprem = model.clusters.find((c) => c.name === "forge-onprem")!;
    expect(onprem.ingressClassName).toBe("traefik");
    // Envoy Gateway's proxy (not k3s' Traefik) serves the routes; Prometheus scrapes; CNPG manages its clusters.
    expect(onprem.gateway?.namespace).toBe("envoy-gateway-system");
    expect(allowed("forge-onprem", "forge-dev")).toEqual(expect.arrayContaining(["envoy-gateway-system", "monitoring", "cnpg-system"]));
  });

  it("does not open a namespace that runs nothing those controllers serve", async () => {
    const { model } = await buildExample("bitvault");
    const bitvault = model.namespaces.find((n) => n.cluster === "prod" && n.name === "bitvault")!;
    expect(bitvault.networkPolicy!.allowFrom.map((p) => p.namespace)).not.toContain("cnpg-system");
  });
});

describe("resolve: certificates", () => {
  it("a cluster with cert-manager and a Gateway gets the spec's ACME issuer, solving through the Gateway; the Gateway names it", async () => {
    const { model, files } = await buildExample("bitvault");
    for (const cluster of model.clusters) {
      expect(cluster.certificateIssuer).toMatchObject({ name: "letsencrypt", email: "platform@bitvault.io", solver: { gateway: { name: "bitvault", namespace: "platform" } } });
    }
    const prodPlatform = files.find((f) => f.path === "kubernetes/prod/platform.yaml")!.content;
    expect(prodPlatform).toContain("cert-manager.io/cluster-issuer: letsencrypt");
    expect(prodPlatform).toContain("kind: Gateway");
  });

  it("no issuer without cert-manager", async () => {
    const { model } = await buildExample("catalyst-forge");
    expect(model.clusters.every((c) => c.certificateIssuer === undefined)).toBe(true);
  });
});

describe("resolve: Gateway API routing", () => {
  it("a cluster running envoy-gateway gets a Gateway with an HTTPS listener per certified host, and services route through it", async () => {
    const { model, files } = await buildExample("bitvault");
    const nonprod = model.clusters.find((c) => c.name === "nonprod")!;
    expect(nonprod.gateway).toMatchObject({ name: "bitvault", namespace: "platform", gatewayClass: { name: "envoy-gateway", controllerName: "gateway.envoyproxy.io/gatewayclass-controller" } });
    // staging has a host; the preview's `{number}` host is a wildcard HTTP-01 cannot certify, so it is served over `http` only.
    expect(nonprod.gateway!.listeners.map((l) => [l.name, l.hostname, l.secretName])).toEqual([
      ["http", undefined, undefined],
      ["https-staging-bitvault-io", "staging.bitvault.io", "bitvault-staging-bitvault-io-tls"],
    ]);
    const stagingApi = parse(files.find((f) => f.path === "helm/staging/api.values.yaml")!.content);
    expect(stagingApi.ingress).toEqual({ enabled: false });
    expect(stagingApi.httpRoute).toEqual({ enabled: true, parentRefs: [{ name: "bitvault", namespace: "platform", sectionName: "https-staging-bitvault-io" }], hostnames: ["staging.bitvault.io"], path: "/api" });
    // Plain HTTP for a certified host is redirected; a preview's host (no certificate) is served on `http`.
    const previewApi = parse(files.find((f) => f.path === "helm/preview/api.values.yaml")!.content);
    expect(previewApi.httpRoute.parentRefs).toEqual([{ name: "bitvault", namespace: "platform", sectionName: "http" }]);
    const redirect = parseAllDocuments(files.find((f) => f.path === "kubernetes/nonprod/platform.yaml")!.content)
      .map((d) => d.toJS())
      .find((o) => o.kind === "HTTPRoute");
    expect(redirect.spec).toEqual({
      parentRefs: [{ name: "bitvault", sectionName: "http" }],
      hostnames: ["staging.bitvault.io"],
      rules: [{ filters: [{ type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } }] }],
    });
    const externalDns = files.find((f) => f.path === "argocd/nonprod/components/external-dns.yaml")!.content;
    expect(parse(externalDns).spec.source.helm.valuesObject.sources).toContain("gateway-httproute");
    const certManager = parse(files.find((f) => f.path === "argocd/nonprod/components/cert-manager.yaml")!.content);
    expect(certManager.spec.source.helm.valuesObject.config.enableGatewayAPI).toBe(true);
  });

  it("the deploy graph puts the Gateway after its CRDs, cert-manager after the Gateway CRD, and the routes after the Gateway", async () => {
    const { model } = await buildExample("bitvault");
    const node = (id: string) => model.deploy.nodes.find((n) => n.id === id)!;
    const gateway = node("nonprod/gateway/bitvault");
    expect(gateway.provides).toEqual(["Gateway nonprod/platform/bitvault"]);
    expect(gateway.needs.map((n) => n.resource)).toEqual(expect.arrayContaining(["CRD nonprod/gateway.networking.k8s.io/Gateway", "CRD nonprod/gateway.networking.k8s.io/GatewayClass"]));
    const staging = node("nonprod/applicationset/staging");
    expect(staging.needs.map((n) => n.resource)).toEqual(expect.arrayContaining(["Gateway nonprod/platform/bitvault", "CRD nonprod/gateway.networking.k8s.io/HTTPRoute"]));
    expect(staging.wave).toBeGreaterThan(gateway.wave!);
  });

  it("a cluster that also runs ingress-nginx keeps Ingresses and gets no Gateway", async () => {
    const { model } = await editedExample("bitvault", (spec) => {
      for (const cluster of spec.clusters) cluster.components.push({ name: "ingress-nginx", namespace: "ingress-nginx" });
    });
    expect(model.clusters.every((c) => c.gateway === undefined && c.ingressClassName === "nginx")).toBe(true);
  });
});

describe("resolve: Gateway listener names", () => {
  it("hosts that spell one label get distinct listeners and certificate Secrets", async () => {
    const { model } = await editedExample("bitvault", (spec) => {
      spec.environments.find((e) => e.name === "staging")!.hosts = ["a-b.bitvault.io", "a.b.bitvault.io"];
    });
    const listeners = model.clusters.find((c) => c.name === "nonprod")!.gateway!.listeners;
    expect(listeners.map((l) => [l.name, l.hostname, l.secretName])).toEqual([
      ["http", undefined, undefined],
      ["https-a-b-bitvault-io", "a-b.bitvault.io", "bitvault-a-b-bitvault-io-tls"],
      ["https-a-b-bitvault-io-2", "a.b.bitvault.io", "bitvault-a-b-bitvault-io-2-tls"],
    ]);
  });
});

describe("resolve: the Model is immutable", () => {
  it("is deep-frozen in every compile under the tests, so a target that mutates it throws; resolve can be told not to freeze", async () => {
    expect(process.env.PLINTH_FREEZE_MODEL).toBe("1");
    const { model } = await buildExample("bitvault");
    const deployment = model.deployments[0]!;
    expect(Object.isFrozen(model) && Object.isFrozen(deployment) && Object.isFrozen(deployment.env) && Object.isFrozen(model.deploy.nodes[0]!.needs)).toBe(true);
    expect(() => (model.deployments as unknown as unknown[]).push(deployment)).toThrow(TypeError);
    const { spec } = await editedExample("bitvault");
    expect(Object.isFrozen(resolve(spec, {}, [], { freeze: false }).deployments[0])).toBe(false);
    expect(Object.isFrozen(resolve(spec).deployments[0])).toBe(true);
  });
});
