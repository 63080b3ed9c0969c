import { lstatSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { UserError } from "./diagnostics.js";
import { symlinkError } from "./safe-fs.js";

export interface LockOptions {
  /** How long to wait for a live holder before giving up. */
  waitMs?: number;
}

const DEFAULT_WAIT_MS = 60_000;
const POLL_MS = 50;
/** How long a lock file may be without its holder's pid before it counts as a killed run's. */
const UNWRITTEN_GRACE_MS = 10_000;

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

function holderAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Takes an exclusive lock file (created with O_EXCL, holding our pid) and returns its release. A
 * concurrent run waits for the holder; a lock whose process is gone (a killed run) is taken over.
 */
export function acquireLock(file: string, what: string, options: LockOptions = {}): () => void {
  const deadline = Date.now() + (options.waitMs ?? DEFAULT_WAIT_MS);
  for (;;) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: "wx", mode: 0o644 });
      return () => rmSync(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    let holder: number;
    let seen: { ino: number; mtimeMs: number };
    try {
      const stat = lstatSync(file);
      if (!stat.isFile()) throw symlinkError([file], "lock");
      seen = { ino: stat.ino, mtimeMs: stat.mtimeMs };
      holder = Number(readFileSync(file, "utf8").trim());
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") continue; // released meanwhile
      throw error;
    }
    // Creating the file and writing the pid are two steps: a lock without a pid yet is being taken
    // by a live run (only an old one is a leftover).
    const unwritten = !(Number.isInteger(holder) && holder > 0);
    const live = unwritten ? Date.now() - seen.mtimeMs < UNWRITTEN_GRACE_MS : holderAlive(holder);
    if (!live) {
      // Left by a run that was killed: nobody will release it. Removed only while it is still that
      // file, so a lock another run has just taken over is never removed.
      try {
        if (lstatSync(file).ino === seen.ino) rmSync(file, { force: true });
      } catch {
        // Gone meanwhile: try again.
      }
      continue;
    }
    if (Date.now() >= deadline) {
      throw new UserError([
        {
          rule: "write/locked",
          severity: "error",
          message: `${what} is locked by another plinth run (${unwritten ? "one starting" : `process ${holder}`}); gave up waiting`,
          hint: `wait for it to finish; if no such run exists, remove ${file}`,
        },
      ]);
    }
    sleep(POLL_MS);
  }
}
