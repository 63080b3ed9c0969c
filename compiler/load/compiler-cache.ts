import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire, Module } from "node:module";
import path from "node:path";
import vm from "node:vm";
import { privateCacheRoot, sha } from "./cache.js";

type TS = typeof import("typescript");

/**
 * The TypeScript compiler (9 MB of JavaScript) with V8's code cache: compiling it is most of what
 * loading it costs, which every run after an edit of the spec pays. The code cache V8 made on an
 * earlier run is kept in the private per-user cache (as trusted as the transpiled modules beside it),
 * named by the hash of the compiler's source and Node's version, and V8 itself rejects data that does
 * not fit; anything unexpected falls back to a plain import.
 */
let pending: { script: vm.Script; cacheFile: string } | undefined;

/** Writes the code cache of a compiler loaded without one (only costs speed when it fails). */
export function saveTypeScriptCodeCache(): void {
  if (!pending) return;
  const { script, cacheFile } = pending;
  pending = undefined;
  const temp = `${cacheFile}.${process.pid}.${Date.now()}.tmp`;
  try {
    writeFileSync(temp, script.createCachedData(), { flag: "wx", mode: 0o600 });
    renameSync(temp, cacheFile);
  } catch {
    rmSync(temp, { force: true });
  }
}

export async function loadTypeScriptWithCodeCache(): Promise<TS> {
  try {
    const require = createRequire(import.meta.url);
    const file = require.resolve("typescript");
    const source = readFileSync(file, "utf8");
    const cacheFile = path.join(privateCacheRoot(), `typescript-${sha(`${process.version}\0${process.arch}\0${source}`).slice(0, 24)}.v8cache`);
    let cachedData: Buffer | undefined;
    try {
      cachedData = readFileSync(cacheFile);
    } catch {
      cachedData = undefined;
    }
    const script = new vm.Script(Module.wrap(source), { filename: file, ...(cachedData && { cachedData }) });
    const module = { exports: {} as unknown };
    (script.runInThisContext() as (...args: unknown[]) => void).call(module.exports, module.exports, createRequire(file), module, file, path.dirname(file));
    const ts = module.exports as TS;
    if (typeof ts.createSourceFile !== "function" || typeof ts.transpileModule !== "function") throw new Error("not the TypeScript compiler");
    // Saved once the compiler has been used (saveTypeScriptCodeCache), so it covers the functions
    // a transpile compiles lazily too.
    if (cachedData === undefined || script.cachedDataRejected) pending = { script, cacheFile };
    return ts;
  } catch {
    return ((await import("typescript")) as unknown as { default: TS }).default;
  }
}
