import { randomBytes } from "node:crypto";
import { closeSync, constants, fstatSync, lstatSync, openSync, readFileSync, realpathSync, renameSync, writeFileSync, type Stats } from "node:fs";
import path from "node:path";
import { UserError } from "./diagnostics.js";

/** A path plinth would write, read or delete runs through a symbolic link: refused, nothing done. */
export function symlinkError(paths: readonly string[], what = "path"): UserError {
  return new UserError([
    {
      rule: "write/symlink",
      severity: "error",
      message: `refusing to follow a symbolic link (or non-regular file) at a ${what} plinth owns: ${paths.slice(0, 5).join(", ")}${paths.length > 5 ? ", …" : ""}`,
      hint: "plinth never writes, reads or deletes through a link; replace the link with the real file or folder (git checkout -- it), or remove it",
    },
  ]);
}

// No exception for a missing path: a build asks about thousands.
const lstatOrNone = (file: string) => lstatSync(file, { throwIfNoEntry: false });

/**
 * The first component of `relative` under `root` (root included) that is a symbolic link.
 * Components that do not exist yet are fine: nothing below them exists either.
 */
export function linkOnPath(root: string, relative: string, verified?: VerifiedFolders): string | undefined {
  return walkPath(root, relative, verified).link;
}

/** linkOnPath, and the lstat of the path itself when the walk reached it (so it is not asked twice). */
function walkPath(root: string, relative: string, verified?: VerifiedFolders): { link?: string; last?: Stats | "absent" } {
  // Its folder already verified this run: only the last component is left to look at.
  const slash = relative.lastIndexOf("/");
  const folder = slash < 0 ? root : path.join(root, relative.slice(0, slash));
  if (verified?.has(folder)) {
    const last = path.join(folder, relative.slice(slash + 1));
    const stat = lstatOrNone(last);
    if (stat?.isSymbolicLink()) return { link: last };
    if (stat?.isDirectory()) verified.add(last);
    return { last: stat ?? "absent" };
  }
  let current = root;
  const segments = ["", ...relative.split("/")];
  for (let i = 0; i < segments.length; i++) {
    current = segments[i] === "" ? root : path.join(current, segments[i]!);
    // A folder this run already found to be a real folder (not a link) is not asked again.
    if (verified?.has(current)) continue;
    const stat = lstatOrNone(current);
    if (stat === undefined) return i === segments.length - 1 ? { last: "absent" } : {};
    if (stat.isSymbolicLink()) return { link: current };
    if (!stat.isDirectory()) return i === segments.length - 1 ? { last: stat } : {};
    verified?.add(current);
  }
  return {};
}

/**
 * Folders one run has checked component by component and found to be real folders. Shared by the
 * checks of one run only (a tree of 20,000 files has a few hundred folders): each is lstat'ed once.
 */
export type VerifiedFolders = Set<string>;

/**
 * What the walks of one check saw at each path itself: handed to ownedFileStat, so a file a build
 * checks and then compares is lstat'ed once.
 */
export type SeenPaths = Map<string, Stats | "absent">;

/** Throws write/symlink when any of these paths under root runs through a link. */
export function refuseLinks(root: string, relatives: Iterable<string>, verified?: VerifiedFolders, seen?: SeenPaths): void {
  const found = new Set<string>();
  for (const relative of relatives) {
    const { link, last } = walkPath(root, relative, verified);
    if (link !== undefined) found.add(link);
    else if (last !== undefined) seen?.set(relative, last);
  }
  if (found.size > 0) throw symlinkError([...found].sort());
}

/**
 * A regular file's lstat, its path checked for links below root; undefined if absent. A link or
 * anything but a regular file at the path itself is refused, as reading it would be.
 */
export function ownedFileStat(root: string, relative: string, verified?: VerifiedFolders, seen?: SeenPaths): Stats | undefined {
  const known = seen?.get(relative);
  const { link, last } = known === undefined ? walkPath(root, relative, verified) : { link: undefined, last: known };
  if (link !== undefined) throw symlinkError([link]);
  const full = () => path.join(root, ...relative.split("/"));
  const stat = last === "absent" ? undefined : (last ?? lstatOrNone(full()));
  if (stat !== undefined && !stat.isFile()) throw symlinkError([full()]);
  return stat;
}

/** A regular file's content, read without following a link anywhere below root; undefined if absent. */
export function readOwnedFile(root: string, relative: string, verified?: VerifiedFolders): string | undefined {
  const link = linkOnPath(root, relative, verified);
  if (link !== undefined) throw symlinkError([link]);
  const full = path.join(root, ...relative.split("/"));
  let fd: number;
  try {
    // O_NOFOLLOW: a link swapped in after the check above is still not followed.
    fd = openSync(full, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    if (code === "ELOOP") throw symlinkError([full]);
    throw error;
  }
  try {
    if (!fstatSync(fd).isFile()) throw symlinkError([full]);
    return readFileSync(fd, "utf8");
  } finally {
    closeSync(fd);
  }
}

/** Temp files plinth writes end so (a crashed run's are swept by the next). */
export const TEMP_SUFFIX = ".plinth-tmp";

/** Writes a fresh temp file beside `target` (exclusive create: never through a link), then renames it over. */
export function replaceFile(target: string, content: string): void {
  const temp = `${target}.${randomBytes(6).toString("hex")}${TEMP_SUFFIX}`;
  writeFileSync(temp, content, { flag: "wx" });
  renameSync(temp, target);
}

/** Whether `file`'s real location lies inside `root`'s real location. */
export function realPathInside(root: string, file: string): boolean {
  try {
    const realRoot = realpathSync(root);
    const real = realpathSync(file);
    return real.startsWith(realRoot + path.sep);
  } catch {
    return false;
  }
}
