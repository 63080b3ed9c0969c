import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CASES_DIR, runPlinth } from "./helpers.js";

/**
 * Expected-error cases: test/cases/<name>/ holds a spec, an optional `args` file (default
 * "validate"), and the golden `expected.stderr` and `expected.exit`.
 */
const cases = existsSync(CASES_DIR) ? readdirSync(CASES_DIR).sort() : [];

describe.each(cases)("case %s", (name) => {
  const dir = path.join(CASES_DIR, name);
  it("prints exactly expected.stderr and exits with expected.exit", async () => {
    const argsFile = path.join(dir, "args");
    const args = existsSync(argsFile) ? readFileSync(argsFile, "utf8").trim().split(/\s+/) : ["validate"];
    const result = await runPlinth(args, dir);
    expect(result.stderr).toBe(readFileSync(path.join(dir, "expected.stderr"), "utf8"));
    expect(result.code).toBe(Number(readFileSync(path.join(dir, "expected.exit"), "utf8")));
  });
});
