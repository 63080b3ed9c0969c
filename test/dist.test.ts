/** What `npm run build` puts in dist/ (npm test builds it first). */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./helpers.js";

const dist = path.join(ROOT, "dist");
const chunks = readdirSync(dist)
  .filter((f) => f.endsWith(".js"))
  .map((f) => readFileSync(path.join(dist, f), "utf8"));

describe("dist", () => {
  it("carries the runbook templates compiled and imports only the Handlebars runtime", () => {
    const all = chunks.join("\n");
    expect(all).toMatch(/var secretRotationTemplate = \{ "0": function\(container, depth0, helpers, partials, data\)/);
    expect(all).toContain('from "handlebars/runtime.js"');
    expect(all).not.toMatch(/from "handlebars"/);
    expect(all).not.toMatch(/var \w+Template = `/);
  });
});
