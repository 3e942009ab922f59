// The embedded Chroma heals: when its process dies, the supervisor starts it again on the same
// port with the same data, and the app's requests go through after a short wait.
import { ChromaClient } from "chromadb";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { startEmbeddedChroma } from "../server/knowledge/chroma-server.ts";
import { ChromaStore } from "../server/knowledge/chroma-store.ts";
import { createLogger } from "../server/logger.ts";
import { waitFor } from "./helpers/process.ts";

describe("embedded Chroma supervisor", () => {
  it("restarts a dead server and the store's retries carry requests over the gap", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "assistant-supervisor-"));
    const chroma = await startEmbeddedChroma({ dataDir: dir, logger: createLogger("silent") });
    try {
      const store = new ChromaStore(chroma.url, "test-space");
      const metadata = { workspace_id: "w1", source: "demo" as const, article_id: "1", article_key: "1", locale: "en", title: "Hello", description: "", url: "", collection_id: "", collection_name: "", parent_path: "", author_id: "", created_at: 1, updated_at: 1, content_hash: "h", chunk_index: 0, chunk_count: 1, heading_path: "" };
      await store.replaceArticles("w1", [{ chunks: [{ id: "article:1:0", text: "hello", embedding: [1, 0, 0], metadata }], previousChunkCount: 0 }]);
      const before = chroma.pid();
      process.kill(before!, "SIGKILL");
      expect(await store.count("w1")).toBe(1);
      await waitFor(() => (chroma.pid() !== before ? true : undefined), 10_000, "a new Chroma process");
      const collections = await new ChromaClient({ host: "127.0.0.1", port: Number(new URL(chroma.url).port) }).listCollections();
      expect(collections.length).toBeGreaterThan(0);
    } finally {
      await chroma.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
