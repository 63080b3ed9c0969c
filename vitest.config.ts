import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/setup-global.ts"],
    setupFiles: ["test/setup-each.ts"],
    // The Model is frozen in every compile the tests run, in process or in a spawned CLI: a target that
    // mutates it throws here (a user's run skips the freeze).
    env: { PLINTH_FREEZE_MODEL: "1" },
    // terraform init/validate and hcl2json's wasm start-up are slow on a 2-core machine.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
