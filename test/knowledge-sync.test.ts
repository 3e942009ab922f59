// A real sync from a local Intercom API (documented shapes, several pages) into a real Chroma.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { createIntercomClient } from "../server/intercom/client.ts";
import { ChromaStore } from "../server/knowledge/chroma-store.ts";
import { HelpCenterKnowledge } from "../server/knowledge/help-center-knowledge.ts";
import { articleKeyOfPassage } from "../server/knowledge/knowledge-base.ts";
import { OfflineEmbedder } from "../server/knowledge/offline-embedder.ts";
import { demoSource, intercomSource } from "../server/knowledge/sources.ts";
import { createLogger } from "../server/logger.ts";
import { waitFor } from "./helpers/process.ts";
import { fixture, startTestApp } from "./helpers/app.ts";
import { intercomArticle, intercomCollection, startFakeIntercom, type FakeIntercom } from "./helpers/fake-intercom.ts";

/**
 * The real offline embedder, with a count of the embedding calls a sync makes. It stands for one
 * behind an API, whose calls cost: an index reads its vectors from Chroma instead of making them.
 */
class CountingEmbedder extends OfflineEmbedder {
  override readonly local = false;
  calls = 0;
  override async embedDocuments(texts: string[]) {
    this.calls++;
    return super.embedDocuments(texts);
  }
}

const WS = `sync${Date.now().toString(36)}`;
let intercom: FakeIntercom;
let embedder: CountingEmbedder;
let store: ChromaStore;
let knowledge: HelpCenterKnowledge;

const longBody = [
  "<p>Exports are prepared in the background.</p>",
  ...Array.from({ length: 6 }, (_, i) => `<h2>Export format ${i + 1}</h2><p>${"The CSV export lists invoices, payments and credit notes for the period you choose. ".repeat(4)}</p>`),
].join("");

beforeAll(async () => {
  intercom = await startFakeIntercom({
    workspaceId: WS,
    collections: [intercomCollection({ id: "10", name: "Account" }), intercomCollection({ id: "11", name: "Billing", parent_id: "10" })],
    articles: [
      intercomArticle({ id: "501", title: "Reset your password", body: "<p>Click <b>Forgot password</b> on the sign-in page; the link is valid for one hour.</p>", parent_id: 10 }),
      intercomArticle({
        id: "502",
        title: "Change your plan",
        body: "<h2>Upgrade</h2><p>Upgrades apply at once and are prorated.</p><h2>Downgrade</h2><p>Downgrades apply at the end of the billing period.</p>",
        parent_id: 11,
        translated_content: {
          type: "article_translated_content",
          fr: { type: "article_content", title: "Changer d'offre", description: "", body: "<p>Les changements d'offre sont proratisés.</p>", author_id: 991267460, state: "published", created_at: 1700000000, updated_at: 1700000000, url: "https://help.fake.example/fr/articles/502" },
          de: { type: "article_content", title: "Tarif wechseln", description: "", body: "<p>Entwurf</p>", author_id: 991267460, state: "draft", created_at: 1700000000, updated_at: 1700000000, url: null },
        },
      }),
      intercomArticle({ id: "503", title: "Export your data", body: longBody, parent_id: 10 }),
      intercomArticle({ id: "504", title: "Delete your account", body: "<p>Account deletion is permanent after 30 days.</p>", parent_id: 10 }),
      intercomArticle({ id: "505", title: "Refund policy", body: "<p>Yearly plans are refunded within 14 days of payment.</p>", parent_id: 11 }),
      intercomArticle({ id: "506", title: "Secret roadmap", body: "<p>Not ready to publish.</p>", state: "draft" }),
    ],
  });
  embedder = new CountingEmbedder();
  store = new ChromaStore(inject("chromaUrl"), embedder.id);
  const source = intercomSource(createIntercomClient({ token: "fake-access-token", baseUrl: intercom.url }), 2);
  knowledge = new HelpCenterKnowledge({ store, embedder, sourceFor: (id) => (id === WS ? source : demoSource), logger: createLogger("silent") });
});
afterAll(() => intercom.close());

describe("Help Center sync", () => {
  it("indexes every published article and translation, following pagination to the end", async () => {
    const summary = await knowledge.sync(WS);
    expect(summary).toEqual({ synced: 6, unchanged: 0, removed: 0, skippedDrafts: 2, errors: [] });
    const pagesAsked = intercom.requests.filter((request) => request.path === "/articles").map((request) => request.query.page);
    // Three pages of two, then the empty page that tells the SDK it has reached the end.
    expect(pagesAsked).toEqual([undefined, "2", "3", "4"]);
    expect(intercom.requests.every((request) => request.headers["intercom-version"] === "2.14")).toBe(true);

    const chunks = await store.allChunks(WS);
    const keys = new Set(chunks.map((chunk) => chunk.metadata.article_key));
    expect([...keys].sort()).toEqual(["501", "502", "502@fr", "503", "504", "505"]);
    const plan = chunks.find((chunk) => chunk.id === "article:502:0")!;
    expect(plan.metadata).toMatchObject({
      workspace_id: WS,
      source: "intercom",
      title: "Change your plan",
      collection_id: "11",
      collection_name: "Billing",
      parent_path: "Account > Billing",
      locale: "en",
      url: "https://help.fake.example/en/articles/502",
      author_id: "991267460",
      updated_at: 1700000000,
    });
    expect(chunks.find((chunk) => chunk.id === "article:502@fr:0")?.metadata).toMatchObject({ locale: "fr", title: "Changer d'offre" });
    const exports = chunks.filter((chunk) => chunk.metadata.article_key === "503");
    expect(exports.length).toBeGreaterThan(1);
    expect(exports.map((chunk) => chunk.id).sort()).toEqual(exports.map((_, i) => `article:503:${i}`).sort());
    expect(exports.every((chunk) => chunk.metadata.chunk_count === exports.length)).toBe(true);
    expect(exports.some((chunk) => chunk.metadata.heading_path.startsWith("Export format"))).toBe(true);
  });

  it("makes zero embedding calls when nothing changed", async () => {
    embedder.calls = 0;
    const summary = await knowledge.sync(WS);
    expect(summary).toEqual({ synced: 0, unchanged: 6, removed: 0, skippedDrafts: 2, errors: [] });
    expect(embedder.calls).toBe(0);
  });

  it("re-embeds a changed article only, and removes deleted and unpublished ones", async () => {
    const refund = intercom.articles.find((article) => article.id === "505")!;
    refund.body = "<p>Yearly plans are refunded within 30 days of payment, monthly plans are not refunded.</p>";
    refund.updated_at = 1700000500;
    intercom.articles = intercom.articles.filter((article) => article.id !== "504");
    intercom.articles.find((article) => article.id === "503")!.state = "draft";

    embedder.calls = 0;
    const summary = await knowledge.sync(WS);
    expect(summary).toEqual({ synced: 1, unchanged: 3, removed: 2, skippedDrafts: 3, errors: [] });
    expect(embedder.calls).toBe(1);

    const keys = new Set((await store.allChunks(WS)).map((chunk) => chunk.metadata.article_key));
    expect([...keys].sort()).toEqual(["501", "502", "502@fr", "505"]);
    const [top] = await knowledge.search(WS, "how long do I have to get a refund of a yearly plan?");
    expect(top).toMatchObject({ articleId: "505", title: "Refund policy" });
    expect(top!.text).toContain("30 days");
  });

  it("picks up an edit another instance synced, on its own next sync, though nothing is left to write", async () => {
    const other = new HelpCenterKnowledge({ store, embedder, sourceFor: () => intercomSource(createIntercomClient({ token: "fake-access-token", baseUrl: intercom.url }), 2), logger: createLogger("silent") });
    const question = "can I pay for my subscription with a cheque?";
    expect((await knowledge.search(WS, question))[0]?.text ?? "").not.toContain("cheque");
    const password = intercom.articles.find((article) => article.id === "501")!;
    password.body = "<p>Click <b>Forgot password</b>. Subscriptions can also be paid by cheque, once a year.</p>";
    password.updated_at = 1700000900;
    expect(await other.sync(WS)).toMatchObject({ synced: 1 });

    expect(await knowledge.sync(WS)).toMatchObject({ synced: 0, removed: 0 });
    expect((await knowledge.search(WS, question))[0]).toMatchObject({ articleId: "501", text: expect.stringContaining("cheque") });
  });

  it("keeps each workspace's articles to itself", async () => {
    const other = `demo${Date.now().toString(36)}`;
    await knowledge.sync(other);
    const fromOther = await knowledge.search(other, "reset my password forgot", { topK: 5 });
    expect(fromOther.map((passage) => passage.url)).not.toContain("https://help.fake.example/en/articles/501");
    const fromFake = await knowledge.search(WS, "How do I connect my bank account and turn on two-factor authentication?", { topK: 5 });
    expect(fromFake.every((passage) => passage.url?.startsWith("https://help.fake.example/"))).toBe(true);
  });

  it("answers a signed Messenger question with a button to the right article of that Help Center", async () => {
    const app = await startTestApp({ knowledge });
    try {
      const body = { ...fixture("messenger-submit"), workspace_id: WS, input_values: { question: "I forgot my password, how do I reset it?" } };
      const json = await (await app.canvas("/canvas/messenger/submit", body)).json();
      const urls = json.canvas.content.components.filter((c: { action?: { type: string } }) => c.action?.type === "url");
      expect(urls[0]).toMatchObject({ label: "Reset your password", action: { url: "https://help.fake.example/en/articles/501" } });
    } finally {
      await app.close();
    }
  });

  it("never has a card wait for a Help Center this instance has not loaded: it hands over honestly, and the load it starts serves the next card", async () => {
    // A second instance on the same Chroma, started before the workspace was installed through the first.
    const other = new HelpCenterKnowledge({ store, embedder, sourceFor: () => intercomSource(createIntercomClient({ token: "fake-access-token", baseUrl: intercom.url }), 2), logger: createLogger("silent") });
    const app = await startTestApp({ knowledge: other, workspaces: [] });
    const ask = async () => {
      const body = { ...fixture("messenger-submit"), workspace_id: WS, input_values: { question: "I forgot my password, how do I reset it?" } };
      return (await app.canvas("/canvas/messenger/submit", body)).json();
    };
    try {
      const first = await ask();
      expect(first.canvas.content.components[0].text).toMatch(/still reading the Help Center/);
      const next = await waitFor(async () => {
        const json = await ask();
        return json.canvas.content.components.some((c: { action?: { url?: string } }) => c.action?.url === "https://help.fake.example/en/articles/501") ? json : undefined;
      }, 10_000, "the next card answered from the loaded Help Center");
      expect(next.canvas.content.components.find((c: { action?: { type: string } }) => c.action?.type === "url")).toMatchObject({ label: "Reset your password" });
    } finally {
      await app.close();
    }
  });
});

/** The real Chroma adapter, with a count of the nearest-neighbour requests made to Chroma. */
class CountingStore extends ChromaStore {
  nearestRequests = 0;
  override async nearestMany(workspaceId: string, embeddings: number[][], count: number) {
    this.nearestRequests++;
    return super.nearestMany(workspaceId, embeddings, count);
  }
}

describe("the vectors an index holds", () => {
  it("find the passages Chroma finds, so a small Help Center's cards answer the same without asking Chroma", async () => {
    const demo = `${WS}demo`;
    const [heldStore, askingStore] = [new CountingStore(inject("chromaUrl"), embedder.id), new CountingStore(inject("chromaUrl"), embedder.id)];
    // The offline embedder's index makes its passages' vectors again; the counting one's reads them from Chroma.
    const held = new HelpCenterKnowledge({ store: heldStore, embedder: new OfflineEmbedder(), sourceFor: () => demoSource, logger: createLogger("silent") });
    await held.sync(demo);
    const readStore = new CountingStore(inject("chromaUrl"), embedder.id);
    const read = new HelpCenterKnowledge({ store: readStore, embedder, sourceFor: () => demoSource, logger: createLogger("silent") });
    await read.load(demo);
    const asking = new HelpCenterKnowledge({ store: askingStore, embedder, sourceFor: () => demoSource, logger: createLogger("silent"), maxHeldPassages: 0 });
    await asking.load(demo);
    const questions = ["How do I set up recurring invoices for a retainer client?", "reset my password", "my card was declined", "export data to my accountant", "can I invoice a client in euros", "the mobile app stopped syncing", "mot de passe oublié"];
    for (const question of questions) {
      const [fromMemory, fromChroma, fromRead] = await Promise.all([held.search(demo, question, { topK: 4 }), asking.search(demo, question, { topK: 4 }), read.search(demo, question, { topK: 4 })]);
      expect(fromMemory.length, question).toBeGreaterThan(0);
      for (const other of [fromChroma, fromRead]) {
        expect(fromMemory.map((passage) => passage.id), question).toEqual(other.map((passage) => passage.id));
        fromMemory.forEach((passage, i) => expect(passage.confidence, question).toBeCloseTo(other[i]!.confidence, 5));
      }
    }
    expect(heldStore.nearestRequests + readStore.nearestRequests).toBe(0);
    expect(askingStore.nearestRequests).toBe(questions.length);
  });

  it("are made again only for what changed when a learned question reloads the index, and find what a fresh index finds", async () => {
    const demo = `${WS}taught`;
    class LocalCounting extends OfflineEmbedder {
      texts = 0;
      override async embedDocuments(texts: string[]) {
        this.texts += texts.length;
        return super.embedDocuments(texts);
      }
    }
    const counting = new LocalCounting();
    const knowledge = new HelpCenterKnowledge({ store: new ChromaStore(inject("chromaUrl"), counting.id), embedder: counting, sourceFor: () => demoSource, logger: createLogger("silent") });
    await knowledge.sync(demo);
    const [found] = await knowledge.search(demo, "set up recurring invoices", { topK: 1 });
    const before = counting.texts;
    expect(await knowledge.addLearnedQuestions(demo, articleKeyOfPassage(found!.id)!, ["can I bill my retainer clients automatically every month"])).toHaveLength(1);
    // One text for Chroma, one for the reloaded index: the passages it held kept their vectors.
    expect(counting.texts - before).toBe(2);
    const fresh = new HelpCenterKnowledge({ store: new ChromaStore(inject("chromaUrl"), counting.id), embedder: new OfflineEmbedder(), sourceFor: () => demoSource, logger: createLogger("silent") });
    await fresh.load(demo);
    for (const question of ["bill my retainer clients automatically", "reset my password", "export data to my accountant"]) {
      const [reloaded, loaded] = await Promise.all([knowledge.search(demo, question, { topK: 4 }), fresh.search(demo, question, { topK: 4 })]);
      expect(reloaded.map((passage) => [passage.id, passage.learnedQuestion]), question).toEqual(loaded.map((passage) => [passage.id, passage.learnedQuestion]));
      reloaded.forEach((passage, i) => expect(passage.confidence, question).toBeCloseTo(loaded[i]!.confidence, 5));
    }
    expect((await knowledge.search(demo, "bill my retainer clients automatically", { topK: 1 }))[0]?.learnedQuestion).toBe("can I bill my retainer clients automatically every month");
  });
});
