import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["{machines,actors,adapters,bench,docs}/**/*.test.ts"],
    pool: "forks",
    globalSetup: ["adapters/postgres/testing/globalSetup.ts"],
    setupFiles: ["adapters/testing/afterEachFile.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
