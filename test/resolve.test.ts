import { describe, expect, it } from "vitest";
import { buildExample } from "./helpers.js";

describe("resolve: what default-deny namespaces must still admit", () => {
  it("opens namespaces to the controllers that reach into them", async () => {
    const { model } = await buildExample("catalyst-forge");
    const allowed = (cluster: string, name: string) =>
      model.namespaces.find((n) => n.cluster === cluster && n.name === name)!.networkPolicy!.allowFrom.map((p) => p.namespace);
    const onprem = model.clusters.find((c) => c.name === "forge-onprem")!;
    expect(onprem.ingressClassName).toBe("traefik");
    // Traefik (k3s) serves Ingress from kube-system; Prometheus scrapes; CNPG manages its clusters.
    expect(allowed("forge-onprem", "forge-dev")).toEqual(expect.arrayContaining(["kube-system", "monitoring", "cnpg-system"]));
  });

  it("does not open a namespace that runs nothing those controllers serve", async () => {
    const { model } = await buildExample("bitvault");
    const bitvault = model.namespaces.find((n) => n.cluster === "prod" && n.name === "bitvault")!;
    expect(bitvault.networkPolicy!.allowFrom.map((p) => p.namespace)).not.toContain("cnpg-system");
  });
});

describe("resolve: certificates", () => {
  it("a cluster with cert-manager and an Ingress class gets the spec's ACME issuer; Helm values name it", async () => {
    const { model, files } = await buildExample("bitvault");
    for (const cluster of model.clusters) {
      expect(cluster.certificateIssuer).toMatchObject({ name: "letsencrypt", email: "platform@bitvault.io", ingressClassName: cluster.ingressClassName });
    }
    const prodApi = files.find((f) => f.path === "helm/prod/api.values.yaml")!.content;
    expect(prodApi).toContain("cert-manager.io/cluster-issuer: letsencrypt");
  });

  it("no issuer without cert-manager", async () => {
    const { model } = await buildExample("catalyst-forge");
    expect(model.clusters.every((c) => c.certificateIssuer === undefined)).toBe(true);
  });
});
