/**
 * The binding contract (compiler/resolve/bindings.ts) across runtimes: a service that uses a data
 * service gets the same connection variables from its Helm values as from its Compose bundle, and
 * its credentials from the operator's Secret (same namespace) or a copy of it (another namespace).
 */
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { Model } from "../compiler/model.js";
import { bindingVariables } from "../compiler/resolve/bindings.js";
import type { OutputFile } from "../targets/types.js";
import { buildExample, EXAMPLES } from "./helpers.js";
import { parseYamlDocuments } from "./support/k8s-check.js";

type Doc = Record<string, any>;

interface Pair {
  where: string;
  /** Variable names of the service's container on Kubernetes (Helm values env). */
  kubernetes: string[];
  /** Variable names of its Compose service. */
  compose: string[];
  /** What the contract promises for the data services it uses on both. */
  promised: string[];
}

/** Every (Kubernetes deployment, Compose service of the same tier) pair of a service that uses data services. */
function pairs(model: Model, files: OutputFile[]): Pair[] {
  const content = (path: string) => files.find((f) => f.path === path)?.content;
  const out: Pair[] = [];
  for (const d of model.deployments) {
    const env = model.environments.find((e) => e.name === d.environment)!;
    const compose = content(`compose/${env.tier}/compose.yaml`);
    const composeService = compose && (parse(compose) as Doc).services?.[d.service];
    if (!composeService) continue;
    const service = model.services.find((s) => s.name === d.service)!;
    const tier = model.tiers.find((t) => t.name === env.tier)!;
    const used = model.dataServices.filter((ds) => service.dependsOn.dataServices.includes(ds.name) && env.dataServices.includes(ds.name) && tier.dataServices.includes(ds.name));
    if (used.length === 0) continue;
    const contract = new Set(model.dataServices.flatMap((ds) => bindingVariables(ds)));
    const values = parse(content(d.valuesPath)!) as Doc;
    out.push({
      where: `${d.service} in ${d.environment} / compose ${env.tier}`,
      kubernetes: (values.env as Doc[]).map((e) => e.name as string).filter((n) => contract.has(n)).sort(),
      compose: Object.keys(composeService.environment ?? {}).filter((n) => contract.has(n)).sort(),
      promised: used.flatMap((ds) => bindingVariables(ds)).sort(),
    });
  }
  return out;
}

/** What differs between the runtimes, or from the contract: empty when they agree. */
function mismatches(pair: Pair): string[] {
  const problems: string[] = [];
  for (const name of pair.promised) {
    if (!pair.kubernetes.includes(name)) problems.push(`${pair.where}: Kubernetes lacks ${name}`);
    if (!pair.compose.includes(name)) problems.push(`${pair.where}: Compose lacks ${name}`);
  }
  for (const name of pair.kubernetes) if (!pair.compose.includes(name)) problems.push(`${pair.where}: only Kubernetes sets ${name}`);
  for (const name of pair.compose) if (!pair.kubernetes.includes(name)) problems.push(`${pair.where}: only Compose sets ${name}`);
  return problems;
}

describe.each(EXAMPLES)("bindings: %s", (example) => {
  it("every service gets the same connection variables on Kubernetes and in Compose, all the contract promises", async () => {
    const { model, files } = await buildExample(example);
    expect(pairs(model, files).flatMap(mismatches)).toEqual([]);
  });
});

describe("bindings", () => {
  it("are exercised: bitvault and catalyst-forge bind Postgres and NATS on both runtimes", async () => {
    const all = await Promise.all(["bitvault", "catalyst-forge"].map(async (e) => { const { model, files } = await buildExample(e); return pairs(model, files); }));
    const names = new Set(all.flat().flatMap((p) => p.promised));
    expect([...names].sort()).toEqual(expect.arrayContaining(["NATS_HOST", "NATS_URL", "POSTGRES_HOST", "POSTGRES_PASSWORD_FILE", "POSTGRES_USERNAME"]));
    expect(all.flat().length).toBeGreaterThan(4);
  });

  it("the cross-runtime comparison fails when one runtime lacks a variable (planted)", async () => {
    const { model, files } = await buildExample("bitvault");
    const pair = pairs(model, files).find((p) => p.where.startsWith("worker in staging"))!;
    expect(mismatches(pair)).toEqual([]);
    expect(mismatches({ ...pair, compose: pair.compose.filter((n) => n !== "NATS_URL") })).toEqual([`${pair.where}: Compose lacks NATS_URL`, `${pair.where}: only Kubernetes sets NATS_URL`]);
    expect(mismatches({ ...pair, kubernetes: pair.kubernetes.filter((n) => n !== "POSTGRES_PASSWORD_FILE") })).toContain(`${pair.where}: Kubernetes lacks POSTGRES_PASSWORD_FILE`);
  });

  it("a service reads credentials in its own namespace: the operator's Secret there, or a copy from prod's data namespace", async () => {
    const { model, files } = await buildExample("bitvault");
    const values = (path: string) => parse(files.find((f) => f.path === path)!.content) as Doc;
    const dev = values("helm/dev/api.values.yaml");
    expect(dev.volumes).toContainEqual({ name: "postgres-app", secret: { secretName: "postgres-app" } });
    expect(dev.env).toContainEqual({ name: "POSTGRES_HOST", value: "postgres-rw.dev.svc" });
    const prod = values("helm/prod/api.values.yaml");
    expect(prod.env).toContainEqual({ name: "POSTGRES_HOST", value: "postgres-rw.bitvault-data.svc" });
    expect(prod.env).toContainEqual({ name: "POSTGRES_PASSWORD_FILE", value: "/run/secrets/postgres-credentials/password" });
    expect(prod.env).toContainEqual({ name: "POSTGRES_USERNAME", valueFrom: { secretKeyRef: { name: "postgres-credentials", key: "username" } } });
    // The copy: an ExternalSecret in bitvault through a Kubernetes store reading bitvault-data, whose operator writes postgres-app.
    const docs = parseYamlDocuments(files.find((f) => f.path === "kubernetes/prod/bitvault.yaml")!.content) as Doc[];
    const copy = docs.find((d) => d.kind === "ExternalSecret" && d.metadata.name === "postgres-credentials")!;
    expect(copy.spec.secretStoreRef).toEqual({ name: "data-bitvault-data", kind: "SecretStore" });
    expect(copy.spec.data.map((x: Doc) => x.remoteRef)).toEqual([
      { key: "postgres-app", property: "username" },
      { key: "postgres-app", property: "password" },
    ]);
    const store = docs.find((d) => d.kind === "SecretStore" && d.metadata.name === "data-bitvault-data")!;
    expect(store.spec.provider.kubernetes.remoteNamespace).toBe("bitvault-data");
    // No first-install step asks a person to write the operator's Secret.
    expect(model.deploy.nodes.some((n) => n.id.includes("secret-path/data-bitvault-data"))).toBe(false);
    const node = model.deploy.nodes.find((n) => n.id === "prod/external-secret/bitvault/postgres-credentials")!;
    expect(node.needs.map((n) => n.resource)).toContain("Secret prod/bitvault-data/postgres-app");
  });

  it("never writes a credential value: passwords are files or Secret keys on Kubernetes, files in Compose", async () => {
    for (const example of ["bitvault", "catalyst-forge"]) {
      const { files } = await buildExample(example);
      for (const f of files.filter((x) => x.path.startsWith("helm/") && x.path.endsWith(".values.yaml"))) {
        const env = ((parse(f.content) as Doc).env ?? []) as Doc[];
        for (const e of env.filter((x) => /PASSWORD$|USERNAME$/.test(x.name))) expect(e.valueFrom?.secretKeyRef, `${f.path} ${e.name}`).toBeDefined();
      }
    }
  });
});

describe("per-service delivery (bitvault)", () => {
  it("the worker is canaried on failed jobs, never on HTTP metrics, and scales 2–8 beside web's 3–12 in prod", async () => {
    const { model, files } = await buildExample("bitvault");
    const values = (path: string) => parse(files.find((f) => f.path === path)!.content) as Doc;
    const http = new Set(model.analyses.filter((a) => a.measuresHttp).map((a) => a.name));
    expect(http.size).toBeGreaterThan(0);
    for (const env of ["staging", "prod"]) {
      const rollout = values(`helm/${env}/worker.values.yaml`).rollout;
      const templates = JSON.stringify(rollout).match(/"templateName":"[^"]+"/g) ?? [];
      expect(templates.length, env).toBeGreaterThan(0);
      for (const t of templates) expect(http.has(t.split('"')[3]!), `${env}: ${t}`).toBe(false);
    }
    expect(values("helm/prod/worker.values.yaml").autoscaling).toEqual({ enabled: true, minReplicas: 2, maxReplicas: 8, targetCPUUtilizationPercentage: 70 });
    expect(values("helm/prod/web.values.yaml").autoscaling).toMatchObject({ minReplicas: 3, maxReplicas: 12 });
    expect(values("helm/prod/api.values.yaml").autoscaling).toMatchObject({ minReplicas: 3, maxReplicas: 20 });
    // Its AnalysisTemplate is placed where it runs, and the worker's metrics port gets a ServiceMonitor.
    expect(model.analyses.find((a) => a.name === "job-failure-rate")!.placements).toEqual([
      { cluster: "nonprod", namespace: "staging" },
      { cluster: "prod", namespace: "bitvault" },
    ]);
    expect(values("helm/prod/worker.values.yaml").serviceMonitor).toMatchObject({ enabled: true, port: "metrics" });
  });

  it("the installed Prometheus selects every ServiceMonitor, not only its own release's", async () => {
    const { model } = await buildExample("bitvault");
    const monitoring = model.clusters.flatMap((c) => c.components).filter((c) => c.name === "monitoring");
    expect(monitoring.length).toBeGreaterThan(0);
    for (const m of monitoring) expect((m.values.prometheus as Doc).prometheusSpec).toMatchObject({ serviceMonitorSelectorNilUsesHelmValues: false });
  });
});
