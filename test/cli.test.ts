import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { parse, stringify } from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import { EXAMPLES_DIR, ROOT, runPlinth } from "./helpers.js";

const temp = mkdtempSync(path.join(os.tmpdir(), "plinth-cli-"));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

/** A private copy of an example, so tests may edit it. */
function copyExample(name: string): string {
  const dir = mkdtempSync(path.join(temp, `${name}-`));
  cpSync(path.join(EXAMPLES_DIR, name), dir, { recursive: true });
  return dir;
}

describe("build / check / diff", () => {
  const dir = copyExample("bitvault");
  const out = path.join(dir, "out");

  it("build writes the tree and a manifest; check then exits 0", async () => {
    const build = await runPlinth(["build", ".", "--out", "out"], dir);
    expect(build.code, build.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(path.join(out, "plinth.manifest.json"), "utf8"));
    expect(Object.keys(manifest.files).length).toBeGreaterThan(10);
    expect(manifest.specHash).toMatch(/^[a-f0-9]{64}$/);
    const check = await runPlinth(["check", ".", "--out", "out"], dir);
    expect(check.code, check.stdout + check.stderr).toBe(0);
  });

  it("building twice gives byte-identical trees", async () => {
    const first = readFileSync(path.join(out, "plinth.manifest.json"), "utf8");
    const again = await runPlinth(["build", ".", "--out", "out2"], dir);
    expect(again.code).toBe(0);
    expect(readFileSync(path.join(dir, "out2", "plinth.manifest.json"), "utf8")).toBe(first);
  });

  it("check exits 3 (drift) with a unified diff after a generated file is edited by hand", async () => {
    const manifest = JSON.parse(readFileSync(path.join(out, "plinth.manifest.json"), "utf8"));
    const victim = Object.keys(manifest.files).find((f) => f.endsWith(".md") || f.endsWith(".yaml"))!;
    writeFileSync(path.join(out, victim), readFileSync(path.join(out, victim), "utf8") + "edited by hand\n");
    const check = await runPlinth(["check", ".", "--out", "out"], dir);
    expect(check.code).toBe(3);
    expect(check.stdout).toContain(`--- a/${victim}`);
    expect(check.stdout).toContain("-edited by hand");
    expect(check.stderr).toContain("has drifted");
    const diff = await runPlinth(["diff", ".", "--out", "out"], dir);
    expect(diff.code).toBe(0);
    expect(diff.stdout).toContain("-edited by hand");
    expect((await runPlinth(["diff", ".", "--out", "out", "--exit-code"], dir)).code).toBe(3);
    const json = await runPlinth(["check", ".", "--out", "out", "--json"], dir);
    expect(JSON.parse(json.stdout)).toMatchObject({ version: 1, command: "check", ok: false, exitCode: 3, data: { changed: [victim], drifted: true } });
  });

  it("build keeps hand-written files and removes files it no longer generates", async () => {
    writeFileSync(path.join(out, "NOTES.md"), "mine\n");
    writeFileSync(path.join(out, "runbooks", "local-notes.md"), "mine too\n");
    const rebuilt = await runPlinth(["build", ".", "--out", "out"], dir);
    expect(rebuilt.code).toBe(0);
    expect(readFileSync(path.join(out, "NOTES.md"), "utf8")).toBe("mine\n");
    expect(readFileSync(path.join(out, "runbooks", "local-notes.md"), "utf8")).toBe("mine too\n");
    // A stale generated file is pruned, hand-written ones stay.
    const manifestPath = path.join(out, "plinth.manifest.json");
    const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
    manifest.files["runbooks/retired.md"] = "0";
    writeFileSync(manifestPath, JSON.stringify(manifest));
    writeFileSync(path.join(out, "runbooks", "retired.md"), "old\n");
    expect((await runPlinth(["build", ".", "--out", "out"], dir)).code).toBe(0);
    expect(existsSync(path.join(out, "runbooks", "retired.md"))).toBe(false);
    expect(existsSync(path.join(out, "NOTES.md"))).toBe(true);
  });

  it("--target writes and prunes only that target's folder, and check compares only it", async () => {
    const before = JSON.parse(readFileSync(path.join(out, "plinth.manifest.json"), "utf8"));
    const kubernetesFile = Object.keys(before.files).find((f) => f.startsWith("kubernetes/"))!;
    writeFileSync(path.join(out, kubernetesFile), "drifted\n");
    const narrowed = await runPlinth(["build", ".", "--out", "out", "--target", "runbook"], dir);
    expect(narrowed.code, narrowed.stderr).toBe(0);
    expect(narrowed.stdout).toContain("0 removed");
    const after = JSON.parse(readFileSync(path.join(out, "plinth.manifest.json"), "utf8"));
    expect(Object.keys(after.files).sort()).toEqual(Object.keys(before.files).sort());
    expect(readFileSync(path.join(out, kubernetesFile), "utf8")).toBe("drifted\n");
    expect((await runPlinth(["check", ".", "--out", "out", "--target", "runbook"], dir)).code).toBe(0);
    expect((await runPlinth(["check", ".", "--out", "out", "--target", "kubernetes"], dir)).code).toBe(3);
    expect((await runPlinth(["build", ".", "--out", "out"], dir)).code).toBe(0);
    expect((await runPlinth(["check", ".", "--out", "out"], dir)).code).toBe(0);
  });

  it("refuses to overwrite a file it did not generate, and writes nothing then", async () => {
    const fresh = copyExample("bitvault");
    const target = path.join(fresh, "mine", "runbooks", "promotion.md");
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, "my own notes\n");
    const result = await runPlinth(["build", ".", "--out", "mine"], fresh);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("write/not-owned");
    expect(readFileSync(target, "utf8")).toBe("my own notes\n");
    expect(existsSync(path.join(fresh, "mine", "plinth.manifest.json"))).toBe(false);
  });

  it("writes to the spec's gitopsPath by default", async () => {
    const fresh = copyExample("gitops-monorepo");
    const result = await runPlinth(["build"], fresh);
    expect(result.code, result.stderr).toBe(0);
    expect(existsSync(path.join(fresh, "infrastructure", "plinth.manifest.json"))).toBe(true);
    const root = readFileSync(path.join(fresh, "infrastructure", "argocd", "main", "root.yaml"), "utf8");
    expect(root).toContain("path: infrastructure/argocd/main");
  });

  it("writes nothing when the spec is invalid", async () => {
    const broken = copyExample("bitvault");
    const env = path.join(broken, "environments.ts");
    writeFileSync(env, readFileSync(env, "utf8").replace('rollout: "', 'rollout: "no-such-'));
    const result = await runPlinth(["build", ".", "--out", "out"], broken);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/environments\.ts:\d+:\d+ - error ref\/unknown-rollout/);
    expect(existsSync(path.join(broken, "out"))).toBe(false);
  });
});

describe("validate", () => {
  it.each(["bitvault", "catalyst-forge", "gitops-monorepo", "k3s-homelab"])("%s validates", async (name) => {
    const result = await runPlinth(["validate", path.join(EXAMPLES_DIR, name)], EXAMPLES_DIR);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toMatch(/ - error /);
  });

  it("k3s-homelab reports the seed's quota overcommit with its rule id and location", async () => {
    const result = await runPlinth(["validate", "k3s-homelab", "--json"], EXAMPLES_DIR);
    const report = JSON.parse(result.stdout);
    const overcommit = report.diagnostics.find((d: { rule: string }) => d.rule === "quota/overcommit");
    expect(overcommit).toMatchObject({ file: "k3s-homelab/platform.ts", severity: "note" });
    expect(overcommit.message).toContain("11.5Gi (observability 6Gi + security 1.5Gi + workloads 4Gi)");
    const line = readFileSync(path.join(EXAMPLES_DIR, "k3s-homelab", "platform.ts"), "utf8").split("\n")[overcommit.line - 1];
    expect(line?.slice(overcommit.column - 1)).toMatch(/^memory: "10Gi"/);
  });

  it("--format github prints workflow annotations", async () => {
    const result = await runPlinth(["validate", "k3s-homelab", "--format", "github"], EXAMPLES_DIR);
    expect(result.stderr).toMatch(/^::notice file=k3s-homelab\/platform\.ts,line=\d+,col=\d+,title=quota\/overcommit::/m);
  });

  it("a YAML spec is validated by the same schemas, with locations", async () => {
    const dir = mkdtempSync(path.join(temp, "yaml-"));
    writeFileSync(path.join(dir, "platform.yaml"), "name: shop\norganisation: shop\nrepositories: { monorepo: https://example.com/shop }\nprofiles: []\nenvironments:\n  - name: local\n    runtime: compose\n    tier: liet\n");
    const result = await runPlinth(["validate"], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("platform.yaml:8:5 - error schema/invalid-value: environments[0].tier: \"liet\" is not one of \"lite\", \"standard\", \"full\" — did you mean 'lite'?");
  });

  it("a platform.json or platform.yaml may name its JSON Schema with $schema, whose fields carry descriptions", async () => {
    const schema = JSON.parse((await runPlinth(["schema"], temp)).stdout);
    expect(schema.properties.$schema.type).toBe("string");
    expect(schema.properties.environments.description).toMatch(/promotion ladder/i);
    expect(schema.properties.environments.items.properties.extends.description).toBe("Inherit every unset field from this environment.");
    const raw = JSON.parse(JSON.stringify((await (await import("../compiler/load/index.js")).loadSpecFile(path.join(EXAMPLES_DIR, "k3s-homelab", "platform.ts"))).value));
    for (const [file, text] of [
      ["platform.json", JSON.stringify({ $schema: "./platform.schema.json", ...raw }, null, 2)],
      ["platform.yaml", `$schema: ./platform.schema.json\n${stringify(raw)}`],
    ] as const) {
      const dir = mkdtempSync(path.join(temp, "schema-key-"));
      writeFileSync(path.join(dir, file), text);
      const result = await runPlinth(["validate"], dir);
      expect(result.code, `${file}: ${result.stderr}`).toBe(0);
    }
    // Anywhere but the top, or not a string, it is an unknown key as before.
    const dir = mkdtempSync(path.join(temp, "schema-key-"));
    writeFileSync(path.join(dir, "platform.json"), JSON.stringify({ ...raw, $schema: 3 }));
    expect((await runPlinth(["validate"], dir)).stderr).toContain("unknown key '$schema'");
  });

  it("colors only when asked, and NO_COLOR wins", async () => {
    const plain = await runPlinth(["validate", "k3s-homelab"], EXAMPLES_DIR);
    expect(plain.stderr).not.toContain("\u001b[");
    const forced = await runPlinth(["validate", "k3s-homelab"], EXAMPLES_DIR, { NO_COLOR: undefined, FORCE_COLOR: "1" });
    expect(forced.stderr).toContain("\u001b[");
  });
});

describe("schema, init, inspect, help", () => {
  it("schema accepts what every example writes, and rejects what the spec rejects", async () => {
    const { loadSpecFile } = await import("../compiler/load/index.js");
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    const validate = ajv.compile(JSON.parse((await runPlinth(["schema"], temp)).stdout));
    for (const example of ["bitvault", "catalyst-forge", "gitops-monorepo", "k3s-homelab"]) {
      const raw = JSON.parse(JSON.stringify((await loadSpecFile(path.join(EXAMPLES_DIR, example, "platform.ts"))).value));
      expect(validate(raw), `${example}: ${JSON.stringify(validate.errors?.slice(0, 3))}`).toBe(true);
      expect(validate({ ...raw, clusterz: [] }), `${example} with an unknown key`).toBe(false);
    }
  });

  it("schema prints a JSON Schema for a YAML spec", async () => {
    const result = await runPlinth(["schema"], temp);
    expect(result.code).toBe(0);
    const schema = JSON.parse(result.stdout);
    expect(schema.type).toBe("object");
    expect(schema.properties.environments).toBeDefined();
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    const validate = ajv.compile(schema);
    const yamlSpec = parse("name: a\norganisation: a\nrepositories: { monorepo: r }\nprofiles: []\nenvironments: [{ name: local }]\n");
    expect(validate(yamlSpec)).toBe(false); // profiles needs one item
    yamlSpec.profiles = [{ name: "p", cloud: "onprem", dns: { provider: "powerdns", zone: "a.lan" }, secrets: { backend: "vault" }, objectStorage: { provider: "minio" }, registry: { provider: "harbor", url: "h" }, storageClass: "s" }];
    expect(validate(yamlSpec), JSON.stringify(validate.errors)).toBe(true);
  });

  it("schema describes every field of the spec (editors show it on hover)", async () => {
    const schema = JSON.parse((await runPlinth(["schema"], temp)).stdout);
    const undescribed: string[] = [];
    const walk = (node: Record<string, any> | undefined, at: string): void => {
      if (!node || typeof node !== "object") return;
      for (const [key, child] of Object.entries<Record<string, any>>(node.properties ?? {})) {
        if (!child.description && !(child.anyOf ?? []).some((branch: { description?: string }) => branch.description)) undescribed.push(`${at}.${key}`);
        walk(child, `${at}.${key}`);
      }
      for (const key of ["items", "additionalProperties"]) if (typeof node[key] === "object") walk(node[key], `${at}[]`);
      for (const key of ["anyOf", "oneOf", "allOf"]) for (const branch of node[key] ?? []) walk(branch, at);
    };
    walk(schema, "");
    expect(Object.keys(schema.properties).length).toBeGreaterThan(10);
    expect(undescribed).toEqual([]);
  });

  it("init writes a spec that build compiles, and refuses to overwrite it", async () => {
    const dir = mkdtempSync(path.join(temp, "init-"));
    const init = await runPlinth(["init", "--name", "Acme Shop"], dir);
    expect(init.code).toBe(0);
    expect(readFileSync(path.join(dir, "platform.ts"), "utf8")).toContain('name: "acme-shop"');
    const build = await runPlinth(["build"], dir);
    expect(build.code, build.stderr).toBe(0);
    expect(existsSync(path.join(dir, "generated", "runbooks", "environments.md"))).toBe(true);
    const again = await runPlinth(["init"], dir);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("init/exists");
  });

  it("inspect prints the resolved model", async () => {
    const result = await runPlinth(["inspect", "gitops-monorepo"], EXAMPLES_DIR);
    expect(result.code).toBe(0);
    const model = JSON.parse(result.stdout);
    expect(model.environments.map((e: { name: string }) => e.name)).toEqual(["dev", "stage", "production"]);
    expect(model.environments[2].promoteFrom).toBe("stage");
  });

  it.each(["build", "check", "diff", "validate", "inspect", "schema", "init", "compose", "promote", "explain", "release"])("%s --help", async (command) => {
    const result = await runPlinth([command, "--help"], temp);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Usage: plinth ${command}`);
  });

  it("unknown commands and options are user errors with a suggestion", async () => {
    const unknown = await runPlinth(["biuld"], temp);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("did you mean 'build'?");
    const option = await runPlinth(["build", "--outt", "x"], temp);
    expect(option.code).toBe(1);
    expect(option.stderr).toContain("--outt");
  });

  it("a file-system refusal is the user's to fix: exit 1, not a bug", async () => {
    const dir = mkdtempSync(path.join(temp, "fs-"));
    cpSync(path.join(EXAMPLES_DIR, "k3s-homelab"), dir, { recursive: true });
    writeFileSync(path.join(dir, "out"), "a file, not a folder\n");
    const result = await runPlinth(["build", ".", "--out", "out"], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/io\/error: (EEXIST|ENOTDIR)/);
  });

  it("an internal failure exits 2, says it is a bug, and shows a stack only with --debug", async () => {
    const { TARGETS } = await import("../targets/index.js");
    const runbook = TARGETS.find((t) => t.name === "runbook")!;
    const original = runbook.generate;
    (runbook as { generate: typeof original }).generate = () => {
      throw new TypeError("cannot read properties of undefined");
    };
    try {
      const plain = await runPlinth(["build", "k3s-homelab", "--out", path.join(temp, "bug-out")], EXAMPLES_DIR);
      expect(plain.code).toBe(2);
      expect(plain.stderr).toContain("This is a bug in plinth");
      expect(plain.stderr).not.toMatch(/\n\s+at /);
      const debug = await runPlinth(["build", "k3s-homelab", "--out", path.join(temp, "bug-out"), "--debug"], EXAMPLES_DIR);
      expect(debug.code).toBe(2);
      expect(debug.stderr).toMatch(/\n\s+at /);
    } finally {
      (runbook as { generate: typeof original }).generate = original;
    }
  });

  it("what the spec prints goes to stderr, so --json stays parseable", () => {
    const dir = mkdtempSync(path.join(temp, "log-"));
    cpSync(path.join(EXAMPLES_DIR, "k3s-homelab"), dir, { recursive: true });
    const spec = path.join(dir, "platform.ts");
    writeFileSync(spec, readFileSync(spec, "utf8").replace("export default", 'console.log("debugging my spec");\nexport default'));
    const run = spawnSync(process.execPath, [path.join(ROOT, "bin", "plinth.js"), "validate", "--json"], { cwd: dir, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).ok).toBe(true);
    expect(run.stderr).toContain("debugging my spec");
  });

  it("a warm run reports the same locations as a cold one, and an edit to an imported file moves them", () => {
    const dir = mkdtempSync(path.join(temp, "warm-"));
    cpSync(path.join(ROOT, "test", "cases", "error-in-imported-file"), dir, { recursive: true });
    const cache = mkdtempSync(path.join(temp, "cache-"));
    const validate = () =>
      spawnSync(process.execPath, [path.join(ROOT, "bin", "plinth.js"), "validate"], { cwd: dir, encoding: "utf8", env: { ...process.env, NO_COLOR: "1", PLINTH_CACHE_DIR: cache } });
    const cold = validate();
    const warm = validate();
    expect(cold.status).toBe(1);
    expect(cold.stderr).toMatch(/^namespaces\.ts:5:\d+ - error/);
    expect(warm.stderr).toBe(cold.stderr);
    const imported = path.join(dir, "namespaces.ts");
    writeFileSync(imported, `// a new first line\n${readFileSync(imported, "utf8")}`);
    expect(validate().stderr).toMatch(/^namespaces\.ts:6:\d+ - error/);
  });

  it("the CLI bundle's code cache: written per command after a successful run, keyed on the bundle, and a damaged one is replaced", () => {
    const cache = mkdtempSync(path.join(temp, "code-cache-"));
    const plinth = (...args: string[]) =>
      spawnSync(process.execPath, [path.join(ROOT, "bin", "plinth.js"), ...args], { cwd: EXAMPLES_DIR, encoding: "utf8", env: { ...process.env, NO_COLOR: "1", PLINTH_CACHE_DIR: cache } });
    const codeDir = path.join(cache, "code");
    const bundleKey = createHash("sha256").update(`${process.version}\0${process.arch}\0`).update(readFileSync(path.join(ROOT, "dist", "cli.cjs"))).digest("hex").slice(0, 16);
    // A failed run compiled only part of the command: it leaves the cache to a successful one.
    expect(plinth("validate", "no-such-spec").status).toBe(1);
    expect(readdirSync(codeDir)).toEqual([]);
    const first = plinth("validate", "k3s-homelab");
    expect(first.status, first.stderr).toBe(0);
    expect(readdirSync(codeDir)).toEqual([`${bundleKey}-validate.bin`]);
    const cached = path.join(codeDir, `${bundleKey}-validate.bin`);
    writeFileSync(cached, "not V8's code cache");
    // Other bundles' caches: the three used most recently stay (installs side by side), older ones go.
    const others = ["0000000000000001", "0000000000000002", "0000000000000003", "0000000000000004"];
    others.forEach((key, i) => {
      const file = path.join(codeDir, `${key}-validate.bin`);
      writeFileSync(file, "another bundle's cache");
      utimesSync(file, 1_000_000 + i, 1_000_000 + i);
    });
    const damaged = plinth("validate", "k3s-homelab");
    expect(damaged.status, damaged.stderr).toBe(0);
    expect(damaged.stdout).toBe(first.stdout);
    expect(readFileSync(cached, "utf8")).not.toBe("not V8's code cache");
    expect(readdirSync(codeDir).sort()).toEqual([...others.slice(1).map((k) => `${k}-validate.bin`), `${bundleKey}-validate.bin`].sort());
    for (const key of others.slice(1)) rmSync(path.join(codeDir, `${key}-validate.bin`));
    const warm = plinth("validate", "k3s-homelab");
    expect(warm.stdout).toBe(first.stdout);
    expect(plinth("explain").status).toBe(0);
    expect(readdirSync(codeDir)).toEqual([`${bundleKey}-validate.bin`]);
    // Damaged payload behind an intact V8 header (which V8 would run, and crash on): refused by its
    // digest, the run succeeds uncached, and the cache is rewritten.
    const good = readFileSync(cached);
    const flipped = Buffer.from(good);
    for (let i = good.length - 4096; i < good.length - 2048; i++) flipped[i] = flipped[i]! ^ 0xff;
    writeFileSync(cached, flipped);
    const afterFlip = plinth("validate", "k3s-homelab");
    expect(afterFlip.status, afterFlip.stderr).toBe(0);
    expect(afterFlip.stdout).toBe(first.stdout);
    expect(readFileSync(cached).equals(flipped)).toBe(false);
    // --help (or a usage error) runs no command: it caches nothing.
    expect(plinth("build", "--help").status).toBe(0);
    expect(readdirSync(codeDir)).toEqual([`${bundleKey}-validate.bin`]);
  });

  it("a spec command that stops before running (help, a usage error) exits at once with its code: the evaluation worker started early ends", () => {
    const cache = mkdtempSync(path.join(temp, "early-exit-"));
    const plinth = (...args: string[]) =>
      spawnSync(process.execPath, [path.join(ROOT, "bin", "plinth.js"), ...args], { cwd: EXAMPLES_DIR, encoding: "utf8", timeout: 20_000, env: { ...process.env, NO_COLOR: "1", PLINTH_CACHE_DIR: cache } });
    const cases: [string[], number][] = [
      [["build", "--help"], 0],
      [["validate", "-h"], 0],
      [["build", "--bogus"], 1],
      [["build", "a", "b"], 1],
      [["check", "--format", "xml"], 1],
      [["validate", "--max-warnings", "x"], 1],
    ];
    for (const [args, code] of cases) {
      const run = plinth(...args);
      // A hang is killed by the timeout (status null, signal SIGTERM).
      expect([run.status, run.signal], args.join(" ")).toEqual([code, null]);
    }
  });

  it("a folder holding two specs is ambiguous", async () => {
    const dir = mkdtempSync(path.join(temp, "two-"));
    writeFileSync(path.join(dir, "platform.ts"), "export default {};\n");
    writeFileSync(path.join(dir, "platform.yaml"), "name: x\n");
    const result = await runPlinth(["validate"], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("load/ambiguous-spec");
  });
});

describe("promote", () => {
  it("records CI's build in the first rung, moves it one rung with its chart, and refuses to skip one", async () => {
    const dir = copyExample("bitvault");
    const lockPath = path.join(dir, "releases.lock.yaml");
    const lock = parse(readFileSync(lockPath, "utf8"));
    const service = Object.keys(lock)[0]!;
    const digest = `sha256:${"b".repeat(64)}`;
    const built = await runPlinth(["promote", service, "--to", "dev", "--digest", digest], dir);
    expect(built.code, built.stderr).toBe(0);
    expect(built.stdout).toContain(`${service}: dev now runs ${digest} with chart 0.1.0 (new build)`);
    const skip = await runPlinth(["promote", service, "--from", "dev", "--to", "prod"], dir);
    expect(skip.code).toBe(1);
    expect(skip.stderr).toContain("promotion/skips-rung");
    const ok = await runPlinth(["promote", service, "--from", "dev", "--to", "staging"], dir);
    expect(ok.code, ok.stderr).toBe(0);
    const after = parse(readFileSync(lockPath, "utf8"));
    expect(after[service].staging).toEqual({ digest, chart: "0.1.0", history: [lock[service].staging] });
    expect(after[service].prod).toEqual(lock[service].prod);
    // Comments stay.
    expect(readFileSync(lockPath, "utf8").split("\n")[0]).toBe(readFileSync(path.join(EXAMPLES_DIR, "bitvault", "releases.lock.yaml"), "utf8").split("\n")[0]);
  });

  it("a new build needs a digest, and only the first rung takes one", async () => {
    const dir = copyExample("bitvault");
    const neither = await runPlinth(["promote", "api", "--to", "dev"], dir);
    expect(neither.code).toBe(1);
    expect(neither.stderr).toContain("cli/missing-option");
    const intoStaging = await runPlinth(["promote", "api", "--to", "staging", "--digest", `sha256:${"c".repeat(64)}`], dir);
    expect(intoStaging.code).toBe(1);
    expect(intoStaging.stderr).toContain("'staging' is promoted from 'dev', not from a new build");
  });
});
