import { defineConfig } from "tsup";

export default defineConfig({
  entry: { cli: "compiler/main.ts", "spec/index": "spec/index.ts" },
  format: ["esm"],
  target: "node20",
  platform: "node",
  splitting: true,
  sourcemap: false,
  clean: true,
  dts: false,
  // Loaded only when a command needs them, so a warm `validate` never pays for them.
  external: ["typescript"],
});
