import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { privateCacheRoot, sha } from "./load/cache.js";
import { requireWithCodeCache } from "./load/code-cache.js";
import { discardPrestartedEvaluation, prestartEvaluation } from "./load/evaluate.js";
import { authoringUrl, commandRan, SPEC_COMMANDS } from "./spec-commands.js";

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
  // Help evaluates no spec: no worker for it.
  const help = argv.includes("--help") || argv.includes("-h");
  if (command !== undefined && !help) prestartEvaluation(authoringUrl());
  const source = readFileSync(bundleFile, "utf8");
  // V8 accepts a code cache only from the same V8 build: the Node version and architecture are part of the key.
  const bundleKey = sha(`${process.version}\0${process.arch}\0${source}`).slice(0, 16);
  const cacheDir = command === undefined ? undefined : codeCacheDir(bundleKey);
  // The bundle's import() of ES modules, through this module (see compiler/load/import-module.ts).
  const globals = { __plinthImportModule: (specifier: string) => import(specifier) };
  const bundle = requireWithCodeCache(bundleFile, source, cacheDir && path.join(cacheDir, `${bundleKey}-${command}.bin`), globals);
  try {
    await (bundle.exports as { main(): Promise<void> }).main();
  } finally {
    discardPrestartedEvaluation();
  }
  // Written after a command ran to its end successfully, so the functions it compiled (all of a
  // command's work, not the part --help, a usage error or an early error reached) are in the cache.
  if (cacheDir && (process.exitCode ?? 0) === 0 && commandRan()) bundle.save();
  // The command is done and its output flushed: end here rather than tear down a heap of hundreds
  // of megabytes object by object (about 25 ms at 1,000 services). Output still queued (a pipe
  // written asynchronously, as on macOS) is left to the normal exit, which waits for it.
  if (process.stdout.writableLength === 0 && process.stderr.writableLength === 0) process.exit();
}

/** How many bundles' caches are kept: installs (or Node versions) used side by side keep theirs. */
const KEPT_BUNDLES = 4;

/**
 * plinth's private cache folder's code/ (made 0700), keeping the caches of the KEPT_BUNDLES bundles
 * used most recently (this one included) and no temporary file older than an hour (a killed write).
 */
function codeCacheDir(bundleKey: string): string | undefined {
  try {
    const dir = path.join(privateCacheRoot(), "code");
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const files = readdirSync(dir).map((name) => ({ name, key: name.split("-")[0]!, mtime: statSync(path.join(dir, name)).mtimeMs }));
    const lastUse = new Map<string, number>();
    for (const f of files) if (!f.name.endsWith(".tmp")) lastUse.set(f.key, Math.max(lastUse.get(f.key) ?? 0, f.mtime));
    lastUse.set(bundleKey, Infinity);
    const kept = new Set([...lastUse].sort((a, b) => b[1] - a[1]).slice(0, KEPT_BUNDLES).map(([key]) => key));
    const hourAgo = Date.now() - 3_600_000;
    for (const f of files) if (f.name.endsWith(".tmp") ? f.mtime < hourAgo : !kept.has(f.key)) rmSync(path.join(dir, f.name), { force: true });
    return dir;
  } catch {
    return undefined;
  }
}
