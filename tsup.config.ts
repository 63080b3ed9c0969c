import { defineConfig } from "tsup";

export default defineConfig({
  entry: { cli: "compiler/main.ts", "spec/index": "spec/index.ts", "spec/authoring": "spec/authoring.ts" },
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
});
