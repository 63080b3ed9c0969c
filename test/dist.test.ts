/** What `npm run build` puts in dist/ (npm test builds it first). */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./helpers.js";

const dist = path.join(ROOT, "dist");
const chunks = readdirSync(dist)
  .filter((f) => f.endsWith(".js") || f.endsWith(".cjs"))
  .map((f) => readFileSync(path.join(dist, f), "utf8"));

describe("dist", () => {
  const all = chunks.join("\n");

  it("carries the runbook templates compiled and only the Handlebars runtime", () => {
    expect(all).toMatch(/secretRotationTemplate = \{ "0": function\(container, depth0, helpers, partials, data2?\)/);
    expect(all).not.toMatch(/\w+Template = `/);
    expect(all).toContain("node_modules/handlebars/dist/cjs/handlebars.runtime.js");
    expect(all).not.toContain("JavaScriptCompiler");
    expect(all).not.toMatch(/from "handlebars/);
  });

  it("bundles zod, yaml and semver, and leaves TypeScript to the commands that load it", () => {
    for (const name of ["zod", "yaml", "semver"]) expect(all).not.toMatch(new RegExp(`from "${name}(/[^"]*)?"|require\\("${name}"\\)`));
    expect(all).toMatch(/importModule\("typescript"\)/);
  });
});
