import path from "node:path";
import { describe, expect, it } from "vitest";
import { packageVersion } from "../compiler/load/package-root.js";
import { MANIFEST, manifestFor, renderManifest } from "../compiler/write.js";
import { buildExample, EXAMPLES, GOLDEN_DIR, readTreeFiles } from "./helpers.js";

// Each example's whole output tree must equal golden/<example>/ byte for byte: a missing, extra or
// changed file fails. Regenerate only with `npm run update:golden`, and read the diff.
describe.each(EXAMPLES)("golden: %s", (example) => {
  it("matches golden/ byte for byte", async () => {
    const { model, files, specHash } = await buildExample(example);
    const expected = new Map(files.map((f) => [f.path, f.content]));
    expected.set(MANIFEST, renderManifest(manifestFor(files, specHash, packageVersion(), model.platform.name)));
    const actual = readTreeFiles(path.join(GOLDEN_DIR, example));
    expect([...actual.keys()].sort(), "file list (run npm run update:golden and read the diff)").toEqual([...expected.keys()].sort());
    for (const [file, content] of expected) expect(actual.get(file), file).toBe(content);
  });

  it("is deterministic: a second build is byte-identical", async () => {
    const { compileSpec } = await import("../compiler/pipeline.js");
    const { emit } = await import("../compiler/emit.js");
    const first = await buildExample(example);
    const second = emit((await compileSpec(path.join("examples", example))).model);
    expect(second).toEqual(first.files);
  });
});
