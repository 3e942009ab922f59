import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-build.ts", "test/global-chroma.ts", "test/global-browser.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Most files wait on real servers (Chroma, Postgres, the app as a process) more than they
    // compute: two at a time even on CI's 2 cores, where the default would run one.
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
