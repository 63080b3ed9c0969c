/**
 * What this user's last run saw of each generated file (size, mtime, ctime, inode and the sha256 of
 * its content), so a warm build or check neither reads back nor rewrites a file that has not changed
 * since. A hand edit changes the size, mtime or ctime (ctime cannot be set back by a user), so it is
 * read and compared in full again. Kept in the private per-user cache, not in the generated tree,
 * because the tree is committed and byte-deterministic (no timestamps). Only ever an optimisation:
 * an unreadable or missing record means "read the file", never "assume it unchanged".
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, type Stats } from "node:fs";
import path from "node:path";
import { privateCacheRoot, sha } from "./load/cache.js";
import { replaceFile } from "./safe-fs.js";

/** [size, mtimeMs, ctimeMs, ino, sha256 of the content]. */
type Seen = [number, number, number, number, string];

/** Timestamps closer than this to the moment they were recorded prove nothing (see unchanged). */
const RACY_MS = 1000;

/** Trees remembered per user; the least recently used beyond this are forgotten. */
const MAX_TREES = 64;

export class TreeStats {
  private readonly seen: Map<string, Seen>;
  /** Whether this run learnt anything the record lacks (else saving would only rewrite it). */
  private dirty = false;
  private readonly next = new Map<string, Seen>();
  private readonly visited = new Set<string>();

  private constructor(
    private readonly file: string | undefined,
    seen: Map<string, Seen>,
    private readonly savedAt: number,
  ) {
    this.seen = seen;
  }

  /** The record for the tree at `root` (an absolute path); empty when there is none or no cache. */
  static open(root: string): TreeStats {
    let file: string | undefined;
    try {
      const dir = path.join(privateCacheRoot(), "trees");
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      file = treeStatsFile(dir, root);
      return new TreeStats(file, ...parseRecord(readFileSync(file, "utf8")));
    } catch {
      return new TreeStats(file, new Map(), 0);
    }
  }

  /** Whether the file at `relative`, as `stat` shows it now, is known to hold content with `sha`. */
  unchanged(relative: string, stat: Stats | undefined, sha: string): boolean {
    this.visited.add(relative);
    const seen = this.seen.get(relative);
    if (stat === undefined || seen === undefined) return false;
    // Racy: a file modified within a second of the record could be edited again in the same
    // timestamp tick without its stat changing (coarse file systems), so it is read instead.
    if (seen[1] > this.savedAt - RACY_MS || seen[2] > this.savedAt - RACY_MS) return false;
    return seen[4] === sha && seen[0] === stat.size && seen[1] === stat.mtimeMs && seen[2] === stat.ctimeMs && seen[3] === stat.ino;
  }

  /** Records what is now on disk at `relative` (its content hashing to `sha`). */
  record(relative: string, stat: Stats | undefined, sha: string): void {
    this.visited.add(relative);
    if (stat === undefined) return;
    const before = this.seen.get(relative);
    const same = before !== undefined && before[0] === stat.size && before[1] === stat.mtimeMs && before[2] === stat.ctimeMs && before[3] === stat.ino && before[4] === sha;
    // An entry still racy when recorded becomes trustworthy only once saved again later.
    if (!same || before[1] > this.savedAt - RACY_MS || before[2] > this.savedAt - RACY_MS) this.dirty = true;
    // The record of a file that has not changed is kept as it is (a warm build records every file).
    this.next.set(relative, same ? before : [stat.size, stat.mtimeMs, stat.ctimeMs, stat.ino, sha]);
  }

  /** Saves what this run recorded; paths it did not look at (another target's folder) keep their record. */
  save(): void {
    if (this.file === undefined) return;
    const lines: string[] = [];
    for (const [relative, seen] of this.seen) {
      if (!this.visited.has(relative)) lines.push(recordLine(relative, seen));
      else if (!this.next.has(relative)) this.dirty = true;
    }
    if (!this.dirty) return;
    for (const [relative, seen] of this.next) lines.push(recordLine(relative, seen));
    try {
      replaceFile(this.file, `${FORMAT}\t${Date.now()}\n${lines.join("")}`);
      prune(path.dirname(this.file));
    } catch {
      // A cache that cannot be written only makes the next run read the tree again.
    }
  }
}

/** One line per file (tab-separated; generated paths hold no tab or newline): cheap to write and read at 20,000 files. */
const FORMAT = "plinth-tree-stats-1";
const recordLine = (relative: string, [size, mtime, ctime, ino, sha]: Seen) => `${relative}\t${size}\t${mtime}\t${ctime}\t${ino}\t${sha}\n`;

function parseRecord(text: string): [Map<string, Seen>, number] {
  const lines = text.split("\n");
  const [format, savedAt] = lines[0]!.split("\t");
  const seen = new Map<string, Seen>();
  if (format !== FORMAT || !Number.isFinite(Number(savedAt))) return [seen, 0];
  for (let i = 1; i < lines.length; i++) {
    const fields = lines[i]!.split("\t");
    if (fields.length !== 6) continue;
    const [relative, size, mtime, ctime, ino, sha] = fields as [string, string, string, string, string, string];
    seen.set(relative, [Number(size), Number(mtime), Number(ctime), Number(ino), sha]);
  }
  return [seen, Number(savedAt)];
}

/** Where the record of the tree at `root` lives in the cache folder `dir`. */
export const treeStatsFile = (dir: string, root: string) => path.join(dir, `${sha(root).slice(0, 32)}.tsv`);

function prune(dir: string): void {
  const trees = readdirSync(dir)
    .filter((name) => /^[0-9a-f]{32}\.tsv$/.test(name))
    .map((name) => ({ file: path.join(dir, name), used: statSync(path.join(dir, name)).mtimeMs }))
    .sort((a, b) => b.used - a.used);
  for (const stale of trees.slice(MAX_TREES)) rmSync(stale.file, { force: true });
}
