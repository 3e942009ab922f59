// The lexical index ranks passages by the customer's words: typos forgiven, more of the question
// matched ranks higher, filters respected, and keeping only the best few never changes their order.
import { describe, expect, it } from "vitest";
import type { ChunkMetadata, StoredChunk } from "../server/knowledge/chroma-store.ts";
import { LexicalIndex } from "../server/knowledge/lexical-index.ts";
import { OfflineEmbedder } from "../server/knowledge/offline-embedder.ts";

function passage(id: string, title: string, text: string, extra: Partial<ChunkMetadata> = {}): StoredChunk {
  return {
    id: `article:${id}:0`,
    text,
    metadata: {
      workspace_id: "w",
      source: "demo",
      article_id: id,
      article_key: id,
      locale: "en",
      title,
      description: "",
      url: `https://help.example/articles/${id}`,
      collection_id: "1",
      collection_name: "General",
      parent_path: "General",
      author_id: "1",
      created_at: 0,
      updated_at: 0,
      content_hash: id,
      chunk_index: 0,
      chunk_count: 1,
      heading_path: "",
      ...extra,
    },
  };
}

const helpCenter = [
  passage("1", "Reset your password", "Click Forgot password on the sign-in page. The link is valid for one hour."),
  passage("2", "Change your plan", "Upgrades apply at once and are prorated; downgrades at the end of the billing period.", { collection_id: "2", collection_name: "Billing" }),
  passage("3", "Export your data", "Exports list invoices, payments and credit notes as CSV.", { collection_id: "2", collection_name: "Billing" }),
  passage("4", "Recurring invoices", "Create a recurring invoice for a retainer client from Invoices > Recurring."),
  passage("5", "Invoice reminders", "Invoices invoices invoices: reminders go out three days after the due date."),
  passage("6", "Changer d'offre", "Les changements d'offre sont proratisés.", { locale: "fr", article_key: "2@fr", article_id: "2" }),
];
const index = new LexicalIndex(helpCenter, new OfflineEmbedder());
const titles = (hits: ReturnType<LexicalIndex["search"]>) => hits.map((hit) => hit.chunk.metadata.title);

describe("lexical search", () => {
  it("forgives typos and word forms in the question", () => {
    expect(titles(index.search("how do I chnage my pasword"))[0]).toBe("Reset your password");
    expect(titles(index.search("exporting invoice"))[0]).toBe("Export your data");
  });

  it("counts two swapped letters as one typo, as a customer makes it", () => {
    // Levenshtein counts "exoprt" two edits from "export", more than a six-letter word is allowed.
    expect(titles(index.search("exoprt"))).toEqual(["Export your data"]);
    expect(titles(index.search("reucrring"))[0]).toBe("Recurring invoices");
  });

  it("ranks the passage that matches more of the question above one repeating a single word", () => {
    expect(titles(index.search("recurring invoices for a retainer client")).slice(0, 2)).toEqual(["Recurring invoices", "Invoice reminders"]);
  });

  it("reports the share of the question's words each passage holds", () => {
    const [best] = index.search("reset password hour banana");
    expect(best!.coverage).toBe(0.75);
  });

  it("counts what the question is about, not its conversational words", () => {
    expect(index.search("yes, I want to know more about password resets, tell me please")[0]!.coverage).toBe(1);
    expect(index.search("oui, je voudrais savoir, merci : changements d'offre", { locale: "fr" }, 50, [], ["fr"])[0]!.coverage).toBe(1);
  });

  it("keeps to the collections and language asked for", () => {
    expect(titles(index.search("invoices", { collectionIds: ["2"] }))).toEqual(["Export your data"]);
    expect(titles(index.search("proratisés", { locale: "fr" }))).toEqual(["Changer d'offre"]);
    expect(titles(index.search("proratisés", { locale: "en" }))).toEqual([]);
  });

  it("returns nothing for a question of stop words only", () => {
    expect(index.search("how do I do it")).toEqual([]);
  });

  it("returns the same best passages whatever the limit, also on a large Help Center", () => {
    const words = ["invoice", "payment", "refund", "password", "export", "plan", "team", "report", "tax", "bank"];
    const many = Array.from({ length: 3000 }, (_, i) =>
      passage(String(1000 + i), `${words[i % 10]} ${words[(i * 7) % 10]} guide ${i}`, Array.from({ length: 12 }, (_, j) => words[(i * (j + 3)) % 10]).join(" ")),
    );
    const large = new LexicalIndex(many, new OfflineEmbedder());
    const everything = large.search("refund a payment by bank transfer", {}, large.size);
    expect(everything.length).toBeGreaterThan(1000);
    for (let i = 1; i < everything.length; i++) expect(everything[i - 1]!.score).toBeGreaterThanOrEqual(everything[i]!.score);
    expect(large.search("refund a payment by bank transfer", {}, 10)).toEqual(everything.slice(0, 10));
    // A second query starts from a clean slate: nothing of the first one's scores remains.
    expect(large.search("refund a payment by bank transfer", {}, 10)).toEqual(everything.slice(0, 10));
  });
});

describe("what the team and customers teach", () => {
  // A learned question rides along with its article's passages; a customer's wording wrongly
  // learned (five contacts agreeing on the wrong article) must not reorder everyone else's.
  const learned = (articleKey: string, question: string): StoredChunk => {
    const base = passage(articleKey, "Recurring invoices", question);
    return { ...base, id: `learned:${articleKey}:1`, metadata: { ...base.metadata, learned: true, learned_source: "customers" } };
  };
  const taught = new LexicalIndex([...helpCenter, learned("4", "can the reminders be sent for my retainer invoices every month")], new OfflineEmbedder());
  const passagesOnly = (hits: ReturnType<LexicalIndex["search"]>) => hits.filter((hit) => !hit.chunk.metadata.learned).map((hit) => [hit.chunk.id, hit.score]);

  it("leaves how the Help Center's own passages score for every other question as it was", () => {
    for (const question of ["invoice reminders", "when do reminders go out", "export invoices and payments", "retainer client"]) {
      expect(passagesOnly(taught.search(question))).toEqual(passagesOnly(index.search(question)));
    }
    expect(taught.corpusStats().documents).toBe(index.corpusStats().documents);
  });

  it("still finds the learned question for its own wording", () => {
    expect(taught.search("reminders for retainer invoices every month")[0]!.chunk.metadata.learned).toBe(true);
  });

  it("finds a learned question by its own words, not by its article's title", () => {
    expect(taught.search("recurring").map((hit) => hit.chunk.id)).toEqual(["article:4:0"]);
  });
});
