import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { RULES } from "../compiler/checks/index.js";
import { renderReadme } from "../compiler/readme.js";
import { ruleDoc } from "../compiler/rule-docs.js";
import { ROOT } from "./helpers.js";

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    return statSync(full).isDirectory() ? sources(full) : entry.endsWith(".ts") ? [full] : [];
  });
}

/** Every rule id the code can report: `rule: "…"` anywhere, `fail("…"` in commands, `id: "…"` of checks. */
function reportedIds(): Map<string, string> {
  const found = new Map<string, string>();
  const literal = String.raw`["'\x60]([a-z0-9-]+\/[a-z0-9-]+(?:\$\{[^}]*\})?)["'\x60]`;
  for (const file of ["compiler", "spec", "targets"].flatMap((d) => sources(path.join(ROOT, d)))) {
    const text = readFileSync(file, "utf8");
    const patterns = [new RegExp(String.raw`\brule:\s*` + literal, "g"), new RegExp(String.raw`\bfail\(\s*` + literal, "g")];
    if (file.includes(`${path.sep}checks${path.sep}`)) patterns.push(new RegExp(String.raw`\bid:\s*` + literal, "g"));
    for (const pattern of patterns) {
      for (const match of text.matchAll(pattern)) found.set(match[1]!.replace(/\$\{[^}]*\}/, "kind"), path.relative(ROOT, file));
    }
  }
  return found;
}

describe("generated sources", () => {
  it("spec/input.generated.ts is the interface of the spec's JSON Schema (node scripts/generate-input-types.mjs after a build)", async () => {
    const { platformJsonSchema } = await import("../compiler/json-schema.js");
    // @ts-expect-error: a plain .mjs script without types
    const { inputTypesSource } = await import("../scripts/generate-input-types.mjs");
    expect(await inputTypesSource(platformJsonSchema())).toBe(readFileSync(path.join(ROOT, "spec", "input.generated.ts"), "utf8"));
  });
});

describe("README", () => {
  it("its rules, versions and workflow sections are what the code generates (npm run update:golden rewrites them)", () => {
    const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
    expect(renderReadme(readme)).toBe(readme);
  });

  it("every rule id the code reports is explained by plinth explain and in the README's table", () => {
    const ids = reportedIds();
    expect(ids.size).toBeGreaterThan(60);
    const unexplained = [...ids].filter(([id]) => ruleDoc(id) === undefined).map(([id, file]) => `${id} (${file})`);
    expect(unexplained, "add each to compiler/rule-docs.ts, then npm run update:golden").toEqual([]);
    for (const rule of RULES) expect(ruleDoc(rule.id), rule.id).toBeDefined();
  });
});
