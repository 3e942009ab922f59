import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-build.ts", "test/global-chroma.ts", "test/global-browser.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
