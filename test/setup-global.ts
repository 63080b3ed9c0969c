import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

/**
 * Every test run gets an empty transpile/location cache (child processes inherit the variable): a
 * cache left by an earlier run must never make a test pass that a fresh machine would fail.
 */
export default function setup(): () => void {
  const dir = mkdtempSync(path.join(os.tmpdir(), "plinth-test-cache-"));
  process.env.PLINTH_CACHE_DIR = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
