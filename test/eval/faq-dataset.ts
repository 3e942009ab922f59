// The evaluation data (../shared/datasets) as the app sees a Help Center: the FAQ documents wrapped
// as Intercom articles, with the dev questions and the off-topic BANKING77 rows beside them.
import { marked } from "marked";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { HelpCenterSnapshot } from "../../server/knowledge/help-center.ts";

export interface FaqDataset {
  dir: string;
  docs: Array<{ id: string; title: string; body: string; collection: string }>;
  queries: Array<{ query: string; doc_id: string }>;
  intents: Array<{ text: string; source: string; intent: string; needs_human: boolean }>;
  /** The intents rows from BANKING77: questions (and some requests) no FAQ document answers. */
  offTopic: FaqDataset["intents"];
  snapshot: HelpCenterSnapshot;
}

export function loadFaqDataset(dir: string): FaqDataset | undefined {
  if (!existsSync(path.join(dir, "faq-docs.jsonl"))) return undefined;
  const jsonl = <T>(file: string): T[] =>
    readFileSync(path.join(dir, file), "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as T);
  const docs = jsonl<FaqDataset["docs"][number]>("faq-docs.jsonl");
  const intents = jsonl<FaqDataset["intents"][number]>("intents.dev.jsonl");
  return {
    dir,
    docs,
    queries: jsonl("faq-queries.dev.jsonl"),
    intents,
    offTopic: intents.filter((row) => row.source.startsWith("banking77")),
    snapshot: {
      collections: [{ id: "1", name: docs[0]?.collection ?? "FAQ" }],
      articles: docs.map((doc, i) => ({
        id: doc.id,
        title: doc.title,
        body: marked.parse(doc.body, { async: false }),
        state: "published" as const,
        created_at: 1_700_000_000 + i,
        updated_at: 1_700_000_000 + i,
        url: `https://faq.example/${doc.id}`,
        parent_id: "1",
      })),
    } as HelpCenterSnapshot,
  };
}
