import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { CASES_DIR, ROOT } from "./helpers.js";

const run = promisify(execFile);

/** The built CLI in a real process, exactly as a user runs it (Node's own module loader included). */
async function plinth(args: string[], cwd: string): Promise<{ code: number; stderr: string }> {
  try {
    const { stderr } = await run(process.execPath, [path.join(ROOT, "bin", "plinth.js"), ...args], { cwd, env: { ...process.env, NO_COLOR: "1" } });
    return { code: 0, stderr };
  } catch (error) {
    const failed = error as { code?: number; stderr?: string };
    return { code: failed.code ?? -1, stderr: failed.stderr ?? "" };
  }
}

/**
 * Expected-error cases: test/cases/<name>/ holds a spec, an optional `args` file (default
 * "validate"), and the golden `expected.stderr` and `expected.exit`.
 */
const cases = existsSync(CASES_DIR) ? readdirSync(CASES_DIR).sort() : [];

describe.concurrent.each(cases)("case %s", (name) => {
  const dir = path.join(CASES_DIR, name);
  it("prints exactly expected.stderr and exits with expected.exit", async () => {
    const argsFile = path.join(dir, "args");
    const args = existsSync(argsFile) ? readFileSync(argsFile, "utf8").trim().split(/\s+/) : ["validate"];
    const result = await plinth(args, dir);
    expect(result.stderr).toBe(readFileSync(path.join(dir, "expected.stderr"), "utf8"));
    expect(result.code).toBe(Number(readFileSync(path.join(dir, "expected.exit"), "utf8")));
  });
});
