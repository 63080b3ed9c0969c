import { execFile } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { parseAllDocuments } from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import { UserError } from "../compiler/diagnostics.js";
import { emit } from "../compiler/emit.js";
import { loadReleaseLock, loadSpecFile, resolveSpecPath, type LoadedDocument } from "../compiler/load/index.js";
import type { SpecPath } from "../compiler/model.js";
import { compileLoaded } from "../compiler/pipeline.js";
import { EXAMPLES, EXAMPLES_DIR, ROOT } from "./helpers.js";

/**
 * A seeded mutation fuzzer over the examples: each mutant is one example's spec value with one
 * structural or hostile edit. Property: compiling ends with a model or with located user errors
 * (never another exception), and whatever compiles also emits, with every YAML/JSON file parsing.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20261127);
const MUTANTS_PER_EXAMPLE = Number(process.env.FUZZ_MUTANTS ?? 130);
const CLI_SAMPLE_PER_EXAMPLE = 2;

const parent = mkdtempSync(path.join(os.tmpdir(), "plinth-fuzz-"));
afterAll(() => rmSync(parent, { recursive: true, force: true }));

/** mulberry32: small, fast, reproducible. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HOSTILE: unknown[] = [
  "", " ", "a b;id", "{{.x}}", "dev\r\nX-Injected: 1", "../../etc/passwd", "UPPER_Case", "x".repeat(300), "-", "0", "*", "é", "\u001b[2J",
  "0 0 3 * * *", "1e3", "-1Gi", "sha256:abc", "image:tag@sha256:abc", "/", "http://", "0d",
  0, -1, 1.5, 1e9, Number.MAX_SAFE_INTEGER, true, false, null, [], {}, ["a"], { a: 1 }, [{}],
];

type Node = { path: SpecPath; value: unknown };

function nodes(root: unknown): Node[] {
  const out: Node[] = [];
  const walk = (value: unknown, at: SpecPath) => {
    out.push({ path: at, value });
    if (Array.isArray(value)) value.forEach((item, i) => walk(item, [...at, i]));
    else if (value !== null && typeof value === "object") for (const [key, child] of Object.entries(value)) walk(child, [...at, key]);
  };
  walk(root, []);
  return out;
}

const parentOf = (root: unknown, at: SpecPath) => at.slice(0, -1).reduce<any>((node, key) => node[key], root);

/** One mutant: a deep copy of `base` with one edit, and what the edit was (for a failure report). */
function mutate(base: unknown, next: () => number): { value: unknown; edit: string } {
  const value = structuredClone(base);
  const all = nodes(value).filter((n) => n.path.length > 0);
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
  const target = pick(all);
  const holder = parentOf(value, target.path);
  const key = target.path[target.path.length - 1]!;
  const where = JSON.stringify(target.path);
  switch (Math.floor(next() * 6)) {
    case 0:
      if (Array.isArray(holder)) holder.splice(key as number, 1);
      else delete holder[key];
      return { value, edit: `delete ${where}` };
    case 1: {
      const replacement = structuredClone(pick(HOSTILE));
      holder[key] = replacement;
      return { value, edit: `set ${where} = ${JSON.stringify(replacement)}` };
    }
    case 2: {
      const objects = all.filter((n) => n.value !== null && typeof n.value === "object" && !Array.isArray(n.value));
      const at = pick(objects);
      (at.value as Record<string, unknown>).zzUnknown = 1;
      return { value, edit: `add unknown key at ${JSON.stringify(at.path)}` };
    }
    case 3: {
      const arrays = all.filter((n) => Array.isArray(n.value) && (n.value as unknown[]).length > 0);
      if (arrays.length === 0) return { value, edit: "none" };
      const at = pick(arrays);
      const items = at.value as unknown[];
      items.push(structuredClone(pick(items)));
      return { value, edit: `duplicate an item of ${JSON.stringify(at.path)}` };
    }
    case 4: {
      // Another node's value here: types and references that fit elsewhere.
      const other = pick(all);
      holder[key] = structuredClone(other.value);
      return { value, edit: `set ${where} to the value at ${JSON.stringify(other.path)}` };
    }
    default: {
      const strings = all.filter((n) => typeof n.value === "string");
      const at = pick(strings);
      const suffix = pick(["-X", " x", "{{", "\n", "..", "/..", "_", "ß"]);
      parentOf(value, at.path)[at.path[at.path.length - 1]!] = `${at.value as string}${suffix}`;
      return { value, edit: `append ${JSON.stringify(suffix)} to ${JSON.stringify(at.path)}` };
    }
  }
}

/** Every generated YAML and JSON file parses (the service chart's templates are Go templates, which helm renders: test/helm-chart.test.ts). */
function unparsable(files: { path: string; content: string }[]): string[] {
  const bad: string[] = [];
  for (const file of files) {
    if (/^helm\/_charts\/[^/]+\/[^/]+\/templates\//.test(file.path)) continue;
    try {
      if (file.path.endsWith(".json")) JSON.parse(file.content);
      else if (/\.ya?ml$/.test(file.path) && parseAllDocuments(file.content).some((doc) => "errors" in doc && doc.errors.length > 0)) bad.push(file.path);
    } catch {
      bad.push(file.path);
    }
  }
  return bad;
}

const bases = new Map<string, { doc: LoadedDocument; lock: LoadedDocument | undefined }>();
async function base(example: string) {
  let found = bases.get(example);
  if (!found) {
    const file = resolveSpecPath(path.join(EXAMPLES_DIR, example));
    found = { doc: await loadSpecFile(file), lock: loadReleaseLock(file) };
    bases.set(example, found);
  }
  return found;
}

describe("mutation fuzzer over the examples", () => {
  it.each(EXAMPLES.map((example, i) => [example, i] as const))(`%s: ${MUTANTS_PER_EXAMPLE} mutants compile or fail with located user errors, and what compiles emits`, async (example, index) => {
    const { doc, lock } = await base(example);
    const next = random(SEED + index);
    const failures: string[] = [];
    let accepted = 0;
    let rejected = 0;
    for (let i = 0; i < MUTANTS_PER_EXAMPLE; i++) {
      const { value, edit } = mutate(doc.value, next);
      let files: { path: string; content: string }[];
      try {
        const result = await compileLoaded({ ...doc, value }, lock);
        accepted++;
        try {
          files = emit(result.model);
        } catch (error) {
          failures.push(`${edit}: validates but emit threw ${(error as Error).message}`);
          continue;
        }
        const bad = unparsable(files);
        if (bad.length > 0) failures.push(`${edit}: emitted unparsable ${bad.join(", ")}`);
      } catch (error) {
        rejected++;
        if (!(error instanceof UserError)) failures.push(`${edit}: internal error ${(error as Error).stack ?? String(error)}`);
        else if (error.diagnostics.some((d) => !d.location || !d.rule.includes("/"))) failures.push(`${edit}: a diagnostic without a location: ${JSON.stringify(error.diagnostics.find((d) => !d.location))}`);
      }
    }
    expect(failures).toEqual([]);
    // Witness: the mutants exercise both outcomes.
    expect(accepted).toBeGreaterThan(0);
    expect(rejected).toBeGreaterThan(0);
  });

  it("a sample of mutants through the CLI (as platform.json): exit 0, or exit 1 with a located error, never 2", async () => {
    const run = promisify(execFile);
    const results: string[] = [];
    for (const [index, example] of EXAMPLES.entries()) {
      const { doc } = await base(example);
      const next = random(SEED * 7 + index);
      for (let i = 0; i < CLI_SAMPLE_PER_EXAMPLE; i++) {
        const { value, edit } = mutate(doc.value, next);
        const dir = mkdtempSync(path.join(parent, `${example}-`));
        writeFileSync(path.join(dir, "platform.json"), `${JSON.stringify(value, null, 2)}\n`);
        const lock = path.join(EXAMPLES_DIR, example, "releases.lock.yaml");
        if (existsSync(lock)) copyFileSync(lock, path.join(dir, "releases.lock.yaml"));
        let code = 0;
        let stderr = "";
        try {
          ({ stderr } = await run(process.execPath, [path.join(ROOT, "bin", "plinth.js"), "build", ".", "--out", "out"], { cwd: dir, env: { ...process.env, NO_COLOR: "1" } }));
        } catch (error) {
          code = (error as { code: number }).code;
          stderr = (error as { stderr: string }).stderr;
        }
        const located = /^(platform\.json|releases\.lock\.yaml):\d+:\d+ - (error|warning|note) [a-z0-9-]+\/[a-z0-9-]+: /.test(stderr);
        if (!(code === 0 || (code === 1 && located))) results.push(`${example} ${edit}: exit ${code}\n${stderr}`);
      }
    }
    expect(results).toEqual([]);
  });
});
