import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { privateCacheRoot } from "./load/cache.js";
import { requireWithCodeCache } from "./load/code-cache.js";
import { prestartEvaluation } from "./load/evaluate.js";
import { authoringUrl, SPEC_COMMANDS } from "./spec-commands.js";

/**
 * Runs the CLI bundle (dist/cli.cjs) with V8's code cache: parsing and compiling the bundle's
 * functions is a large part of a warm run. A command that evaluates a spec starts its evaluation
 * worker first, so the worker's start overlaps the bundle's. One cache per spec command (each
 * compiles different functions), in plinth's private cache folder, named by the bundle's content so a changed bundle
 * never meets an old cache. Without a usable cache folder it runs uncached (the run itself reports
 * the folder where it needs the transpile cache).
 */
export async function startCli(bundleFile: string, argv: readonly string[]): Promise<void> {
  const command = SPEC_COMMANDS.has(argv[0] ?? "") ? argv[0] : undefined;
  if (command !== undefined) prestartEvaluation(authoringUrl());
  const source = readFileSync(bundleFile, "utf8");
  const bundleKey = createHash("sha256").update(source).digest("hex").slice(0, 16);
  const cacheDir = command === undefined ? undefined : codeCacheDir(bundleKey);
  // The bundle's import() of ES modules, through this module (see compiler/load/import-module.ts).
  const globals = { __plinthImportModule: (specifier: string) => import(specifier) };
  const bundle = requireWithCodeCache(bundleFile, source, cacheDir && path.join(cacheDir, `${bundleKey}-${command}.bin`), globals);
  // Written after a successful run, so the functions it compiled (all of a command's work, not the
  // part an early error reached) are in the cache too.
  if (cacheDir) process.once("beforeExit", () => (process.exitCode ?? 0) === 0 && bundle.save());
  await (bundle.exports as { main(): Promise<void> }).main();
}

/** plinth's private cache folder's code/ (made 0700), cleared of other bundles' caches. */
function codeCacheDir(bundleKey: string): string | undefined {
  try {
    const dir = path.join(privateCacheRoot(), "code");
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    for (const name of readdirSync(dir)) if (!name.startsWith(`${bundleKey}-`)) rmSync(path.join(dir, name), { force: true });
    return dir;
  } catch {
    return undefined;
  }
}
