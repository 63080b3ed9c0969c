import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { emit } from "../compiler/emit.js";
import type { Model } from "../compiler/model.js";
import { compileSpec } from "../compiler/pipeline.js";
import { loadReleaseLock, loadSpecFile, resolveSpecPath, SPEC_FILES } from "../compiler/load/index.js";
import { loadServiceCharts } from "../compiler/charts.js";
import { resolve } from "../compiler/resolve/index.js";
import { lockedReleases, releaseLock } from "../spec/releases.js";
import { platformSchema, type Spec } from "../spec/schema.js";
import type { OutputFile } from "../targets/types.js";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const EXAMPLES_DIR = path.join(ROOT, "examples");
export const GOLDEN_DIR = path.join(ROOT, "golden");
export const CASES_DIR = path.join(ROOT, "test", "cases");

/** Every example folder that holds a spec. */
export const EXAMPLES: string[] = readdirSync(EXAMPLES_DIR)
  .filter((name) => SPEC_FILES.some((f) => existsSync(path.join(EXAMPLES_DIR, name, f))))
  .sort();

const cache = new Map<string, Promise<{ model: Model; files: OutputFile[]; specHash: string }>>();

/** Compiles an example and runs every target (memoised per test file). */
export function buildExample(name: string): Promise<{ model: Model; files: OutputFile[]; specHash: string }> {
  let built = cache.get(name);
  if (!built) {
    built = compileSpec(path.join(EXAMPLES_DIR, name)).then(({ model, specHash }) => ({ model, files: emit(model), specHash }));
    cache.set(name, built);
  }
  return built;
}

/** Every file below a folder, as relative POSIX path → content. */
export function readTreeFiles(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (current: string) => {
    for (const entry of readdirSync(current).sort()) {
      const full = path.join(current, entry);
      if (statSync(full).isDirectory()) walk(full);
      else out.set(path.relative(dir, full).split(path.sep).join("/"), readFileSync(full, "utf8"));
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

/** Runs the CLI in-process and captures what it prints. */
export async function runPlinth(args: string[], cwd: string, env: Record<string, string | undefined> = {}) {
  const { runCli } = await import("../compiler/cli.js");
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    cwd,
    env: { NO_COLOR: "1", ...env },
    isTTY: false,
  });
  return { code, stdout, stderr };
}

/** An example's spec, validated, with one change applied (the model as compileSpec would make it, minus checks). */
export async function editedExample(example: string, change: (spec: Spec) => void = () => {}): Promise<{ spec: Spec; model: Model }> {
  const specFile = resolveSpecPath(path.join(EXAMPLES_DIR, example));
  const spec = platformSchema.parse((await loadSpecFile(specFile)).value) as Spec;
  change(spec);
  const lock = lockedReleases(releaseLock.parse(loadReleaseLock(specFile)?.value ?? {}));
  return { spec, model: resolve(spec, lock, loadServiceCharts()) };
}
