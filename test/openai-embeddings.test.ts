// The OpenAI-compatible embedder against a local OpenAI-compatible server.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ChromaStore } from "../server/knowledge/chroma-store.ts";
import { HelpCenterKnowledge } from "../server/knowledge/help-center-knowledge.ts";
import { OpenAIEmbedder } from "../server/knowledge/openai-embedder.ts";
import { demoSource } from "../server/knowledge/sources.ts";
import { createLogger } from "../server/logger.ts";
import { startFakeOpenAI, type FakeOpenAI } from "./helpers/fake-openai.ts";

let openai: FakeOpenAI;
let knowledge: HelpCenterKnowledge;
const WS = `oai${Date.now().toString(36)}`;
const embeddingCalls = () => openai.requests.filter((request) => request.path === "/v1/embeddings");
const embeddingRequests = () => embeddingCalls().length;

beforeAll(async () => {
  openai = await startFakeOpenAI();
  const embedder = new OpenAIEmbedder({ baseUrl: openai.url, model: "text-embedding-3-small" });
  knowledge = new HelpCenterKnowledge({ store: new ChromaStore(inject("chromaUrl"), embedder.id), embedder, sourceFor: () => demoSource, logger: createLogger("silent") });
});
afterAll(() => openai.close());

describe("OpenAI-compatible embeddings", () => {
  it("embeds the Help Center through the API, surviving a rate limit, and asks for the configured model", async () => {
    openai.failNext.push(429);
    const summary = await knowledge.sync(WS);
    expect(summary.errors).toEqual([]);
    expect(summary.synced).toBeGreaterThanOrEqual(40);
    expect(openai.requests[0]?.body.model).toBe("text-embedding-3-small");
    // Batched: a couple of requests for the whole Help Center (96 texts each), plus the one rate-limited.
    expect(embeddingRequests()).toBeGreaterThanOrEqual(2);
    expect(embeddingRequests()).toBeLessThanOrEqual(4);
    expect((openai.requests[1]?.body.input as string[]).length).toBeGreaterThan(40);
  });

  it("makes no embedding request for an unchanged Help Center", async () => {
    const before = embeddingRequests();
    expect(await knowledge.sync(WS)).toMatchObject({ synced: 0, removed: 0 });
    expect(embeddingRequests()).toBe(before);
  });

  it("answers from the vectors the API returned", async () => {
    const [top] = await knowledge.search(WS, "How do I reset my password?");
    expect(top?.title).toBe("Reset your password");
  });

  it("asks about a question without the product name most articles hold, unless that is all it says", async () => {
    const lastInput = () => (embeddingCalls().at(-1)?.body.input as string[])[0];
    await knowledge.search(WS, "Does Tallybook work on my iPhone?");
    expect(lastInput()).toMatch(/^Does work on my iPhone\?/);
    await knowledge.search(WS, "Tallybook?");
    expect(lastInput()).toMatch(/^Tallybook\?/);
  });

  it("does not ask twice for a text it has already embedded", async () => {
    await knowledge.search(WS, "export my invoices");
    const before = embeddingRequests();
    await knowledge.search(WS, "export my invoices");
    expect(embeddingRequests()).toBe(before);
  });
});
