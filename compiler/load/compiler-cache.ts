import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { privateCacheRoot, sha } from "./cache.js";
import { requireWithCodeCache, type CachedModule } from "./code-cache.js";
import { importModule } from "./import-module.js";

type TS = typeof import("typescript");

/**
 * The TypeScript compiler (9 MB of JavaScript) with V8's code cache: compiling it is most of what
 * loading it costs, which every run after an edit of the spec pays. The code cache V8 made on an
 * earlier run is kept in the private per-user cache (as trusted as the transpiled modules beside it),
 * named by the hash of the compiler's source and Node's version, and V8 itself rejects data that does
 * not fit; anything unexpected falls back to a plain import.
 */
let pending: CachedModule | undefined;

/** Writes the code cache of a compiler loaded without one (only costs speed when it fails). */
export function saveTypeScriptCodeCache(): void {
  pending?.save();
  pending = undefined;
}

export async function loadTypeScriptWithCodeCache(): Promise<TS> {
  try {
    const require = createRequire(import.meta.url);
    const file = require.resolve("typescript");
    const source = readFileSync(file, "utf8");
    const cacheFile = path.join(privateCacheRoot(), `typescript-${sha(`${process.version}\0${process.arch}\0${source}`).slice(0, 24)}.v8cache`);
    const loaded = requireWithCodeCache(file, source, cacheFile);
    const ts = loaded.exports as TS;
    if (typeof ts.createSourceFile !== "function" || typeof ts.transpileModule !== "function") throw new Error("not the TypeScript compiler");
    // Saved once the compiler has been used (saveTypeScriptCodeCache), so it covers the functions
    // a transpile compiles lazily too.
    pending = loaded;
    return ts;
  } catch {
    return (await importModule<{ default: TS }>("typescript")).default;
  }
}
