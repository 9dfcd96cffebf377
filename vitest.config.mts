import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: "forks",
    // Log lines of passing tests are dropped; a failing test's are printed with its failure.
    setupFiles: ["test/support/quiet-logs.ts"],
    globalSetup: ["test/support/global-setup.ts"],
    silent: "passed-only",
  },
});
