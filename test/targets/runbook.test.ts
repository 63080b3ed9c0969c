import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseAllDocuments } from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import { syntheticSpec } from "../../bench/generate.mjs";
import { loadServiceCharts } from "../../compiler/charts.js";
import { rtoExceededRule } from "../../compiler/checks/rto-exceeded.js";
import type { Diagnostic } from "../../compiler/diagnostics.js";
import { UserError } from "../../compiler/diagnostics.js";
import type { Model } from "../../compiler/model.js";
import { compileSpec } from "../../compiler/pipeline.js";
import { resolve } from "../../compiler/resolve/index.js";
import { platformSchema, type Spec } from "../../spec/schema.js";
import { formatDuration } from "../../spec/units.js";
import { gateLabel } from "../../targets/runbook/format.js";
import { TARGETS } from "../../targets/index.js";
import { runbookTarget } from "../../targets/runbook/index.js";
import type { OutputFile } from "../../targets/types.js";
import { fixtureModel, fixtureModelWithAccess } from "../fixtures/model.js";
import { buildExample, EXAMPLES, ROOT, editedExample } from "../helpers.js";

type Doc = Record<string, any>;

const RUNBOOKS = ["runbooks/disaster-recovery.md", "runbooks/environments.md", "runbooks/first-install.md", "runbooks/promotion.md", "runbooks/secret-rotation.md"];
const scratch = mkdtempSync(path.join(os.tmpdir(), "plinth-runbook-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs the real markdownlint-cli2 CLI with the repository's committed configuration on some files. */
function markdownlint(files: readonly OutputFile[]): { code: number | null; output: string } {
  const dir = mkdtempSync(path.join(scratch, "lint-"));
  for (const file of files) {
    mkdirSync(path.join(dir, path.dirname(file.path)), { recursive: true });
    writeFileSync(path.join(dir, file.path), file.content);
  }
  const bin = path.join(ROOT, "node_modules", "markdownlint-cli2", "markdownlint-cli2-bin.mjs");
  const result = spawnSync(process.execPath, [bin, "--config", path.join(ROOT, ".markdownlint-cli2.jsonc"), "**/*.md"], { cwd: dir, encoding: "utf8" });
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

/** Every line of every ```sh block. */
function shellLines(markdown: string): string[] {
  const lines: string[] = [];
  let inShell = false;
  for (const raw of markdown.split("\n")) {
    const line = raw.trim();
    if (/^`{3,}sh$/.test(line)) inShell = true;
    else if (/^`{3,}$/.test(line)) inShell = false;
    else if (inShell) lines.push(line);
  }
  return lines;
}

/** Names a runbook command refers to, by kind. Placeholders computed at run time ("$X") are skipped. */
interface Reference {
  kind: "namespace" | "stack" | "bucket" | "schedule" | "application" | "release" | "externalsecret" | "secret-key" | "vault-mount" | "database" | "service" | "environment";
  value: string;
  namespace?: string;
  line: string;
}

const unquote = (word: string) => word.replace(/^'(.*)'$/, "$1");

function referencesIn(markdown: string): Reference[] {
  const out: Reference[] = [];
  for (const line of shellLines(markdown)) {
    const add = (kind: Reference["kind"], value: string | undefined, namespace?: string) => {
      if (value !== undefined && !value.includes("$")) out.push({ kind, value: unquote(value), ...(namespace !== undefined && { namespace: unquote(namespace) }), line });
    };
    const ns = /(?:^|\s)(?:-n|--namespace)[ =](\S+)/.exec(line)?.[1];
    if (/^(kubectl|velero)\b/.test(line)) add("namespace", ns);
    add("namespace", /set-context --current --namespace=(\S+)/.exec(line)?.[1]);
    for (const n of /--include-namespaces (\S+)/.exec(line)?.[1]?.split(",") ?? []) add("namespace", n);
    add("stack", /-chdir=(opentofu\/[^\s/]+)/.exec(line)?.[1]);
    add("schedule", /velero\.io\/schedule-name=(\S+)/.exec(line)?.[1]);
    add("schedule", /--from-schedule (\S+)/.exec(line)?.[1]);
    add("application", /^argocd app (?:sync|wait) (\S+)/.exec(line)?.[1]);
    add("release", /^kubectl argo rollouts (?:abort|undo|promote|restart|get rollout) (\S+)/.exec(line)?.[1], ns);
    add("release", /rollout (?:undo|restart) deployment\/(\S+)/.exec(line)?.[1], ns);
    const externalSecret = /(?:annotate|get) externalsecret (\S+)/.exec(line)?.[1];
    if (externalSecret !== "--all") add("externalsecret", externalSecret, ns);
    const vault = /^vault kv (?:patch|put) -mount=(\S+) (\S+)/.exec(line);
    add("vault-mount", vault?.[1]);
    add("secret-key", vault?.[2]);
    add("secret-key", /--secret-id (\S+)/.exec(line)?.[1]);
    add("database", /cluster\.postgresql\.cnpg\.io\/(\S+)/.exec(line)?.[1], ns);
    const promote = /^plinth promote (\S+) --from (\S+) --to (\S+)/.exec(line);
    add("service", promote?.[1]);
    add("environment", promote?.[2]);
    add("environment", promote?.[3]);
  }
  // Buckets also appear in manifests (CNPG destinationPath) and in the backup inventory.
  for (const match of markdown.matchAll(/s3:\/\/([a-z0-9][a-z0-9.-]*)/g)) out.push({ kind: "bucket", value: match[1]!, line: match[0] });
  return out;
}

/** ApplicationSet list-generator elements applied to the template: the Applications ArgoCD will create. */
function expandApplicationSet(appSet: Doc): Doc[] {
  const elements: Doc[] = (appSet.spec?.generators ?? []).flatMap((g: Doc) => g.list?.elements ?? []);
  const template = JSON.stringify(appSet.spec.template);
  return elements.map((element) => JSON.parse(template.replace(/\{\{\s*\.(\w+)\s*\}\}/g, (_, key: string) => String(element[key] ?? `{{.${key}}}`))));
}

/**
 * The names the other targets generate (from their output) and the names the Model holds. A runbook
 * name must be among the generated ones when some target generates names of that kind, else among
 * the Model's.
 */
function knownNames(model: Model, files: readonly OutputFile[]) {
  const docs: Doc[] = files
    .filter((f) => /\.ya?ml$/.test(f.path) && /^(kubernetes|argocd)\//.test(f.path))
    .flatMap((f) => parseAllDocuments(f.content).map((d) => d.toJS() as Doc))
    .filter((d) => d && typeof d === "object");
  const applications = [...docs.filter((d) => d.kind === "Application"), ...docs.filter((d) => d.kind === "ApplicationSet").flatMap(expandApplicationSet)];
  const generated: Record<Reference["kind"], Set<string>> = {
    namespace: new Set([
      ...docs.filter((d) => d.kind === "Namespace").map((d) => d.metadata.name),
      ...docs.map((d) => d.metadata?.namespace).filter((n): n is string => typeof n === "string"),
      ...applications.map((a) => a.spec?.destination?.namespace).filter((n): n is string => typeof n === "string"),
    ]),
    stack: new Set(files.filter((f) => f.path.startsWith("opentofu/")).map((f) => f.path.split("/").slice(0, 2).join("/"))),
    // Buckets are the keys of the infra stacks' `backup_buckets` map (bare or quoted HCL keys) and the
    // state buckets the stacks' S3 backends name.
    bucket: new Set([
      ...files
        .filter((f) => f.path.startsWith("opentofu/"))
        .flatMap((f) => [...f.content.matchAll(/backup_buckets = \{\n((?:    .*\n|\s*\n)*?)  \}/g)])
        .flatMap((m) => [...m[1]!.matchAll(/^    "?([a-z0-9][a-z0-9.-]+)"? = \{/gm)].map((k) => k[1]!)),
      ...files.filter((f) => f.path.endsWith("/backend.tf")).flatMap((f) => [...f.content.matchAll(/^\s*bucket\s*=\s*"([^"]+)"/gm)].map((m) => m[1]!)),
    ]),
    schedule: new Set(docs.filter((d) => d.kind === "Schedule").map((d) => d.metadata.name)),
    application: new Set(applications.map((a) => a.metadata.name)),
    release: new Set(
      applications.flatMap((a) => [a.spec?.source, ...(a.spec?.sources ?? [])].filter((s) => s?.helm?.releaseName).map((s) => `${a.spec.destination.namespace}/${s.helm.releaseName}`)),
    ),
    externalsecret: new Set(docs.filter((d) => d.kind === "ExternalSecret").map((d) => `${d.metadata.namespace}/${d.metadata.name}`)),
    "secret-key": new Set(docs.filter((d) => d.kind === "ExternalSecret").flatMap((d) => (d.spec.data ?? []).map((e: Doc) => e.remoteRef.key))),
    "vault-mount": new Set(docs.filter((d) => /SecretStore$/.test(d.kind) && d.spec.provider.vault).map((d) => d.spec.provider.vault.path)),
    database: new Set(docs.filter((d) => d.kind === "Cluster" && String(d.apiVersion).startsWith("postgresql.cnpg.io")).map((d) => `${d.metadata.namespace}/${d.metadata.name}`)),
    service: new Set<string>(),
    environment: new Set<string>(),
  };
  // What a restore drill creates for itself (and removes again) is known too: it is nothing the tree holds.
  for (const drill of model.restoreDrills) {
    drill.scratch.namespaces.forEach((n) => generated.namespace.add(n));
    drill.scratch.databases.forEach((d) => generated.database.add(d));
  }
  const fromModel: Record<Reference["kind"], Set<string>> = {
    namespace: new Set([
      ...model.namespaces.map((n) => n.name),
      ...model.clusters.flatMap((c) => [c.argocdNamespace, ...c.components.map((x) => x.namespace)]),
    ]),
    stack: new Set(model.clusters.flatMap((c) => [`opentofu/${c.stacks.infra}`, `opentofu/${c.stacks.bootstrap}`])),
    bucket: new Set(model.buckets.map((b) => b.name)),
    schedule: new Set(model.backups.filter((b) => b.method === "velero").map((b) => b.name)),
    application: new Set([...model.clusters.map((c) => c.rootApplication), ...model.deployments.map((d) => d.application)]),
    release: new Set(model.deployments.map((d) => `${d.namespace}/${d.releaseName}`)),
    externalsecret: new Set(model.externalSecrets.map((s) => `${s.namespace}/${s.name}`)),
    "secret-key": new Set(model.externalSecrets.flatMap((s) => s.data.map((d) => d.key))),
    "vault-mount": new Set(model.secretStores.flatMap((s) => (s.vault ? [s.vault.mount] : []))),
    database: new Set(model.backups.filter((b) => b.method === "cnpg-pitr").flatMap((b) => b.namespaces.map((n) => `${n}/${b.dataService}`))),
    service: new Set(model.services.map((s) => s.name)),
    environment: new Set(model.environments.map((e) => e.name)),
  };
  return { generated, fromModel };
}

const keyOf = (ref: Reference) => (ref.namespace !== undefined && ["release", "externalsecret", "database"].includes(ref.kind) ? `${ref.namespace}/${ref.value}` : ref.value);

describe.each(EXAMPLES)("runbooks of example %s", (example) => {
  it("writes the five runbooks", async () => {
    const { files } = await buildExample(example);
    expect(files.filter((f) => f.path.startsWith("runbooks/")).map((f) => f.path)).toEqual(RUNBOOKS);
  });

  it("pass markdownlint-cli2 with the committed configuration", async () => {
    const { files } = await buildExample(example);
    const runbooks = files.filter((f) => f.path.startsWith("runbooks/"));
    const result = markdownlint(runbooks);
    expect(result.output).toContain(`Linting: ${runbooks.length} file(s)`);
    expect(result.code, result.output).toBe(0);
  });

  it("name in their commands only what the other targets generate or the Model holds", async () => {
    const { model, files } = await buildExample(example);
    const { generated, fromModel } = knownNames(model, files);
    const references = files.filter((f) => f.path.startsWith("runbooks/")).flatMap((f) => referencesIn(f.content));
    // Every example names namespaces (rollbacks, secret resyncs); none found would mean the extraction broke.
    expect(references.some((r) => r.kind === "namespace")).toBe(true);
    if (model.recovery.length > 0) expect(references.some((r) => r.kind === "application" || r.kind === "stack")).toBe(true);
    const unknown = references.filter((ref) => {
      const known = generated[ref.kind].size > 0 ? generated[ref.kind] : fromModel[ref.kind];
      return !known.has(keyOf(ref));
    });
    expect(unknown.map((r) => `${r.kind} ${keyOf(r)} in: ${r.line}`)).toEqual([]);
  });

  it("restore plans number every step, sum the estimates and say whether the sum fits the RTO", async () => {
    const { model, files } = await buildExample(example);
    const dr = files.find((f) => f.path === "runbooks/disaster-recovery.md")!.content;
    for (const plan of model.recovery) {
      // Only steps that count: restores of copies kept on the storage they protect do not.
      expect(plan.totalSeconds).toBe(plan.steps.filter((s) => s.counts).reduce((sum, s) => sum + s.estimateSeconds, 0));
      const section = dr.slice(dr.indexOf(`## Restore ${plan.environment}\n`));
      plan.steps.forEach((step, i) => expect(section).toContain(`### Step ${i + 1}: ${step.title} (${formatDuration(step.estimateSeconds)})`));
      if (plan.rtoSeconds !== undefined) expect(section).toContain(`add up to ${formatDuration(plan.totalSeconds)}, which ${plan.fitsRto ? "fits" : "does NOT fit"} the RTO of ${formatDuration(plan.rtoSeconds)}`);
      else expect(section).toContain(`No RTO is promised; the steps below add up to ${formatDuration(plan.totalSeconds)}.`);
    }
  });
});

describe("runbook cross-reference extraction", () => {
  it("finds each kind of name in typical commands and skips run-time placeholders", () => {
    const markdown = [
      "```sh",
      "kubectl -n prod get pods",
      "velero restore create --namespace velero --from-schedule nightly --include-namespaces a,b --wait",
      'aws s3 cp "s3://my-bucket/x/$LATEST" ./f',
      "argocd app sync root-app",
      "kubectl argo rollouts undo api -n prod",
      "kubectl annotate externalsecret --all -n prod force-sync=$(date +%s) --overwrite",
      "vault kv patch -mount=kv dev/api token=\"$NEW_TOKEN\"",
      "tofu -chdir=opentofu/main-infra apply",
      "```",
    ].join("\n");
    const refs = referencesIn(markdown).map((r) => `${r.kind}:${keyOf(r)}`);
    expect(refs).toEqual(
      expect.arrayContaining(["namespace:prod", "namespace:velero", "schedule:nightly", "namespace:a", "namespace:b", "bucket:my-bucket", "application:root-app", "release:prod/api", "vault-mount:kv", "secret-key:dev/api", "stack:opentofu/main-infra"]),
    );
    expect(refs.some((r) => r.startsWith("externalsecret:"))).toBe(false);
  });
});

describe("runbooks of the fixture model", () => {
  /** The fixture with Markdown-significant characters planted in free text that lands in table cells. */
  function hostileModel(): Model {
    const model = fixtureModel();
    model.externalSecrets.find((s) => s.service === undefined)!.purpose = "pipes | and *stars* and <b>html</b> and `ticks`";
    model.drills = [{ environment: "prod", every: "30d", description: "restore a|b into scratch | time it" }];
    return model;
  }

  it("escape pipes and Markdown in table cells so every row keeps its columns", () => {
    const files = runbookTarget.generate(hostileModel());
    const rotation = files.find((f) => f.path === "runbooks/secret-rotation.md")!.content;
    expect(rotation).toContain("| Purpose | pipes \\| and \\*stars\\* and \\<b\\>html\\</b\\> and \\`ticks\\` |");
    for (const file of files) {
      let columns = 0;
      for (const line of file.content.split("\n")) {
        if (!line.startsWith("|")) {
          columns = 0;
          continue;
        }
        const cells = line.split(/(?<!\\)\|/).length - 2;
        if (columns === 0) columns = cells;
        expect(cells, `${file.path}: ${line}`).toBe(columns);
      }
    }
    expect(markdownlint(files).code).toBe(0);
  });

  it("markdownlint fails on a runbook whose table pipes are not escaped (the lint is live)", () => {
    const files = runbookTarget.generate(hostileModel()).map((f) => ({ ...f, content: f.content.replaceAll("\\|", "|") }));
    const result = markdownlint(files);
    expect(result.code).not.toBe(0);
    expect(result.output).toContain("MD056");
  });

  it("is byte-deterministic and free of HTML escaping in commands", () => {
    const a = runbookTarget.generate(fixtureModel());
    const b = runbookTarget.generate(fixtureModel());
    expect(a).toEqual(b);
    for (const file of a) {
      expect(file.content.endsWith("\n") && !file.content.endsWith("\n\n")).toBe(true);
      expect(file.content).not.toMatch(/&#x3D;|&amp;|&quot;|&#x27;/);
    }
  });
});

/** The body of the first ```mermaid block. */
function mermaidBlock(markdown: string): string[] {
  const start = markdown.indexOf("```mermaid\n");
  expect(start).toBeGreaterThanOrEqual(0);
  const body = markdown.slice(start + "```mermaid\n".length);
  return body.slice(0, body.indexOf("\n```")).split("\n");
}

describe.each(EXAMPLES)("ladder, environments and promotion of example %s", (example) => {
  it("draws the ladder as a Mermaid flowchart with the gate on every promotion edge", async () => {
    const { model, files } = await buildExample(example);
    for (const file of ["runbooks/environments.md", "runbooks/promotion.md"]) {
      const lines = mermaidBlock(files.find((f) => f.path === file)!.content);
      expect(lines[0]).toBe("flowchart LR");
      const nodes = new Map(lines.flatMap((l) => [...l.matchAll(/^\s*(\w+)\["([^"<]+)<br\/>/g)].map((m) => [m[1]!, m[2]!] as const)));
      expect([...nodes.values()]).toEqual(model.environments.map((e) => e.name));
      const edges = lines.flatMap((l) => [...l.matchAll(/^\s*(\w+) -->\|"([^"]+)"\| (\w+)$/g)].map((m) => `${nodes.get(m[1]!)} -[${m[2]}]-> ${nodes.get(m[3]!)}`));
      const expected = model.environments.filter((e) => e.promoteFrom !== undefined && e.promotable).map((e) => `${e.promoteFrom} -[${gateLabel(e.approval)}]-> ${e.name}`);
      expect(edges).toEqual(expected);
    }
  });

  it("gives every environment its settings in environments.md", async () => {
    const { model, files } = await buildExample(example);
    const md = files.find((f) => f.path === "runbooks/environments.md")!.content;
    for (const env of model.environments) {
      const section = md.slice(md.indexOf(`## Environment ${env.name}\n`)).split("\n## ")[0]!;
      expect(section).toContain(`| Approval | ${gateLabel(env.approval)} |`);
      expect(section).toContain(`| Tier | ${env.tier} |`);
      expect(section).toContain(`| Data policy | ${env.data} |`);
      expect(section).toContain(`| Runtime | ${env.runtime} |`);
      expect(section).toContain(
        env.recovery ? `| Recovery | RTO ${formatDuration(env.recovery.rtoSeconds)}, RPO ${formatDuration(env.recovery.rpoSeconds)} |` : "| Recovery | none promised |",
      );
      for (const host of env.hosts) expect(section).toContain(`\`${host}\``);
      for (const flag of Object.keys(env.featureFlags)) expect(section).toContain(`\`${flag}\` =`);
    }
  });

  it("promotes each service rung by rung with plinth promote, and rolls back each release in place", async () => {
    const { model, files } = await buildExample(example);
    const md = files.find((f) => f.path === "runbooks/promotion.md")!.content;
    const runsIn = (env: string) => new Set(model.deployments.filter((d) => d.environment === env).map((d) => d.service));
    for (const env of model.environments.filter((e) => e.promotable)) {
      const deployments = model.deployments.filter((d) => d.environment === env.name);
      if (env.promoteFrom !== undefined) {
        for (const d of deployments) if (runsIn(env.promoteFrom).has(d.service)) expect(md).toContain(`plinth promote ${d.service} --from ${env.promoteFrom} --to ${env.name}\n`);
      }
      for (const d of deployments) {
        const strategy = model.rollouts.find((r) => r.name === d.rollout)?.strategy;
        if (strategy === "canary" || strategy === "blueGreen") {
          expect(md).toContain(`kubectl argo rollouts abort ${d.releaseName} -n ${d.namespace}\n`);
          expect(md).toContain(`kubectl argo rollouts undo ${d.releaseName} -n ${d.namespace}\n`);
        } else {
          expect(md).toContain(`kubectl -n ${d.namespace} rollout undo deployment/${d.releaseName}\n`);
        }
      }
      if (deployments.length > 0) expect(md).toContain(`PROMOTION="$(git log -n 1 --format=%H -G '^[[:space:]]+${env.name}:' -- releases.lock.yaml)"`);
    }
  });
});

describe("secret rotation on the fixture model", () => {
  it("rotates each secret with its store's CLI, forces a resync and names who may do it", () => {
    const model = fixtureModelWithAccess();
    const md = runbookTarget.generate(model).find((f) => f.path === "runbooks/secret-rotation.md")!.content;
    const sectionOf = (heading: string) => {
      expect(md).toContain(`\n## ${heading}\n`);
      return md.slice(md.indexOf(`\n## ${heading}\n`) + 1).split("\n## ")[0]!;
    };
    const cells = (line: string) => line.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim());
    const environments = new Map(
      sectionOf("Environments of the service secrets")
        .split("\n")
        .filter((l) => l.startsWith("| `"))
        .map((l) => [cells(l)[0]!.replaceAll("`", ""), cells(l)] as const),
    );
    const serviceSecrets = model.externalSecrets.filter((s) => s.service !== undefined);
    expect(serviceSecrets.length).toBeGreaterThan(0);
    for (const secret of model.externalSecrets) {
      const store = model.secretStores.find((s) => s.name === secret.store)!;
      if (secret.service !== undefined) {
        // Grouped per store: one row per key, its environments listed, the key prefix taken out.
        const section = sectionOf(`Service secrets in ${store.name}`);
        if (store.backend === "vault") expect(section).toContain(`vault kv ${store.vault!.kvVersion === "v2" ? "patch" : "put"} -mount=${store.vault!.mount} "$KEY"`);
        if (store.backend === "aws-secrets-manager") expect(section).toContain(`aws secretsmanager put-secret-value --region ${store.aws!.region} --secret-id "$KEY"`);
        expect(section).toContain('kubectl annotate externalsecret "$SECRET" -n "$NAMESPACE" force-sync=$(date +%s) --overwrite');
        const environment = environments.get(secret.environment!)!;
        expect(environment[1]).toContain(`\`${secret.namespace}\` on \`${secret.cluster}\``);
        // Only the operator role grants rotate-secrets, and it covers every environment of the fixture.
        expect(environment[3]).toBe("`operator`");
        const prefix = environment[2]!.replaceAll("`", "");
        for (const entry of secret.data) {
          const row = section
            .split("\n")
            .map(cells)
            .find((c) => c[0] === `\`${secret.service}\`` && c[2]!.split(", ").includes(`\`${secret.environment}\``) && c[3] === `\`${entry.secretKey}\``);
          expect(row, `${secret.name} ${secret.environment} ${entry.secretKey}`).toBeDefined();
          expect(row![4]!.replaceAll("`", "").replace("$PREFIX", prefix)).toBe(entry.key);
          expect(row![5]).toBe(entry.property !== undefined ? `\`${entry.property}\`` : store.vault ? `\`${entry.secretKey}\`` : "whole secret");
          expect(row![6]).toBe(secret.rotation !== undefined ? `every ${secret.rotation}` : "—");
        }
        continue;
      }
      const section = sectionOf(`Secret ${secret.name} in ${secret.namespace}`);
      expect(section).toContain(`kubectl annotate externalsecret ${secret.name} -n ${secret.namespace} force-sync=$(date +%s) --overwrite`);
      for (const entry of secret.data) {
        if (store.backend === "vault") expect(section).toMatch(new RegExp(`vault kv (patch|put) -mount=${store.vault!.mount} ${entry.key} `));
        if (store.backend === "aws-secrets-manager") expect(section).toContain(`aws secretsmanager put-secret-value --region ${store.aws!.region} --secret-id ${entry.key}`);
      }
      expect(section).toContain("| Who may rotate | `operator` |");
      expect(section).toContain(secret.rotation !== undefined ? `| Rotation period | every ${secret.rotation} |` : "| Rotation period | not set");
    }
    // Values are typed in at run time, never written down.
    for (const line of shellLines(md)) if (/kv (patch|put)|put-secret-value|patch secret/.test(line)) expect(line).toMatch(/\$NEW_/);
  });
});

/** The example's spec, validated, with one change applied. */
const exampleSpec = async (example: string, change: (spec: Spec) => void): Promise<Spec> => (await editedExample(example, change)).spec;

const shortenProdRto = (spec: Spec) => {
  spec.environments = spec.environments.map((e) => (e.name === "prod" ? { ...e, recovery: { rto: "1h", rpo: e.recovery!.rpo } } : e));
};

describe("recovery/rto-exceeded", () => {
  it("fires when bitvault's prod restore steps take longer than a 1h RTO, naming the sum and the RTO", async () => {
    const model = resolve(await exampleSpec("bitvault", shortenProdRto));
    const plan = model.recovery.find((p) => p.environment === "prod")!;
    expect(plan.totalSeconds).toBeGreaterThan(3600);
    expect(plan.fitsRto).toBe(false);

    const diagnostics = rtoExceededRule.check(model);
    expect(diagnostics).toHaveLength(1);
    const prod = model.environments.find((e) => e.name === "prod")!;
    expect(diagnostics[0]).toMatchObject({ rule: "recovery/rto-exceeded", severity: "error", path: [...prod.at, "recovery", "rto"] });
    expect(diagnostics[0]!.message).toContain(formatDuration(plan.totalSeconds));
    expect(diagnostics[0]!.message).toContain("RTO of 1h");

    const dr = runbookTarget.generate(model).find((f) => f.path === "runbooks/disaster-recovery.md")!.content;
    expect(dr).toContain(`add up to ${formatDuration(plan.totalSeconds)}, which does NOT fit the RTO of 1h`);
    expect(dr).toContain(`**no**, over by ${formatDuration(plan.totalSeconds - 3600)}`);
  });

  it("stays quiet for bitvault as written, whose restore plans fit their RTOs", async () => {
    const model = resolve(await exampleSpec("bitvault", () => {}));
    expect(model.recovery.length).toBeGreaterThan(0);
    expect(model.recovery.every((plan) => plan.fitsRto)).toBe(true);
    expect(rtoExceededRule.check(model)).toEqual([]);
  });

  it("stops compileSpec with the rule id and a location on the rto property", async () => {
    const spec = await exampleSpec("bitvault", shortenProdRto);
    const dir = mkdtempSync(path.join(scratch, "spec-"));
    writeFileSync(path.join(dir, "platform.json"), `${JSON.stringify(spec, null, 2)}\n`);
    const error = await compileSpec(dir).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UserError);
    const diagnostic = (error as UserError).diagnostics.find((d: Diagnostic) => d.rule === "recovery/rto-exceeded");
    expect(diagnostic?.location?.file).toBe(path.join(dir, "platform.json"));
    const lines = JSON.stringify(spec, null, 2).split("\n");
    expect(lines[diagnostic!.location!.line - 1]).toMatch(/"rto": "1h"/);
  });
});

/** The sh blocks of one restore step of a plan, by the step's id. */
function restoreStepSection(dr: string, environment: string, title: string): string {
  const section = dr.slice(dr.indexOf(`## Restore ${environment}\n`));
  const start = section.indexOf(`: ${title} (`);
  expect(start, `step "${title}" of ${environment}`).toBeGreaterThanOrEqual(0);
  return section.slice(start).split(/\n### |\n## /)[0]!;
}

describe("disaster recovery: restore order, etcd, state and backup locations", () => {
  it("restores Velero backups newest first (smallest worst-case loss first) and says why", async () => {
    const { model, files } = await buildExample("gitops-monorepo");
    const plan = model.recovery.find((p) => p.environment === "production")!;
    const ids = plan.steps.map((s) => s.id);
    // production-volumes runs every 15 minutes, nightly once a day: restoring the nightly first would
    // make the 15-minute backup a no-op (Velero skips objects that exist) and lose the RPO.
    expect(ids.indexOf("production-volumes")).toBeGreaterThanOrEqual(0);
    expect(ids.indexOf("production-volumes")).toBeLessThan(ids.indexOf("nightly"));
    const dr = files.find((f) => f.path === "runbooks/disaster-recovery.md")!.content;
    expect(restoreStepSection(dr, "production", "Restore production from backup production-volumes")).toContain("Velero skips every object that already exists");
    expect(restoreStepSection(dr, "production", "Restore production from backup nightly")).toContain("Run it after production-volumes");
  });

  it.each(EXAMPLES)("%s: orders every plan's Velero restores by worst-case data loss", async (example) => {
    const { model } = await buildExample(example);
    for (const plan of model.recovery) {
      const losses = plan.steps
        .map((s) => model.backups.find((b) => b.name === s.id))
        .filter((b) => b?.method === "velero")
        .map((b) => b!.maxDataLossSeconds ?? Number.POSITIVE_INFINITY);
      expect(losses, plan.environment).toEqual([...losses].sort((a, b) => a - b));
    }
  });

  it("restores etcd of a non-k3s control plane as etcd documents it: one new cluster, every member with its own name and peer URL", async () => {
    const { model, files } = await buildExample("gitops-monorepo");
    expect(model.clusters.find((c) => c.name === "main")!.kind).toBe("existing");
    const step = model.recovery.find((p) => p.environment === "production")!.steps.find((s) => s.id === "etcd")!;
    const restore = step.commands.find((c) => c.startsWith("etcdutl snapshot restore"))!;
    for (const flag of ["--name", "--initial-cluster", "--initial-cluster-token", "--initial-advertise-peer-urls", "--data-dir"]) {
      expect(restore, flag).toMatch(new RegExp(`${flag} \\S`));
    }
    // Per-member values are placeholders the operator fills in, marked <like this>, set once above the command.
    const assignments = step.commands.filter((c) => /^ETCD_(NAME|PEER_URL|INITIAL_CLUSTER)=/.test(c));
    expect(assignments).toHaveLength(3);
    for (const line of assignments) expect(line).toMatch(/<[^>]+>/);
    expect(step.commands.find((c) => c.startsWith("ETCD_INITIAL_CLUSTER="))).toMatch(/=https:\/\/<[^>]+>:2380,.*=https:\/\/<[^>]+>:2380/);
    // The API server is stopped on every node before the restore and started after it.
    const stop = step.commands.findIndex((c) => /^mv \S*manifests\/kube-apiserver\.yaml/.test(c));
    const start = step.commands.findIndex((c) => /kube-apiserver\.yaml \/etc\/kubernetes\/manifests\/$/.test(c));
    const at = step.commands.indexOf(restore);
    expect(stop).toBeGreaterThanOrEqual(0);
    expect(stop).toBeLessThan(at);
    expect(start).toBeGreaterThan(at);
    expect(step.note).toMatch(/placeholders/);
    // The runbook block is valid sh.
    const dr = files.find((f) => f.path === "runbooks/disaster-recovery.md")!.content;
    const block = restoreStepSection(dr, "production", "Restore the main cluster state from backup etcd");
    const body = /```sh\n([\s\S]*?)\n```/.exec(block)![1]!;
    const syntax = spawnSync("sh", ["-n"], { input: body, encoding: "utf8" });
    expect(syntax.status, syntax.stderr).toBe(0);
  });

  it.each(EXAMPLES)("%s: names each stack's own OpenTofu state, as the opentofu target configures it", async (example) => {
    const { model, files } = await buildExample(example);
    const dr = files.find((f) => f.path === "runbooks/disaster-recovery.md")!.content;
    const state = dr.slice(dr.indexOf("### OpenTofu state\n")).split(/\n##+ /)[0]!;
    for (const cluster of model.clusters) {
      for (const stack of ["infra", "bootstrap"] as const) {
        const backend = cluster.stateBackends[stack];
        const row = state.split("\n").find((line) => line.includes(`| \`opentofu/${cluster.stacks[stack]}\` |`));
        expect(row, `${cluster.name} ${stack}`).toBeDefined();
        const where = backend.type === "s3" ? backend.key : backend.type === "http" ? backend.address : backend.path;
        expect(row, `${cluster.name} ${stack}`).toContain(`\`${where}\``);
        // The stack's backend.tf says the same.
        const backendTf = files.find((f) => f.path === `opentofu/${cluster.stacks[stack]}/backend.tf`)?.content;
        if (backendTf !== undefined && backend.type !== "local") expect(backendTf).toContain(where);
      }
    }
    // The profile-wide key is no stack's key: it must not be printed as if it were.
    for (const profile of model.profiles) {
      if (profile.stateBackend.type !== "s3") continue;
      const stackKeys = model.clusters.flatMap((c) => [c.stateBackends.infra, c.stateBackends.bootstrap]).map((b) => (b.type === "s3" ? b.key : ""));
      if (!stackKeys.includes(profile.stateBackend.key)) expect(state).not.toContain(`\`${profile.stateBackend.key}\``);
    }
  });

  it("reads every object-store location from the backup's destinationPath, never from bucket and prefix", async () => {
    const { planRecovery } = await import("../../compiler/resolve/recovery.js");
    for (const example of ["bitvault", "k3s-homelab", "gitops-monorepo"]) {
      const model = structuredClone((await buildExample(example)).model) as Model;
      const k3s = model.clusters.find((c) => c.kind === "k3s");
      // A k3s etcd backup shipped to S3 exercises the k3s restore path too.
      if (k3s && !model.backups.some((b) => b.method === "etcd-snapshot" && b.cluster === k3s.name)) {
        model.backups.push({ name: "etcd-s3", method: "etcd-snapshot", cluster: k3s.name, namespaces: [], schedule: "0 * * * *", retention: "7d", retentionDays: 7, windowDays: 8, expireAfterDays: 8, bucket: "etcd-bucket", prefix: "etcd/etcd-s3", maxDataLossSeconds: 3600, performer: { kind: "external", by: "k3s" }, offStorage: true, at: ["backups", 99] });
      }
      // Locations no one could rebuild from bucket and prefix (as a per-namespace prefix would make them).
      for (const backup of model.backups) {
        if (backup.bucket !== undefined) backup.destinationPath = `s3://${backup.bucket}/moved/${backup.name}-unique`;
      }
      const plans = planRecovery(model);
      const text = JSON.stringify(plans);
      const locations = [...text.matchAll(/s3:\/\/[^"'\s\\$]+/g)].map((m) => m[0].replace(/\/$/, ""));
      if (example !== "gitops-monorepo") expect(locations.length, example).toBeGreaterThan(0);
      const known = new Set(model.backups.map((b) => b.destinationPath).filter((p): p is string => p !== undefined));
      for (const location of locations) expect(known, `${example}: ${location}`).toContain(location);
    }
  });
});

/** The bench generator's platform (2 clusters × `environmentsPerCluster`, 40 services) through every target. */
function syntheticBuild(environmentsPerCluster: number): { model: Model; files: OutputFile[] } {
  const spec = platformSchema.parse(syntheticSpec({ clusters: 2, environmentsPerCluster, services: 40 })) as Spec;
  const model = resolve(spec, {}, loadServiceCharts());
  return { model, files: TARGETS.flatMap((t) => t.generate(model)) };
}

describe("runbooks of a large platform (the bench generator: 40 services)", () => {
  const four = syntheticBuild(2);
  const ten = syntheticBuild(5);
  const runbook = (build: { files: OutputFile[] }, name: string) => build.files.find((f) => f.path === `runbooks/${name}`)!.content;

  it("grow with the services, not with services × environments: 2.5 times the environments, far less than 2.5 times the bytes", () => {
    for (const name of ["first-install.md", "secret-rotation.md"]) {
      expect(runbook(ten, name).length / runbook(four, name).length, name).toBeLessThan(1.5);
    }
    // Promotion has a section per rung (a rung is read on its own), each listing its services once.
    expect(runbook(ten, "promotion.md").length / ten.model.environments.length / (runbook(four, "promotion.md").length / four.model.environments.length)).toBeLessThan(1.2);
  });

  it("pass markdownlint-cli2 and name only what the other targets generate or the Model holds", () => {
    const runbooks = ten.files.filter((f) => f.path.startsWith("runbooks/"));
    const lint = markdownlint(runbooks);
    expect(lint.code, lint.output).toBe(0);
    const { generated, fromModel } = knownNames(ten.model, ten.files);
    const unknown = runbooks
      .flatMap((f) => referencesIn(f.content))
      .filter((ref) => !(generated[ref.kind].size > 0 ? generated[ref.kind] : fromModel[ref.kind]).has(keyOf(ref)));
    expect(unknown.map((r) => `${r.kind} ${keyOf(r)} in: ${r.line}`)).toEqual([]);
  });

  it("first-install writes every secret path once: a table row per service, its environments' key prefixes above it", () => {
    const md = runbook(ten, "first-install.md");
    const cells = (line: string) => line.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim());
    const rows = md.split("\n").filter((l) => l.startsWith("| `")).map(cells);
    const prefixes = new Map(rows.filter((r) => r.length === 2).map(([env, prefix]) => [env!.slice(1, -1), prefix!.slice(1, -1)]));
    const written = new Set(
      rows.filter((r) => r.length === 3).flatMap(([path, , environments]) => environments!.split(", ").map((env) => path!.slice(1, -1).replace("$PREFIX", prefixes.get(env.slice(1, -1))!))),
    );
    const paths = ten.model.deploy.nodes.filter((n) => n.secretPath).map((n) => n.secretPath!.key);
    expect(paths.length).toBe(400);
    expect([...written].sort()).toEqual([...paths].sort());
    // The command run per row reads every value without echo and hands it to the store's CLI on stdin.
    expect(md).toContain(`printf '%s' "$json" | aws secretsmanager put-secret-value --region eu-west-1 --secret-id "$KEY" --secret-string file:///dev/stdin`);
    expect(md).not.toMatch(/--secret-string '|--from-literal/);
  });

  it("promotion promotes every service of a rung through one loop over its list", () => {
    const md = runbook(ten, "promotion.md");
    const rung = ten.model.environments.find((e) => e.promoteFrom !== undefined)!;
    const section = md.slice(md.indexOf(`### From ${rung.promoteFrom} to ${rung.name}\n`)).split("\n### ")[0]!;
    const list = section.slice(section.indexOf(`while read -r service; do plinth promote "$service" --from ${rung.promoteFrom} --to ${rung.name}; done <<'EOF'\n`)).split("\n");
    const services = list.slice(1, list.indexOf("EOF"));
    expect(services.sort()).toEqual(ten.model.deployments.filter((d) => d.environment === rung.name).map((d) => d.service).sort());
  });
});
