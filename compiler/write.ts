import { existsSync, lstatSync, mkdirSync, readdirSync, rmdirSync, rmSync } from "node:fs";
import path from "node:path";
import type { OutputFile } from "../targets/types.js";
import { UserError } from "./diagnostics.js";
import { isSafeOutputPath } from "./emit.js";
import { sha } from "./load/cache.js";
import { acquireLock } from "./lock.js";
import { linkOnPath, ownedFileStat, readOwnedFile, realPathInside, refuseLinks, replaceFile, symlinkError, TEMP_SUFFIX, type SeenPaths, type VerifiedFolders } from "./safe-fs.js";
import { TreeStats } from "./tree-stats.js";

export const MANIFEST = "plinth.manifest.json";
/** Paths a run is writing, recorded before it writes them (see readJournal). */
export const JOURNAL = "plinth.journal.json";
/** Held while a run writes the tree: a concurrent run waits. */
const LOCK = ".plinth.lock";

export interface Manifest {
  plinth: string;
  /** The platform whose tree this is: another platform's build refuses to take it over. */
  platform: string;
  specHash: string;
  files: Record<string, string>;
}


export function manifestFor(files: readonly OutputFile[], specHash: string, version: string, platform: string): Manifest {
  return { plinth: version, platform, specHash, files: Object.fromEntries(files.map((f) => [f.path, sha(f.content)])) };
}

const inScope = (file: string, scope: readonly string[]) => scope.some((folder) => file.startsWith(`${folder}/`));

/**
 * The manifest after a run that owns only `scope` (the folders of the selected targets): this run's
 * files, plus what the previous manifest lists outside the scope, untouched.
 */
export function scopedManifest(
  outDir: string,
  files: readonly OutputFile[],
  specHash: string,
  version: string,
  scope: readonly string[],
  platform: string,
  previous: Manifest | undefined = readManifest(outDir),
): Manifest {
  const fresh = manifestFor(files, specHash, version, platform);
  const kept = Object.entries(previous?.files ?? {}).filter(([file]) => !inScope(file, scope) && !(file in fresh.files));
  // Nothing kept from before and the files in path order (as emit returns them): already merged.
  if (kept.length === 0 && files.every((f, i) => i === 0 || files[i - 1]!.path < f.path)) return fresh;
  const merged = Object.fromEntries([...Object.entries(fresh.files), ...kept].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { ...fresh, files: merged };
}

export function renderManifest(manifest: Manifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/** The last manifest parsed and its text: build reads the same manifest again under its lock. */
let lastRead: { text: string; manifest: Manifest } | undefined;

export function readManifest(outDir: string): Manifest | undefined {
  const file = path.join(outDir, MANIFEST);
  const text = readOwnedFile(outDir, MANIFEST);
  if (text === undefined) return undefined;
  // The same text parses to the same manifest (which nothing modifies): parsed once.
  if (lastRead?.text === text) return lastRead.manifest;
  try {
    const manifest = JSON.parse(text) as Manifest;
    if (typeof manifest.files !== "object" || manifest.files === null) throw new Error("no files");
    lastRead = { text, manifest };
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

/**
 * Paths an unfinished run was writing (the journal is written before any file, removed after the
 * manifest): owned like the manifest's, so the next run overwrites or prunes them.
 */
export function readJournal(outDir: string): string[] {
  const text = readOwnedFile(outDir, JOURNAL);
  if (text === undefined) return [];
  try {
    const paths = (JSON.parse(text) as { files?: unknown }).files;
    return Array.isArray(paths) ? paths.filter((p): p is string => typeof p === "string" && isSafeOutputPath(p)) : [];
  } catch {
    // A journal cut short by a crash lists nothing reliably; the manifest still guards the tree.
    return [];
  }
}

export interface WriteResult {
  written: string[];
  unchanged: string[];
  removed: string[];
}

export interface WriteOptions {
  /** How long to wait for another run holding the out dir's lock. */
  lockWaitMs?: number;
  /** Told of each generated file read back to compare (tests count them). */
  onRead?: (relative: string) => void;
}

/**
 * Everything is rendered before this runs, so errors never leave a half-written tree. Under a lock
 * on the out dir, every path it will touch is checked for links first (nothing is written if one
 * is found); the paths about to be written are journaled; each file is written to a fresh,
 * exclusively created temp name beside its target and renamed into place; files the previous
 * manifest (or an unfinished run's journal) lists that are no longer generated are removed (only
 * those, only regular files inside --out); the manifest is written last, then the journal removed.
 */
export function writeTree(outDir: string, files: readonly OutputFile[], manifest: Manifest, scope?: readonly string[], options: WriteOptions = {}): WriteResult {
  const root = path.resolve(outDir);
  for (const file of files) if (!isSafeOutputPath(file.path)) throw new Error(`refusing to write outside ${outDir}: ${file.path}`);
  if (lstatSync(root, { throwIfNoEntry: false })?.isSymbolicLink()) throw symlinkError([root], "output folder");
  mkdirSync(root, { recursive: true });
  const release = acquireLock(path.join(root, LOCK), outDir, options.lockWaitMs === undefined ? {} : { waitMs: options.lockWaitMs });
  try {
    return writeLocked(root, outDir, files, manifest, scope, options.onRead);
  } finally {
    release();
  }
}

function writeLocked(root: string, outDir: string, files: readonly OutputFile[], manifest: Manifest, scope: readonly string[] | undefined, onRead?: (relative: string) => void): WriteResult {
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
  const journaled = readJournal(root);
  const owned = new Set([...Object.keys(previous?.files ?? {}), ...journaled]);
  const current = new Set(files.map((f) => f.path));
  // Stale: listed before, not generated now. Journaled paths never reached a manifest, so they go
  // whatever the scope; manifest paths only within the scope of this run.
  const stale = [...owned]
    .filter((file) => !current.has(file) && isSafeOutputPath(file) && (journaled.includes(file) || !scope || inScope(file, scope)))
    .sort();
  const verified: VerifiedFolders = new Set();
  const seen: SeenPaths = new Map();
  refuseLinks(root, [...current, ...stale, MANIFEST, JOURNAL], verified, seen);

  const result: WriteResult = { written: [], unchanged: [], removed: [] };
  // A file at a generated path that plinth did not write (not in the previous manifest) is the
  // user's: refuse before writing anything rather than overwrite it.
  const foreign: string[] = [];
  const changed = new Set<OutputFile>();
  const stats = TreeStats.open(root);
  for (const file of files) {
    const hash = manifest.files[file.path] ?? sha(file.content);
    const stat = ownedFileStat(root, file.path, verified, seen);
    // Unchanged since this user's last run saw it (size, mtime, ctime, inode): not read back.
    if (stats.unchanged(file.path, stat, hash)) {
      stats.record(file.path, stat, hash);
      continue;
    }
    if (stat !== undefined) onRead?.(file.path);
    const existing = stat === undefined ? undefined : readOwnedFile(root, file.path, verified);
    if (existing !== undefined && !owned.has(file.path) && existing !== file.content) foreign.push(file.path);
    if (existing !== file.content) changed.add(file);
    else stats.record(file.path, stat, hash);
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
  // A run that died writing files left its journal (and perhaps temp files anywhere below); one that
  // died writing the journal or the manifest left a temp file in the root only: nothing else to walk.
  sweepTempFiles(root, lstatSync(path.join(root, JOURNAL), { throwIfNoEntry: false }) !== undefined);
  // Recorded before any is written: a run killed from here on is finished or cleaned by the next.
  if (changed.size > 0) replaceFile(path.join(root, JOURNAL), `${JSON.stringify({ files: [...new Set([...journaled, ...[...changed].map((f) => f.path)])].sort() })}\n`);
  const made = new Set<string>();
  for (const file of files) {
    if (!changed.has(file)) {
      result.unchanged.push(file.path);
      continue;
    }
    const target = path.join(root, ...file.path.split("/"));
    const folder = path.dirname(target);
    if (!made.has(folder)) mkdirSync(folder, { recursive: true });
    made.add(folder);
    replaceFile(target, file.content);
    stats.record(file.path, lstatSync(target), manifest.files[file.path] ?? sha(file.content));
    result.written.push(file.path);
  }
  for (const file of stale) {
    const target = path.join(root, ...file.split("/"));
    // Checked above; checked again here, where it counts: only a regular file whose real path is
    // inside --out is ever deleted.
    if (linkOnPath(root, file) !== undefined || !existsSync(target) || !realPathInside(root, target)) continue;
    rmSync(target);
    result.removed.push(file);
    removeEmptyParents(root, path.dirname(target));
  }
  const manifestText = renderManifest(manifest);
  if (readOwnedFile(root, MANIFEST, verified) !== manifestText) replaceFile(path.join(root, MANIFEST), manifestText);
  if (journaled.length > 0 || changed.size > 0) rmSync(path.join(root, JOURNAL), { force: true });
  stats.save();
  return result;
}

function sweepTempFiles(dir: string, deep: boolean): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    // Dirent types come from lstat: a link to a folder is not descended into, nor a link deleted.
    if (entry.isDirectory() && deep && entry.name !== "node_modules" && entry.name !== ".git") sweepTempFiles(full, true);
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

/**
 * Files as they are on disk for the paths a build would own: generated now or listed before.
 * Never read through a link: a link anywhere on such a path is refused (write/symlink).
 */
export function readTree(outDir: string, paths: Iterable<string>, expected?: { content: ReadonlyMap<string, string>; sha: Readonly<Record<string, string>> }): Map<string, string> {
  const found = new Map<string, string>();
  const root = path.resolve(outDir);
  const safe = [...paths].filter(isSafeOutputPath);
  const verified: VerifiedFolders = new Set();
  const seen: SeenPaths = new Map();
  refuseLinks(root, safe, verified, seen);
  const stats = expected && TreeStats.open(root);
  for (const relative of safe) {
    const sha = expected?.sha[relative];
    const want = expected?.content.get(relative);
    if (stats && sha !== undefined && want !== undefined) {
      const stat = ownedFileStat(root, relative, verified, seen);
      // Known to hold what would be generated, by the stat this user's last run recorded: not read.
      if (stats.unchanged(relative, stat, sha)) {
        stats.record(relative, stat, sha);
        found.set(relative, want);
        continue;
      }
      const text = stat === undefined ? undefined : readOwnedFile(root, relative, verified);
      if (text !== undefined) found.set(relative, text);
      if (text === want) stats.record(relative, stat, sha);
      continue;
    }
    const text = readOwnedFile(root, relative, verified);
    if (text !== undefined) found.set(relative, text);
  }
  stats?.save();
  return found;
}
