import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/setup-global.ts"],
    setupFiles: ["test/setup-each.ts"],
    // terraform init/validate and hcl2json's wasm start-up are slow on a 2-core machine.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
