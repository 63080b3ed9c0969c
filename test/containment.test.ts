import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { starterSpec } from "../compiler/init.js";
import { runPlinth } from "./helpers.js";

const parent = mkdtempSync(path.join(os.tmpdir(), "plinth-contain-"));
afterAll(() => rmSync(parent, { recursive: true, force: true }));

/** A folder holding the starter spec, with `before` inserted at its top and `after` appended. */
function specDir(before = "", after = "", replace?: [string, string]): string {
  const dir = mkdtempSync(path.join(parent, "spec-"));
  let text = starterSpec("shop");
  if (replace) text = text.replace(replace[0], replace[1]);
  const lines = text.split("\n");
  lines.splice(1, 0, before);
  writeFileSync(path.join(dir, "platform.ts"), `${lines.join("\n")}\n${after}\n`);
  return dir;
}
const asValue: [string, string] = ["export default definePlatform({", "const spec: any = ({"];

describe("the spec is evaluated in a contained worker", () => {
  it("process.exit, even deferred, cannot change the exit code of check", async () => {
    const dir = specDir("setImmediate(() => process.exit(0));");
    const result = await runPlinth(["check", ".", "--out", "out"], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^platform\.ts:2:\d+ - error load\/process-exit: /);
  });

  it("an endless loop ends with a timeout error located at the spec", async () => {
    const dir = specDir("", "while (true) {}");
    const result = await runPlinth(["validate", "--timeout", "1"], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^platform\.ts:1:1 - error load\/timeout: evaluating the spec took longer than 1s/);
  });

  it("a leftover interval does not keep the run alive", async () => {
    const dir = specDir("setInterval(() => {}, 10);");
    const result = await runPlinth(["validate"], dir);
    expect(result.code, result.stderr).toBe(0);
  });

  it("a throw in a timer and an unhandled rejection are located load errors", async () => {
    const timer = await runPlinth(["validate", "--json"], specDir('setTimeout(() => { throw new Error("boom in a timer"); }, 0);'));
    expect(timer.code).toBe(1);
    expect(JSON.parse(timer.stdout)).toMatchObject({ ok: false, diagnostics: [{ rule: "load/evaluation-error", file: "platform.ts", line: 2 }] });
    const rejection = await runPlinth(["validate"], specDir('Promise.reject(new Error("nope"));'));
    expect(rejection.code).toBe(1);
    expect(rejection.stderr).toMatch(/^platform\.ts:2:\d+ - error load\/unhandled-rejection: evaluating the spec failed: nope/);
  });

  it("what the spec writes to stdout never reaches plinth's stdout", async () => {
    const dir = specDir('process.stdout.write("GARBAGE\\n"); console.log("log line");');
    const { spawnSync } = await import("node:child_process");
    const { ROOT } = await import("./helpers.js");
    const run = spawnSync(process.execPath, [path.join(ROOT, "bin", "plinth.js"), "validate", "--json"], { cwd: dir, encoding: "utf8" });
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ version: 1, command: "validate", ok: true, exitCode: 0, diagnostics: [] });
    expect(run.stderr).toContain("GARBAGE");
    expect(run.stderr).toContain("log line");
  });

  it("a cyclic value and a value nested 20,000 deep are located errors, not crashes", async () => {
    const cycle = await runPlinth(["validate"], specDir("", "spec.services[0].self = spec.services[0];\nexport default spec;", asValue));
    expect(cycle.code).toBe(1);
    expect(cycle.stderr).toMatch(/^platform\.ts:\d+:\d+ - error load\/cycle: the value at services\[0\]\.self refers to itself/);
    const deep = await runPlinth(["validate"], specDir("", "let v: any = 1;\nfor (let i = 0; i < 20000; i++) v = { v };\nspec.services[0].env = { X: v };\nexport default spec;", asValue));
    expect(deep.code).toBe(1);
    expect(deep.stderr).toMatch(/^platform\.ts:\d+:\d+ - error load\/too-deep: the value at services\[0\]\.env\.X\.v/);
  });

  it("unbounded allocation ends with a memory error, not an abort", async () => {
    const result = await runPlinth(["validate"], specDir("", "const hog: number[][] = [];\nwhile (true) hog.push(new Array(1e6).fill(1.5));"));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^platform\.ts:1:1 - error load\/out-of-memory: /);
  });

  it("an invalid --timeout is a usage error", async () => {
    const result = await runPlinth(["validate", "--timeout", "soon"], specDir());
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("cli/bad-option");
  });
});

describe("the transpile cache is private and verified", () => {
  const saved = process.env.PLINTH_CACHE_DIR;
  afterEach(() => {
    process.env.PLINTH_CACHE_DIR = saved;
  });
  const privateCache = () => {
    const dir = path.join(mkdtempSync(path.join(parent, "cache-")), "plinth");
    process.env.PLINTH_CACHE_DIR = dir;
    return dir;
  };
  const keyFolders = (cache: string) => readdirSync(cache).filter((name) => /^[0-9a-f]{64}$/.test(name));

  it("is created 0700 with files 0600", async () => {
    const cache = privateCache();
    expect((await runPlinth(["validate"], specDir())).code).toBe(0);
    expect(statSync(cache).mode & 0o777).toBe(0o700);
    for (const key of keyFolders(cache)) {
      expect(statSync(path.join(cache, key)).mode & 0o777).toBe(0o700);
      for (const file of readdirSync(path.join(cache, key))) expect(statSync(path.join(cache, key, file)).mode & 0o777).toBe(0o600);
    }
  });

  it("a poisoned entry is never run: it is replaced by the real transpiled spec", async () => {
    const cache = privateCache();
    const dir = specDir();
    expect((await runPlinth(["validate"], dir)).code).toBe(0);
    const [key] = keyFolders(cache);
    const marker = path.join(parent, `poison-ran-${Date.now()}`);
    const [module] = readdirSync(path.join(cache, key!)).filter((f) => f.endsWith(".mjs"));
    const poison = `import { writeFileSync } from "node:fs";\nwriteFileSync(${JSON.stringify(marker)}, "ran");\nexport default { name: "evil" };\n`;
    writeFileSync(path.join(cache, key!, module!), poison);
    const result = await runPlinth(["inspect"], dir);
    expect(result.code, result.stderr).toBe(0);
    expect(existsSync(marker)).toBe(false);
    expect(JSON.parse(result.stdout).platform.name).toBe("shop");
    expect(readFileSync(path.join(cache, key!, module!), "utf8")).not.toBe(poison);
  });

  it("refuses a cache folder other users can write, or a link", async () => {
    const cache = privateCache();
    mkdirSync(cache, { recursive: true });
    chmodSync(cache, 0o777);
    const open = await runPlinth(["validate"], specDir());
    expect(open.code).toBe(1);
    expect(open.stderr).toContain(`load/unsafe-cache: refusing to use the transpile cache ${cache}: other users can access it (mode 777)`);
    const link = `${cache}-link`;
    chmodSync(cache, 0o700);
    symlinkSync(cache, link);
    process.env.PLINTH_CACHE_DIR = link;
    const linked = await runPlinth(["validate"], specDir());
    expect(linked.code).toBe(1);
    expect(linked.stderr).toContain("it is a symbolic link");
  });

  it.skipIf(process.getuid?.() !== 0)("refuses a cache folder owned by another user (needs root to chown; skipped otherwise)", async () => {
    const cache = privateCache();
    mkdirSync(cache, { recursive: true, mode: 0o700 });
    chownSync(cache, 65534, 65534);
    const result = await runPlinth(["validate"], specDir());
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("belongs to user 65534");
  });

  it("stays bounded: the least recently used entries are removed", async () => {
    const cache = privateCache();
    mkdirSync(cache, { recursive: true, mode: 0o700 });
    const old = Array.from({ length: 80 }, (_, i) => path.join(cache, i.toString(16).padStart(64, "0")));
    for (const [i, dir] of old.entries()) {
      mkdirSync(dir, { mode: 0o700 });
      utimesSync(dir, 1_000_000 + i, 1_000_000 + i);
    }
    expect((await runPlinth(["validate"], specDir())).code).toBe(0);
    expect(keyFolders(cache).length).toBe(64);
    // The newest stays, and the oldest planted entries went first.
    expect(existsSync(old[0]!)).toBe(false);
    expect(existsSync(old[79]!)).toBe(true);
  });
});
