import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: [
      "apps/*/test/**/*.test.ts",
      "packages/*/test/**/*.test.ts",
      // Tests of pure decisions sit beside their code.
      "apps/*/src/**/*.test.ts",
      "packages/*/src/**/*.test.ts",
      // ... and beside a benchmark's.
      "apps/*/bench/**/*.test.ts",
      "tests/**/*.test.ts",
    ],
    // One PostgreSQL for the run (embedded, or DATABASE_URL) and a migrated template database.
    globalSetup: ["packages/devstack/src/test/global-setup.ts"],
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
  },
});
