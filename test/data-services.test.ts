/**
 * Every data service an environment runs has a running definition in the generated tree, on every
 * runtime, read from the files (not from the Model's placements): on Kubernetes the operator's
 * custom resource in the environment's data namespace, the Application of its own chart, or the
 * platform component that runs it there; in Compose a service of that name in each tier bundle that
 * includes it. Previews' per-pull-request copies are checked in test/previews.test.ts.
 */
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { Model } from "../compiler/model.js";
import { dataApplicationName, dataCustomResource } from "../compiler/resolve/data-engines.js";
import type { OutputFile } from "../targets/types.js";
import { buildExample, EXAMPLES } from "./helpers.js";
import { parseYamlDocuments } from "./support/k8s-check.js";

type Doc = Record<string, any>;

/** What the tree lacks: one line per data service and place with no running definition. */
function missingDefinitions(model: Model, files: readonly OutputFile[]): string[] {
  const content = new Map(files.map((f) => [f.path, f.content]));
  const docs = (path: string) => (content.has(path) ? (parseYamlDocuments(content.get(path)!) as Doc[]).filter(Boolean) : []);
  const missing: string[] = [];
  // Where each runs: per environment in its data namespace, or once in its own fixed namespace.
  const places = [
    ...model.environments
      .filter((e) => e.runtime === "kubernetes" && !e.preview && e.cluster !== undefined)
      .flatMap((env) => env.dataServices.map((name) => ({ name, cluster: env.cluster!, namespace: env.dataNamespace ?? env.namespace!, label: `for ${env.name}` }))),
    ...model.dataServices.flatMap((ds) =>
      ds.namespace === undefined ? [] : model.namespaces.filter((n) => n.name === ds.namespace).map((n) => ({ name: ds.name, cluster: n.cluster, namespace: n.name, label: "(fixed namespace)" })),
    ),
  ];
  for (const { name, cluster, namespace, label } of places) {
    const ds = model.dataServices.find((d) => d.name === name)!;
    const where = `${ds.name} ${label} in ${cluster}/${namespace}`;
    const runtime = ds.kubernetes;
    if (runtime?.kind === "operator") {
      const kinds = new Set([1, 2, 3].map((n) => dataCustomResource(ds.engine, n)!.kind));
      const found = docs(`kubernetes/${cluster}/${namespace}.yaml`).some((d) => kinds.has(d.kind) && d.metadata?.name === ds.name && d.metadata?.namespace === namespace);
      if (!found) missing.push(`${where}: no ${[...kinds].join(" or ")}`);
    } else if (runtime?.kind === "chart") {
      const app = docs(`argocd/${cluster}/data/${dataApplicationName(ds.name, namespace)}.yaml`)[0];
      const source = app?.spec?.source;
      if (!app || source.chart !== runtime.chart.name || source.targetRevision !== runtime.chart.version || app.spec.destination.namespace !== namespace) {
        missing.push(`${where}: no Application of ${runtime.chart.name} ${runtime.chart.version}`);
      }
    } else if (runtime?.kind === "component") {
      const app = docs(`argocd/${cluster}/components/${runtime.component}.yaml`)[0];
      if (app?.spec?.destination?.namespace !== namespace) missing.push(`${where}: no ${runtime.component} component there`);
    } else {
      missing.push(`${where}: plinth cannot run ${ds.engine} on Kubernetes`);
    }
  }
  for (const tier of model.tiers) {
    const compose = content.get(`compose/${tier.name}/compose.yaml`);
    const services = compose === undefined ? {} : ((parse(compose) as Doc).services ?? {});
    for (const name of tier.dataServices) {
      const ds = model.dataServices.find((d) => d.name === name)!;
      if (services[name]?.image !== ds.composeImage) missing.push(`${name} in the ${tier.name} Compose bundle: no service running ${ds.composeImage}`);
    }
  }
  return missing;
}

describe.each(EXAMPLES)("data services: %s", (example) => {
  it("every data service each environment and each Compose tier runs has a running definition in the tree", async () => {
    const { model, files } = await buildExample(example);
    expect(missingDefinitions(model, files)).toEqual([]);
  });
});

describe("data services", () => {
  it("the check covers every engine plinth runs: operators, a chart, and Compose", async () => {
    const all = await Promise.all(EXAMPLES.map((e) => buildExample(e)));
    const engines = new Set(all.flatMap(({ model }) => model.environments.filter((e) => e.runtime === "kubernetes" && !e.preview).flatMap((e) => e.dataServices.map((n) => model.dataServices.find((d) => d.name === n)!.engine))));
    expect([...engines].sort()).toEqual(expect.arrayContaining(["nats", "opensearch", "postgres", "redis"]));
    // And a data service in a fixed namespace, run by a platform component (k3s-homelab's Vault).
    expect(all.some(({ model }) => model.dataServices.some((d) => d.namespace !== undefined && d.kubernetes?.kind === "component"))).toBe(true);
  });

  it("fails when a definition is missing (planted): a Redis, a NATS Application, a Compose service", async () => {
    const { model, files } = await buildExample("bitvault");
    const planted = files
      .filter((f) => f.path !== "argocd/nonprod/data/data-dev-nats.yaml")
      .map((f) => {
        if (f.path === "kubernetes/nonprod/dev.yaml") return { ...f, content: (parseYamlDocuments(f.content) as Doc[]).filter((d) => d.kind !== "Redis").map((d) => `---\n${JSON.stringify(d)}\n`).join("") };
        if (f.path === "compose/full/compose.yaml") {
          const doc = parse(f.content) as Doc;
          delete doc.services.opensearch;
          return { ...f, content: JSON.stringify(doc) };
        }
        return f;
      });
    expect(missingDefinitions(model, planted).sort()).toEqual([
      "nats for dev in nonprod/dev: no Application of nats 2.14.2",
      "opensearch in the full Compose bundle: no service running opensearchproject/opensearch:2.18.0",
      "redis for dev in nonprod/dev: no Redis or RedisReplication",
    ]);
    const homelab = await buildExample("k3s-homelab");
    const withoutVault = homelab.files.filter((f) => !/^argocd\/[^/]+\/components\/vault\.yaml$/.test(f.path));
    expect(missingDefinitions(homelab.model, withoutVault).some((m) => m.startsWith("vault (fixed namespace)"))).toBe(true);
  });
});
