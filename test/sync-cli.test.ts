import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, inject, it } from "vitest";
import { intercomArticle, intercomCollection, startFakeIntercom } from "./helpers/fake-intercom.ts";

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

  it("with --history, reads the token's workspace's past conversations and prints what they taught", async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), "assistant-sync-cli-"));
    const intercom = await startFakeIntercom({
      workspaceId: `clih${Date.now().toString(36)}`,
      collections: [intercomCollection({ id: "10", name: "Account" })],
      articles: [intercomArticle({ id: "901", title: "Reset your password", body: "<p>Click Forgot password on the sign-in page.</p>" }), intercomArticle({ id: "902", title: "Export your invoices", body: "<p>Open Billing and choose Export.</p>" })],
    });
    const now = Math.floor(Date.now() / 1000);
    for (let i = 0; i < 12; i++) {
      intercom.conversations.set(String(45000 + i), {
        type: "conversation",
        id: String(45000 + i),
        state: "closed",
        updated_at: now - i * 60,
        source: { type: "conversation", body: `<p>${i % 2 ? "locked out of my account" : "how do I get my invoices as a csv"}</p>`, author: { type: "user", id: `c${i}` } },
        conversation_parts: { type: "conversation_part.list", conversation_parts: i < 10 ? [{ type: "conversation_part", id: `p${i}`, part_type: "comment", body: `<p><a href="https://help.fake.example/en/articles/${i % 2 ? 901 : 902}">This</a> helps.</p>`, author: { type: "admin", id: "4412783" } }] : [], total_count: 1 },
      });
    }
    const env = { ...process.env, DATA_DIR: dataDir, CHROMA_URL: inject("chromaUrl"), INTERCOM_ACCESS_TOKEN: "fake-access-token", INTERCOM_API_BASE_URL: intercom.url, DATABASE_URL: "", EMBEDDER: "offline" };
    try {
      const { stdout } = await run("npx", ["tsx", "server/cli/sync.ts", "--history"], { env });
      expect(stdout).toMatch(new RegExp(`^${intercom.workspaceId}: done, read 12 of 12 conversations, learned 2 questions from 10 linking replies \\(0 replies without a link, 0 not found, skipped: no teammate reply 2\\)$`, "m"));
    } finally {
      await intercom.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
