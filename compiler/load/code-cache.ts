import { createHash } from "node:crypto";
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import vm from "node:vm";

/** A CommonJS file run with V8's code cache, and how to keep the cache for the next run. */
export interface CachedModule {
  exports: unknown;
  /** Writes the code cache when there was none or V8 rejected it (call it after use, so it covers the functions compiled lazily too). */
  save(): void;
}

/**
 * Runs CommonJS source as Node's require would, compiled with V8's code cache from cacheFile
 * (Node 20 caches no compiled code itself, and compiling is most of what loading a large file
 * costs). Code read from cacheFile (none: uncached) runs, so it must live in the private per-user cache; V8 itself
 * rejects data from another Node or V8 build. `globals` are extra names the code sees.
 */
export function requireWithCodeCache(file: string, source: string, cacheFile: string | undefined, globals: Record<string, unknown> = {}): CachedModule {
  let cachedData: Buffer | undefined;
  try {
    cachedData = cacheFile === undefined ? undefined : verified(readFileSync(cacheFile));
  } catch {
    cachedData = undefined;
  }
  const names = ["exports", "require", "module", "__filename", "__dirname", ...Object.keys(globals)];
  const script = new vm.Script(`(function (${names.join(", ")}) {${source}\n})`, { filename: file, ...(cachedData && { cachedData }) });
  const module = { exports: {} as unknown };
  (script.runInThisContext() as (...args: unknown[]) => void).call(module.exports, module.exports, createRequire(file), module, file, path.dirname(file), ...Object.values(globals));
  const stale = cachedData === undefined || script.cachedDataRejected === true;
  return {
    exports: module.exports,
    save() {
      if (!stale || cacheFile === undefined) return;
      const temp = `${cacheFile}.${process.pid}.${Date.now()}.tmp`;
      try {
        const data = script.createCachedData();
        const fd = openSync(temp, "wx", 0o600);
        try {
          writeSync(fd, Buffer.concat([digest(data), data]));
          fsyncSync(fd);
        } finally {
          closeSync(fd);
        }
        renameSync(temp, cacheFile);
      } catch {
        // Another run writing the same cache, or a full disk: only costs speed.
        rmSync(temp, { force: true });
      }
    },
  };
}

/**
 * A cache file is its data's SHA-256 and the data: V8 checks a code cache's header (version, flags,
 * source length) but not its payload, and damaged payload bytes crash the process instead of being
 * rejected. Data whose digest does not match is not used (and is rewritten after the run).
 */
const digest = (data: Buffer) => createHash("sha256").update(data).digest();
const DIGEST_BYTES = 32;

function verified(file: Buffer): Buffer | undefined {
  if (file.length <= DIGEST_BYTES) return undefined;
  const data = file.subarray(DIGEST_BYTES);
  return digest(data).equals(file.subarray(0, DIGEST_BYTES)) ? data : undefined;
}
