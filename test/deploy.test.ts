/**
 * "Would it come up": the deploy graph's closure check and cycle check on planted faults, the sync
 * of every example simulated over its generated files, and the first-install runbook's order.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { deployCycleRule } from "../compiler/checks/deploy.js";
import type { Model } from "../compiler/model.js";
import { levelsOf } from "../compiler/resolve/deploy.js";
import { lostStatefulAddresses } from "../compiler/formats/stateful.js";
import { SYNC_RETRY } from "../targets/argocd/meta.js";
import type { OutputFile } from "../targets/types.js";
import { fixtureModel } from "./fixtures/model.js";
import { buildExample, EXAMPLES, EXAMPLES_DIR, runPlinth } from "./helpers.js";
import { formatSync, simulateRootSync } from "./support/argocd-sync.js";

const scratch = mkdtempSync(path.join(os.tmpdir(), "plinth-deploy-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A copy of an example with one text edit to one of its files; fails if the edit does not apply. */
function plantedCopy(example: string, file: string, from: string | RegExp, to: string): string {
  const dir = path.join(scratch, `${example}-${Math.random().toString(36).slice(2, 8)}`);
  cpSync(path.join(EXAMPLES_DIR, example), dir, { recursive: true, filter: (src) => !src.includes(`${path.sep}generated`) });
  const target = path.join(dir, file);
  const before = readFileSync(target, "utf8");
  const after = before.replace(from, to);
  expect(after, `the planted edit applies to ${example}/${file}`).not.toBe(before);
  writeFileSync(target, after);
  return dir;
}

/** The 1-based line of the first line of `file` matching `pattern`. */
function lineOf(file: string, pattern: RegExp): number {
  const index = readFileSync(file, "utf8").split("\n").findIndex((line) => pattern.test(line));
  expect(index, `${pattern} is in ${file}`).toBeGreaterThanOrEqual(0);
  return index + 1;
}

/** `plinth build` into a fresh folder: exit 1, the rule at file:line, and nothing written. */
async function expectRefused(dir: string, file: string, line: number, rule: string) {
  const out = path.join(dir, "out");
  const result = await runPlinth(["build", dir, "--out", out], dir);
  expect(result.code, result.stderr).toBe(1);
  expect(result.stderr).toContain(`${file}:${line}:`);
  const located = result.stderr.split("\n").find((l) => l.startsWith(`${file}:${line}:`));
  expect(located, result.stderr).toContain(`error ${rule}:`);
  expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  return result.stderr;
}

describe("deploy/unprovided on planted faults (plinth build refuses, writes nothing)", () => {
  it("a component whose credential Secret nothing produces (Grafana's admin Secret without its ExternalSecret)", async () => {
    const dir = plantedCopy("k3s-homelab", "platform.ts", /    \{\n      \/\/ Replaces the seed's `adminPassword: admin` in Helm values\.\n      name: "grafana-admin",[\s\S]*?refreshInterval: "1h",\n    \},\n/, "");
    const stderr = await expectRefused(dir, "platform.ts", lineOf(path.join(dir, "platform.ts"), /existingSecret: "grafana-admin"/), "deploy/unprovided");
    expect(stderr).toContain("Secret k3s/observability/grafana-admin");
  });

  it("a Redis data service on a cluster without the redis-operator (its CRD), located at the engine", async () => {
    const dir = plantedCopy("bitvault", "clusters.ts", /\n  "redis-operator",/, "");
    const stderr = await expectRefused(dir, "services.ts", lineOf(path.join(dir, "services.ts"), /engine: "redis"/), "deploy/unprovided");
    expect(stderr).toContain("CRD nonprod/redis.redis.opstreelabs.in/Redis");
  });

  it("MinIO keys kept in a plain local state (catalyst-forge's on-prem state without encryption)", async () => {
    const dir = plantedCopy("catalyst-forge", "profiles.ts", 'path: "state/onprem.tfstate", encryption: "passphrase" }', 'path: "state/onprem.tfstate" }');
    const file = path.join(dir, "profiles.ts");
    const stderr = await expectRefused(dir, "profiles.ts", lineOf(file, /stateBackend: \{ type: "local"/), "state/credentials-in-local-state");
    expect(stderr).toContain("catalyst-forge-forge-onprem-postgres-cnpg-pitr-dev");
  });

  it("a volume on a StorageClass nothing creates (Vault's data on a class the cluster lacks)", async () => {
    const dir = plantedCopy("k3s-homelab", "platform.ts", 'dataStorage: { size: "10Gi" }', 'dataStorage: { size: "10Gi", storageClass: "fast-nvme" }');
    const stderr = await expectRefused(dir, "platform.ts", lineOf(path.join(dir, "platform.ts"), /storageClass: "fast-nvme"/), "deploy/unprovided");
    expect(stderr).toContain("StorageClass k3s/fast-nvme");
    expect(stderr).toContain('prerequisites: [{ kind: "storageClass", cluster: "k3s", name: "fast-nvme"');
  });

  it("per-pod caches on a StorageClass nothing creates (catalyst-forge on-prem without Longhorn), located at the service", async () => {
    const dir = plantedCopy("catalyst-forge", "profiles.ts", 'components: [...common, "longhorn", ', "components: [...common, ");
    const file = path.join(dir, "services.ts");
    const stderr = await expectRefused(dir, "services.ts", lineOf(file, /^  worker\("artifact"/), "deploy/unprovided");
    expect(stderr).toContain("ApplicationSet dev needs StorageClass forge-onprem/longhorn (worker-");
    expect(stderr).toContain("cache on StorageClass longhorn");
  });

  it("a declared prerequisite satisfies the need (and is listed in the first-install runbook)", async () => {
    const dir = plantedCopy(
      "k3s-homelab",
      "platform.ts",
      'dataStorage: { size: "10Gi" }',
      'dataStorage: { size: "10Gi", storageClass: "fast-nvme" }',
    );
    const spec = path.join(dir, "platform.ts");
    writeFileSync(spec, readFileSync(spec, "utf8").replace(/\n\}\);\s*$/, '\n  prerequisites: [{ kind: "storageClass", cluster: "k3s", name: "fast-nvme", reason: "the NVMe class the VM host provides" }],\n});\n'));
    const out = path.join(dir, "out");
    const result = await runPlinth(["build", dir, "--out", out], dir);
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(path.join(out, "runbooks", "first-install.md"), "utf8")).toContain("storageClass fast-nvme on k3s");
  });
});

describe("deploy/cycle", () => {
  it("a component that waits for a Secret whose ExternalSecret needs that component's own CRDs is a cycle, located at the spec", async () => {
    // External Secrets told to read an existing Secret that only an ExternalSecret (its own CRD) would create.
    const dir = plantedCopy("k3s-homelab", "platform.ts", '{ name: "external-secrets", namespace: "security" },', '{ name: "external-secrets", namespace: "security", values: { webhook: { existingSecret: "eso-webhook" } } },');
    const spec = path.join(dir, "platform.ts");
    writeFileSync(
      spec,
      readFileSync(spec, "utf8").replace(
        "  secrets: [\n",
        '  secrets: [\n    { name: "eso-webhook", namespace: "security", data: [{ secretKey: "tls.crt", ref: secretRef("vault", "security/eso-webhook", "crt") }] },\n',
      ),
    );
    const result = await runPlinth(["validate", dir], dir);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/error deploy\/cycle: dependency cycle: .*component external-secrets.*→ waits for →.*ExternalSecret security\/eso-webhook/);
  });

  it("levelsOf finds a planted loop and names it in order", () => {
    const waitsFor = new Map([
      ["a", []],
      ["b", ["a", "d"]],
      ["c", ["b"]],
      ["d", ["c"]],
      ["e", ["d"]],
    ]);
    const { levels, cycle } = levelsOf(["a", "b", "c", "d", "e"], waitsFor);
    expect(levels.get("a")).toBe(0);
    expect(levels.has("e")).toBe(false);
    expect(cycle).toEqual(["b", "d", "c"]);
  });

  it("the rule reports a cycle in the Model's graph at its first node's spec entry", () => {
    const model = fixtureModel();
    const ids = model.deploy.nodes.slice(0, 2).map((n) => n.id);
    const planted: Model = { ...model, deploy: { ...model.deploy, cycle: { nodes: ids, at: ["clusters", 0] } } };
    const [diagnostic] = deployCycleRule.check(planted);
    expect(diagnostic).toMatchObject({ rule: "deploy/cycle", severity: "error", path: ["clusters", 0] });
    expect(diagnostic!.message).toContain("waits for");
    expect(deployCycleRule.check(model)).toEqual([]);
  });
});

describe.each(EXAMPLES)("example %s comes up", (example) => {
  it("has a closed deploy graph: no unprovided need and no cycle", async () => {
    const { model } = await buildExample(example);
    expect(model.deploy.unprovided).toEqual([]);
    expect(model.deploy.cycle).toBeUndefined();
  });

  it("every cluster's root application syncs wave by wave to healthy (simulated on the generated files)", async () => {
    const { model, files } = await buildExample(example);
    for (const cluster of model.clusters) {
      const result = simulateRootSync(model, files, cluster.name, SYNC_RETRY.limit!);
      // The per-wave table, for whoever reads the test output.
      console.log(formatSync(result));
      expect(result.problems).toEqual([]);
      expect(result.ok).toBe(true);
      expect(result.waves.length).toBeGreaterThan(0);
    }
  });

  it("the first-install runbook lists every prerequisite and every secret path, each after what it needs", async () => {
    const { model, files } = await buildExample(example);
    const runbook = files.find((f) => f.path === "runbooks/first-install.md")!.content;
    const headings = runbook.split("\n").filter((l) => /^### \d+\\\. /.test(l));
    const stepOf = (title: string) => headings.findIndex((h) => h.includes(title.replace(/([\\`*_[\]#|<>.])/g, "\\$1")) || h.includes(title));
    for (const node of model.deploy.nodes.filter((n) => n.kind === "prerequisite" || n.kind === "step" || n.kind === "stack")) {
      expect(stepOf(node.title), `${node.title} has a step`).toBeGreaterThanOrEqual(0);
    }
    // Every path an ExternalSecret reads is written by hand (a step) or by the config stack (MinIO users' keys);
    // copies of an operator's Secret (data-service credentials) have no path at all.
    const written = new Set(model.objectStoreUsers.flatMap((u) => (u.placement.kind === "store" ? [u.placement.key] : [])));
    for (const secret of model.externalSecrets.filter((e) => !e.copiesFrom)) {
      for (const d of secret.data) {
        if (written.has(d.key)) expect(runbook, d.key).toContain(`SecretPath ${secret.store}/${d.key}`);
        else expect(runbook, `${secret.store}/${d.key}`).toContain(`create ${d.key} in ${secret.store}`);
      }
    }
    // Order: a step that needs what another operator action provides comes after it.
    const actions = model.deploy.nodes.filter((n) => n.kind !== "sync" && n.kind !== "builtin");
    for (const node of actions) {
      for (const need of node.needs) {
        const producer = actions.find((p) => p.provides.includes(need.resource));
        if (producer) expect(stepOf(producer.title), `${producer.title} before ${node.title}`).toBeLessThan(stepOf(node.title));
      }
    }
    // Each sync wave of a cluster is one step: its objects sync together.
    const waveSteps = headings.flatMap((h) => {
      const m = /### \d+\\\. ([a-z0-9-]+): ArgoCD syncs waves? ([\d, ]+)$/.exec(h);
      return m ? m[2]!.split(", ").map((w) => `${m[1]}/${w}`) : [];
    });
    expect(waveSteps.length).toBeGreaterThan(0);
    expect(new Set(waveSteps).size, waveSteps.join(" ")).toBe(waveSteps.length);
    // Secret values are prompted, never written: every command that creates a secret reads it first.
    expect(runbook).not.toMatch(/--from-literal|--secret-string '/);
  });
});

describe("the simulated sync catches a late producer", () => {
  it("fails when the ExternalSecret Grafana needs is moved after the monitoring component", async () => {
    const { model, files } = await buildExample("k3s-homelab");
    const planted: OutputFile[] = files.map((f) =>
      f.path === "kubernetes/k3s/observability.yaml"
        ? {
            ...f,
            content: f.content.replace(/(name: grafana-admin\n[\s\S]*?argocd\.argoproj\.io\/sync-wave: )"\d+"/, '$1"99"'),
          }
        : f,
    );
    expect(planted.find((f) => f.path === "kubernetes/k3s/observability.yaml")!.content).toContain('sync-wave: "99"');
    const result = simulateRootSync(model, planted, "k3s", SYNC_RETRY.limit!);
    expect(result.ok).toBe(false);
    expect(result.problems.join("\n")).toMatch(/Application argocd\/monitoring never becomes healthy: it waits for Secret k3s\/observability\/grafana-admin/);
  });

  it("fails when a generated ExternalSecret writes a Secret under another name than the graph says", async () => {
    const { model, files } = await buildExample("k3s-homelab");
    const planted = files.map((f) =>
      f.path === "kubernetes/k3s/observability.yaml" ? { ...f, content: f.content.replace("target:\n    name: grafana-admin", "target:\n    name: grafana-admin-typo") } : f,
    );
    expect(planted).not.toEqual(files);
    const result = simulateRootSync(model, planted, "k3s", SYNC_RETRY.limit!);
    expect(result.ok).toBe(false);
    expect(result.problems.join("\n")).toContain("provides Secret k3s/observability/grafana-admin-typo, which its graph node");
  });

  it("fails when a custom resource comes before the component that brings its CRD, retries exhausted", async () => {
    const { model, files } = await buildExample("k3s-homelab");
    const planted = files.map((f) =>
      f.path === "argocd/k3s/components/external-secrets.yaml" ? { ...f, content: f.content.replace(/sync-wave: "\d+"/, 'sync-wave: "50"') } : f,
    );
    const result = simulateRootSync(model, planted, "k3s", SYNC_RETRY.limit!);
    expect(result.ok).toBe(false);
    expect(result.problems.join("\n")).toMatch(/cannot be applied after 5 retries: CRD k3s\/external-secrets\.io\//);
  });
});

describe("the benchmark's synthetic spec", () => {
  it("compiles: a closed deploy graph at the smallest size (npm run bench depends on it)", async () => {
    const { generateSpec } = await import("../bench/generate.mjs");
    const dir = path.join(scratch, "bench-spec");
    generateSpec(dir, { clusters: 1, environmentsPerCluster: 2, services: 3 });
    const result = await runPlinth(["validate", dir], dir);
    expect(result.stderr).not.toMatch(/error/);
    expect(result.code).toBe(0);
  });
});

describe("plinth diff and check warn before a stateful resource is destroyed", () => {
  it("lostStatefulAddresses: a vanished bucket is lost; one a removed block forgets is not", () => {
    const before = new Map([["opentofu/x-infra/main.tf", 'resource "aws_s3_bucket" "backups" {\n}\nresource "vault_mount" "kv" {\n}\nresource "aws_iam_role" "r" {\n}\n']]);
    const after = new Map([["opentofu/x-infra/main.tf", 'removed {\n  from = vault_mount.kv\n\n  lifecycle {\n    destroy = false\n  }\n}\n']]);
    expect(lostStatefulAddresses(before, after)).toEqual(["x-infra: aws_s3_bucket.backups"]);
  });

  it("plinth diff on a committed tree whose stack held a bucket the spec no longer makes", async () => {
    const dir = plantedCopy("k3s-homelab", "platform.ts", "// One environment: the cluster itself", "// One environment: the cluster itself.");
    const out = path.join(dir, "out");
    expect((await runPlinth(["build", dir, "--out", out], dir)).code).toBe(0);
    const main = path.join(out, "opentofu", "k3s-infra", "main.tf");
    writeFileSync(main, `${readFileSync(main, "utf8")}\nresource "minio_s3_bucket" "archive" {\n  bucket = "old-archive"\n}\n`);
    const result = await runPlinth(["diff", dir, "--out", out], dir);
    expect(result.stderr).toContain("warning state/stateful-address-removed: k3s-infra: minio_s3_bucket.archive holds state");
  });
});

describe("external-dns on a DNS adapter with an API key", () => {
  it("reads the key from the secret store: an ExternalSecret in a namespace plinth creates first, and the chart's env from it", async () => {
    const { model, files } = await buildExample("catalyst-forge");
    const file = files.find((f) => f.path === "kubernetes/forge-onprem/external-dns.yaml")!.content;
    expect(file).toContain("kind: Namespace");
    expect(file).toContain("name: external-dns-credentials");
    const component = files.find((f) => f.path === "argocd/forge-onprem/components/external-dns.yaml")!.content;
    expect(component).toMatch(/name: CF_API_TOKEN\n\s+valueFrom:\n\s+secretKeyRef:\n\s+name: external-dns-credentials\n\s+key: api-token/);
    expect(model.deploy.unprovided).toEqual([]);
  });

  it("without a credentials reference, external-dns's Secret is unprovided at the component", async () => {
    const dir = plantedCopy("catalyst-forge", "profiles.ts", /, credentials: \{ store: "vault", key: "platform\/cloudflare", property: "api-token" \}/, "");
    const result = await runPlinth(["validate", dir], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("error deploy/unprovided: component external-dns");
    expect(result.stderr).toContain("Secret forge-onprem/external-dns/external-dns-credentials");
  });
});

describe("scheduled volume snapshots off EKS", () => {
  it("need the CSI snapshot CRDs, which only a prerequisite provides there (located at the backup)", async () => {
    // catalyst-forge's on-prem cluster stores on Longhorn, whose CSI driver snapshots.
    const dir = plantedCopy(
      "catalyst-forge",
      "services.ts",
      "    stateful: false,\n",
      '    stateful: true,\n    backup: { method: "volume-snapshot", schedule: "0 * * * *", retention: "2d" },\n',
    );
    const result = await runPlinth(["validate", dir], dir);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/services\.ts:\d+:\d+ - error deploy\/unprovided: VolumeSnapshotClass longhorn \(driver\.longhorn\.io\) needs CRD forge-onprem\/snapshot\.storage\.k8s\.io\/VolumeSnapshotClass/);
    expect(result.stderr).toContain('prerequisites: [{ kind: "crd", cluster: "forge-onprem", name: "snapshot.storage.k8s.io/VolumeSnapshotClass"');
  });
});
