import { lstatSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { UserError } from "./diagnostics.js";
import { symlinkError } from "./safe-fs.js";

export interface LockOptions {
  /** How long to wait for a live holder before giving up. */
  waitMs?: number;
}

const DEFAULT_WAIT_MS = 60_000;
const POLL_MS = 50;

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
    try {
      const stat = lstatSync(file);
      if (!stat.isFile()) throw symlinkError([file], "lock");
      holder = Number(readFileSync(file, "utf8").trim());
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") continue; // released meanwhile
      throw error;
    }
    if (!holderAlive(holder)) {
      // Left by a run that was killed: nobody will release it.
      rmSync(file, { force: true });
      continue;
    }
    if (Date.now() >= deadline) {
      throw new UserError([
        {
          rule: "write/locked",
          severity: "error",
          message: `${what} is locked by another plinth run (process ${holder}); gave up waiting`,
          hint: `wait for it to finish; if no such run exists, remove ${file}`,
        },
      ]);
    }
    sleep(POLL_MS);
  }
}
