import crypto, { createHash } from "node:crypto";
import { lstatSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { UserError } from "../diagnostics.js";

/** Key folders kept in the transpile cache; the least recently used beyond this are removed. */
const MAX_ENTRIES = 64;

// crypto.hash (Node 20.12+) hashes in one call, without a Hash object per text (a build hashes thousands).
const oneShotHash = (crypto as { hash?: (algorithm: string, data: string, encoding: "hex") => string }).hash;
/** SHA-256 of a text, in hex. */
export const sha = oneShotHash ? (text: string) => oneShotHash("sha256", text, "hex") : (text: string) => createHash("sha256").update(text).digest("hex");

/**
 * The transpile cache is per user: what is found there is imported and run, so it must be a folder
 * only this user can write (PLINTH_CACHE_DIR, else $XDG_CACHE_HOME/plinth, else ~/.cache/plinth).
 */
export function cacheRoot(): string {
  if (process.env.PLINTH_CACHE_DIR) return path.resolve(process.env.PLINTH_CACHE_DIR);
  const base = process.env.XDG_CACHE_HOME && path.isAbsolute(process.env.XDG_CACHE_HOME) ? process.env.XDG_CACHE_HOME : path.join(os.homedir(), ".cache");
  return path.join(base, "plinth");
}

/** Creates the cache folder (0700) if needed and refuses one that another user could write. */
export function privateCacheRoot(): string {
  const root = cacheRoot();
  mkdirSync(root, { recursive: true, mode: 0o700 });
  const stat = lstatSync(root);
  const refuse = (why: string, hint: string): never => {
    throw new UserError([{ rule: "load/unsafe-cache", severity: "error", message: `refusing to use the transpile cache ${root}: ${why}`, hint }]);
  };
  if (stat.isSymbolicLink()) refuse("it is a symbolic link", "remove the link, or set PLINTH_CACHE_DIR to a folder of your own");
  if (!stat.isDirectory()) refuse("it is not a folder", "remove it, or set PLINTH_CACHE_DIR to a folder of your own");
  const uid = process.getuid?.();
  if (uid !== undefined && stat.uid !== uid) refuse(`it belongs to user ${stat.uid}, not to you (${uid})`, "set PLINTH_CACHE_DIR to a folder of your own");
  if ((stat.mode & 0o077) !== 0) refuse(`other users can access it (mode ${(stat.mode & 0o777).toString(8)})`, `chmod 700 ${root}`);
  return root;
}

/** Keeps the cache bounded: the least recently used key folders (and their manifests' targets) go first. */
export function pruneCache(root: string): void {
  try {
    const entries = readdirSync(root, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && /^[0-9a-f]{64}$/.test(entry.name))
      .map((entry) => ({ dir: path.join(root, entry.name), used: statSync(path.join(root, entry.name)).mtimeMs }))
      .sort((a, b) => b.used - a.used);
    for (const stale of entries.slice(MAX_ENTRIES)) rmSync(stale.dir, { recursive: true, force: true });
    const manifests = readdirSync(root, { withFileTypes: true })
      .filter((entry) => entry.isFile() && /^[0-9a-f]{24}\.json$/.test(entry.name))
      .map((entry) => ({ file: path.join(root, entry.name), used: statSync(path.join(root, entry.name)).mtimeMs }))
      .sort((a, b) => b.used - a.used);
    for (const stale of manifests.slice(MAX_ENTRIES)) rmSync(stale.file, { force: true });
  } catch {
    // Another run pruning at the same time: whatever is left is pruned next time.
  }
}
