import { defineConfig } from "tsup";

export default defineConfig([
  {
    // readme: the README's generated sections, for scripts/update-readme.mjs.
    entry: { cli: "compiler/main.ts", "spec/index": "spec/index.ts", "spec/authoring": "spec/authoring.ts", readme: "compiler/readme.ts" },
    format: ["esm"],
    target: "node20",
    platform: "node",
    splitting: true,
    sourcemap: false,
    clean: true,
    // Types only for the authoring API users import as "plinth".
    dts: { entry: { "spec/index": "spec/index.ts" } },
    // Loaded only when a command needs them, so a warm `validate` never pays for them.
    external: ["typescript"],
  },
  {
    // `require("plinth")` from CommonJS (Node 20 cannot require an ES module): the authoring API only.
    entry: { "spec/index": "spec/index.ts" },
    format: ["cjs"],
    target: "node20",
    platform: "node",
    sourcemap: false,
    dts: { entry: { "spec/index": "spec/index.ts" } },
    outExtension: () => ({ js: ".cjs", dts: ".d.cts" }),
  },
]);
