/** Locating many diagnostics parses each spec file once (one shared syntax tree per file and text). */
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { locateInTypeScript } from "../compiler/load/locate-ts.js";

describe("locating in a TypeScript spec", () => {
  it("parses each file once however many paths it locates, and again only when its text changes", () => {
    const file = "/virtual/locate-once/platform.ts";
    const text = ["export default {", '  services: [{ name: "a", image: "x" }, { name: "b", image: "y" }],', '  environments: [{ name: "dev" }],', "};", ""].join("\n");
    const sources = new Map([[file, text]]);
    let parses = 0;
    // The compiler with its parser counted (its module object cannot be spied on).
    const counted = Object.create(ts, {
      createSourceFile: { value: (...args: Parameters<typeof ts.createSourceFile>) => (parses++, ts.createSourceFile(...args)) },
    }) as typeof ts;
    const found = [["services", 0, "name"], ["services", 1, "image"], ["environments", 0, "name"], ["services", 1]].map((p) => locateInTypeScript(counted, file, sources, p));
    expect(found.map((f) => f && `${f.line}:${f.column}`)).toEqual(["2:16", "2:54", "3:20", "2:41"]);
    expect(parses).toBe(1);

    sources.set(file, text.replace('"dev"', '"staging"'));
    expect(locateInTypeScript(counted, file, sources, ["environments", 0, "name"])).toMatchObject({ line: 3, column: 20 });
    expect(parses).toBe(2);
  });
});
