#!/usr/bin/env node
// Regenerates golden/<example>/ for every example and expected.stderr for every error case, using
// the built CLI (run `npm run update:golden`, which builds first). Read `git diff` before committing.
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { runCli } = await import(path.join(root, "dist", "cli.cjs"));
const capture = async (args, cwd) => {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd, env: { NO_COLOR: "1" }, isTTY: false });
  return { code, stdout, stderr };
};

let failed = false;
for (const example of readdirSync(path.join(root, "examples")).sort()) {
  const dir = path.join(root, "examples", example);
  if (!["platform.ts", "platform.yaml", "platform.json"].some((f) => existsSync(path.join(dir, f)))) continue;
  const out = path.join(root, "golden", example);
  rmSync(out, { recursive: true, force: true });
  const result = await capture(["build", dir, "--out", out], root);
  process.stdout.write(`golden/${example}: ${result.code === 0 ? "ok" : `FAILED (exit ${result.code})`}\n`);
  if (result.code !== 0) {
    failed = true;
    process.stderr.write(result.stderr);
  }
}

const casesDir = path.join(root, "test", "cases");
for (const name of existsSync(casesDir) ? readdirSync(casesDir).sort() : []) {
  const dir = path.join(casesDir, name);
  const argsFile = path.join(dir, "args");
  const args = existsSync(argsFile) ? readFileSync(argsFile, "utf8").trim().split(/\s+/) : ["validate"];
  const result = await capture(args, dir);
  writeFileSync(path.join(dir, "expected.stderr"), result.stderr);
  writeFileSync(path.join(dir, "expected.exit"), `${result.code}\n`);
  process.stdout.write(`test/cases/${name}: exit ${result.code}\n`);
}
process.exitCode = failed ? 1 : 0;
