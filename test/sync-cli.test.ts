import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, inject, it } from "vitest";

const run = promisify(execFile);

describe("npm run sync", () => {
  it("syncs the demo Help Center, then finds it unchanged, and prints a summary line each time", async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), "assistant-sync-cli-"));
    const workspace = `cli${Date.now().toString(36)}`;
    const env = { ...process.env, DATA_DIR: dataDir, CHROMA_URL: inject("chromaUrl"), INTERCOM_ACCESS_TOKEN: "" };
    try {
      const first = await run("npx", ["tsx", "server/cli/sync.ts", "--workspace", workspace], { env });
      expect(first.stdout).toMatch(new RegExp(`^${workspace}: synced \\d{2}, unchanged 0, removed 0, skipped drafts 0, errors 0 \\(`, "m"));
      const second = await run("npx", ["tsx", "server/cli/sync.ts", "--workspace", workspace], { env });
      expect(second.stdout).toMatch(new RegExp(`^${workspace}: synced 0, unchanged \\d{2}, removed 0, skipped drafts 0, errors 0 \\(`, "m"));
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
