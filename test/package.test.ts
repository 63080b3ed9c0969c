import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "./helpers.js";

/**
 * plinth as a user gets it: packed like `npm publish` would, installed from the tarball into a
 * fresh project with its own tsconfig, then scaffolded, built, checked and type-checked there.
 * The install prefers npm's cache (CI's `npm ci` fills it) and reaches the registry only for what
 * the cache lacks; without either it skips, saying so.
 */
const temp = mkdtempSync(path.join(os.tmpdir(), "plinth-package-"));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

const project = path.join(temp, "acme-platform");
let packed: { filename: string; files: { path: string }[] };
let installError: string | undefined;

function run(command: string, args: string[], cwd = project, env: Record<string, string> = {}): SpawnSyncReturns<string> {
  // A clean environment: nothing of this repository's npm run (npm_config_*, PATH to its .bin) leaks in.
  const base = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("npm_") && key !== "INIT_CWD")) as Record<string, string>;
  return spawnSync(command, args, { cwd, encoding: "utf8", env: { ...base, NO_COLOR: "1", GITHUB_ACTIONS: "", ...env }, timeout: 300_000 });
}
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

beforeAll(() => {
  // dist/ is fresh (npm test builds it first); --ignore-scripts skips prepack's second build.
  const pack = run(npm, ["pack", "--ignore-scripts", "--json", "--pack-destination", temp], ROOT);
  expect(pack.status, pack.stderr).toBe(0);
  packed = JSON.parse(pack.stdout)[0];
  mkdirSync(project);
  writeFileSync(path.join(project, "package.json"), `${JSON.stringify({ name: "acme-platform", version: "1.0.0", private: true }, null, 2)}\n`);
  const install = run(npm, ["install", "--prefer-offline", "--no-audit", "--no-fund", "--save-dev", path.join(temp, packed.filename)]);
  if (install.status !== 0) {
    if (/ENOTCACHED|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|network/i.test(install.stderr)) installError = install.stderr.split("\n").find((l) => /error/.test(l)) ?? "no registry";
    else expect(install.status, install.stderr).toBe(0);
  }
  if (installError) console.warn(`SKIPPED: the pack-and-install test could not install plinth's dependencies (no npm cache and no registry): ${installError}`);
});

describe("the published package", () => {
  it("ships what a user needs and nothing of the repository's tests", () => {
    const files = packed.files.map((f) => f.path);
    for (const needed of ["package.json", "README.md", "LICENSE", "CHANGELOG.md", "bin/plinth.js", "dist/cli.cjs", "dist/spec/index.js", "dist/spec/index.d.ts", "dist/spec/index.cjs", "dist/spec/index.d.cts", "charts/plinth-service/0.1.0/Chart.yaml"]) {
      expect(files, needed).toContain(needed);
    }
    expect(files.filter((f) => /^(test|golden|examples|spec|compiler|targets|bench|scripts)\//.test(f))).toEqual([]);
    const manifest = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8"));
    expect(manifest.scripts.prepack).toBe("tsup");
  });

  it("installs into a fresh project: init, build, check and tsc pass; a key typo in definePlatform is a type error", (context) => {
    if (installError) context.skip(`no npm cache and no registry: ${installError}`);
    const init = run("node", ["node_modules/plinth/bin/plinth.js", "init", "--name", "acme"]);
    expect(init.status, init.stderr).toBe(0);
    const scaffolded = JSON.parse(readFileSync(path.join(project, "package.json"), "utf8"));
    expect(scaffolded.scripts["plinth:check"]).toBe("plinth check");
    expect(scaffolded.devDependencies.plinth).toMatch(/^file:/); // the user's own entry is kept

    // Through the scripts init added, as the user (and the CI workflow) runs them.
    const build = run(npm, ["run", "--silent", "plinth:build"]);
    expect(build.status, build.stderr).toBe(0);
    expect(build.stdout).toMatch(/wrote \d+ files to generated/);
    const check = run(npm, ["run", "--silent", "plinth:check"]);
    expect(check.status, check.stderr + check.stdout).toBe(0);
    const validate = run(npm, ["run", "--silent", "plinth:validate"]);
    expect(validate.status, validate.stderr).toBe(0);

    // Hover documentation: the published types carry each field's description.
    expect(readFileSync(path.join(project, "node_modules", "plinth", "dist", "spec", "index.d.ts"), "utf8")).toContain("Inherit every unset field from this environment.");

    const tsc = ["node_modules/typescript/bin/tsc", "--noEmit", "-p", "."];
    const clean = run("node", tsc);
    expect(clean.status, clean.stdout).toBe(0);

    // CommonJS users get the same authoring API.
    const cjs = run("node", ["-e", 'const p = require("plinth"); process.stdout.write(typeof p.definePlatform + " " + typeof p.platformSchema.safeParse)']);
    expect(cjs.stdout, cjs.stderr).toBe("function function");

    const spec = path.join(project, "platform.ts");
    const text = readFileSync(spec, "utf8");
    expect(text).toContain('tier: "standard",');
    writeFileSync(spec, text.replace('tier: "standard",', 'teir: "standard",'));
    const typo = run("node", tsc);
    expect(typo.status).not.toBe(0);
    expect(typo.stdout).toMatch(/platform\.ts\(\d+,\d+\): error TS2353: Object literal may only specify known properties, and 'teir' does not exist/);
    const invalid = run("node", ["node_modules/plinth/bin/plinth.js", "validate"]);
    expect(invalid.status).toBe(1);
    expect(invalid.stderr).toContain("schema/unknown-key: environments[0]: unknown key 'teir' — did you mean 'tier'?");
  });
});
