/** Imports run one way: targets import the Model; resolve, checks and the Model never import targets/. */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./helpers.js";

function sources(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(path.join(dir, entry.name)) : entry.name.endsWith(".ts") ? [path.join(dir, entry.name)] : [],
  );
}

describe("layering", () => {
  const below = [...sources("compiler/resolve"), ...sources("compiler/checks"), ...sources("compiler/formats"), "compiler/model.ts"];

  it("finds the modules it guards", () => {
    expect(below.length).toBeGreaterThan(20);
  });

  it.each(below)("%s imports nothing from targets/", (file) => {
    const imports = [...readFileSync(path.join(ROOT, file), "utf8").matchAll(/^import[^;]*?from\s+"([^"]+)"/gms)].map((m) => m[1]!);
    const intoTargets = imports.filter((spec) => path.resolve(path.dirname(path.join(ROOT, file)), spec).startsWith(path.join(ROOT, "targets")));
    expect(intoTargets).toEqual([]);
  });
});
