import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { OutputFile } from "../targets/types.js";
import { UserError } from "./diagnostics.js";
import { isSafeOutputPath } from "./emit.js";

export const MANIFEST = "plinth.manifest.json";
const TEMP_SUFFIX = ".plinth-tmp";

export interface Manifest {
  plinth: string;
  /** The platform whose tree this is: another platform's build refuses to take it over. */
  platform: string;
  specHash: string;
  files: Record<string, string>;
}

export const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

export function manifestFor(files: readonly OutputFile[], specHash: string, version: string, platform: string): Manifest {
  return { plinth: version, platform, specHash, files: Object.fromEntries(files.map((f) => [f.path, sha256(f.content)])) };
}

const inScope = (file: string, scope: readonly string[]) => scope.some((folder) => file.startsWith(`${folder}/`));

/**
 * The manifest after a run that owns only `scope` (the folders of the selected targets): this run's
 * files, plus what the previous manifest lists outside the scope, untouched.
 */
export function scopedManifest(outDir: string, files: readonly OutputFile[], specHash: string, version: string, scope: readonly string[], platform: string): Manifest {
  const fresh = manifestFor(files, specHash, version, platform);
  const previous = readManifest(outDir);
  const kept = Object.entries(previous?.files ?? {}).filter(([file]) => !inScope(file, scope) && !(file in fresh.files));
  const merged = Object.fromEntries([...Object.entries(fresh.files), ...kept].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { ...fresh, files: merged };
}

export function renderManifest(manifest: Manifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

export function readManifest(outDir: string): Manifest | undefined {
  const file = path.join(outDir, MANIFEST);
  if (!existsSync(file)) return undefined;
  try {
    const manifest = JSON.parse(readFileSync(file, "utf8")) as Manifest;
    if (typeof manifest.files !== "object" || manifest.files === null) throw new Error("no files");
    return manifest;
  } catch {
    // Treating it as absent would disown every generated file: say so instead.
    throw new UserError([
      {
        rule: "write/bad-manifest",
        severity: "error",
        message: `${file} is not a plinth manifest plinth can read (a merge conflict?)`,
        hint: "restore it from Git (git checkout -- it), or resolve the conflict, then run again",
      },
    ]);
  }
}

export interface WriteResult {
  written: string[];
  unchanged: string[];
  removed: string[];
}

/**
 * Everything is rendered before this runs, so errors never leave a half-written tree. Each file is
 * written to a temporary name beside its target and renamed into place; files the previous
 * manifest lists that are no longer generated are removed (only those: hand-written files stay);
 * the manifest is written last, so a crash leaves the old manifest, and stray temp files are swept
 * by the next run.
 */
export function writeTree(outDir: string, files: readonly OutputFile[], manifest: Manifest, scope?: readonly string[]): WriteResult {
  const root = path.resolve(outDir);
  const previous = readManifest(root);
  if (previous?.platform !== undefined && previous.platform !== manifest.platform) {
    throw new UserError([
      {
        rule: "write/other-platform",
        severity: "error",
        message: `${outDir} holds the generated tree of platform '${previous.platform}', not '${manifest.platform}': building here would delete it`,
        hint: "build into another --out folder",
      },
    ]);
  }
  const result: WriteResult = { written: [], unchanged: [], removed: [] };
  // A file at a generated path that plinth did not write (not in the previous manifest) is the
  // user's: refuse before writing anything rather than overwrite it.
  const foreign: string[] = [];
  for (const file of files) {
    if (!isSafeOutputPath(file.path)) throw new Error(`refusing to write outside ${outDir}: ${file.path}`);
    const target = path.join(root, ...file.path.split("/"));
    if (existsSync(target) && !(file.path in (previous?.files ?? {})) && readFileSync(target, "utf8") !== file.content) foreign.push(file.path);
  }
  if (foreign.length > 0) {
    throw new UserError([
      {
        rule: "write/not-owned",
        severity: "error",
        message: `${foreign.length} file(s) in ${outDir} that plinth did not generate would be overwritten: ${foreign.slice(0, 5).join(", ")}${foreign.length > 5 ? ", …" : ""}`,
        hint: "move them away (or delete them), or build into another --out folder",
      },
    ]);
  }
  mkdirSync(root, { recursive: true });
  sweepTempFiles(root);
  for (const file of files) {
    const target = path.join(root, ...file.path.split("/"));
    if (existsSync(target) && readFileSync(target, "utf8") === file.content) {
      result.unchanged.push(file.path);
      continue;
    }
    mkdirSync(path.dirname(target), { recursive: true });
    const temp = target + TEMP_SUFFIX;
    writeFileSync(temp, file.content);
    renameSync(temp, target);
    result.written.push(file.path);
  }
  const current = new Set(files.map((f) => f.path));
  for (const stale of Object.keys(previous?.files ?? {}).sort()) {
    if (current.has(stale) || !isSafeOutputPath(stale) || (scope && !inScope(stale, scope))) continue;
    const target = path.join(root, ...stale.split("/"));
    if (existsSync(target)) {
      rmSync(target);
      result.removed.push(stale);
      removeEmptyParents(root, path.dirname(target));
    }
  }
  const manifestPath = path.join(root, MANIFEST);
  writeFileSync(manifestPath + TEMP_SUFFIX, renderManifest(manifest));
  renameSync(manifestPath + TEMP_SUFFIX, manifestPath);
  return result;
}

function sweepTempFiles(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== "node_modules" && entry.name !== ".git") sweepTempFiles(full);
    else if (entry.isFile() && entry.name.endsWith(TEMP_SUFFIX)) rmSync(full);
  }
}

function removeEmptyParents(root: string, dir: string): void {
  let current = dir;
  while (current.startsWith(root + path.sep) && readdirSync(current).length === 0) {
    rmdirSync(current);
    current = path.dirname(current);
  }
}

/** Files as they are on disk for the paths a build would own: generated now or listed before. */
export function readTree(outDir: string, paths: Iterable<string>): Map<string, string> {
  const found = new Map<string, string>();
  for (const relative of paths) {
    if (!isSafeOutputPath(relative)) continue;
    const full = path.join(outDir, ...relative.split("/"));
    if (existsSync(full)) found.set(relative, readFileSync(full, "utf8"));
  }
  return found;
}
