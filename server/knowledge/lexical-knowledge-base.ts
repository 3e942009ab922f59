// A knowledge base held in memory and ranked with MiniSearch (BM25 with prefix and fuzzy
// matching, titles boosted). Each workspace gets its own index, so one tenant's query can only
// ever reach its own articles.
import MiniSearch from "minisearch";
import type { HelpCenterSnapshot } from "./help-center.ts";
import { htmlToText } from "./html-text.ts";
import type { HelpCenterCollection, KnowledgeBase, Passage, Readiness, SearchOptions } from "./knowledge-base.ts";

interface Doc {
  id: string;
  title: string;
  description: string;
  text: string;
  url: string | undefined;
  collectionId: string | undefined;
}

interface WorkspaceIndex {
  search: MiniSearch<Doc>;
  docs: Map<string, Doc>;
  collections: HelpCenterCollection[];
}

const tokenize = (text: string) => text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];

// Words that say nothing about which article is wanted; they must not count towards confidence.
const STOP_WORDS = new Set(
  "the and for are but not you your yours with this that these those from have has had was were will would can could should how what which who whom when where why does did doing done into onto about there their them they then than out our ours its it's i'm i've let get got just also very any all some more most much many may might must shall".split(" "),
);

function buildIndex(snapshot: HelpCenterSnapshot): WorkspaceIndex {
  const docs = new Map<string, Doc>();
  for (const article of snapshot.articles) {
    if (article.state !== "published") continue;
    docs.set(article.id, {
      id: article.id,
      title: article.title,
      description: article.description ?? "",
      text: htmlToText(article.body ?? ""),
      url: article.url ?? undefined,
      collectionId: article.parent_id ?? undefined,
    });
  }
  const search = new MiniSearch<Doc>({
    fields: ["title", "description", "text"],
    storeFields: [],
    tokenize,
    searchOptions: { boost: { title: 3, description: 1.5 }, prefix: true, fuzzy: 0.2, combineWith: "OR" },
  });
  search.addAll([...docs.values()]);
  return { search, docs, collections: snapshot.collections.map(({ id, name }) => ({ id, name })) };
}

export class LexicalKnowledgeBase implements KnowledgeBase {
  private readonly indexes = new Map<string, Promise<WorkspaceIndex>>();
  private loaded = false;

  /** `load` returns the Help Center of a workspace; it is called once per workspace. */
  constructor(private readonly load: (workspaceId: string) => Promise<HelpCenterSnapshot>) {}

  private index(workspaceId: string): Promise<WorkspaceIndex> {
    let index = this.indexes.get(workspaceId);
    if (!index) {
      index = this.load(workspaceId).then((snapshot) => {
        this.loaded = true;
        return buildIndex(snapshot);
      });
      index.catch(() => this.indexes.delete(workspaceId));
      this.indexes.set(workspaceId, index);
    }
    return index;
  }

  async search(workspaceId: string, query: string, options: SearchOptions = {}): Promise<Passage[]> {
    const { search, docs } = await this.index(workspaceId);
    const wanted = new Set(tokenize(query).filter((term) => term.length > 2 && !STOP_WORDS.has(term)));
    if (wanted.size === 0) return [];
    const allowed = options.collectionIds?.length ? new Set(options.collectionIds) : undefined;
    const results = search.search([...wanted].join(" "), {
      filter: allowed ? (hit) => allowed.has(docs.get(String(hit.id))?.collectionId ?? "") : undefined,
    });
    return results.slice(0, options.topK ?? 3).map((hit) => {
      const doc = docs.get(String(hit.id))!;
      return {
        articleId: doc.id,
        title: doc.title,
        url: doc.url,
        collectionId: doc.collectionId,
        text: doc.text,
        // Share of the question's words that the article contains: a coarse but honest signal.
        confidence: Math.min(1, hit.queryTerms.length / wanted.size),
      };
    });
  }

  async collections(workspaceId: string): Promise<HelpCenterCollection[]> {
    return (await this.index(workspaceId)).collections;
  }

  async readiness(): Promise<Readiness> {
    return this.loaded ? { ready: true } : { ready: false, reason: "no Help Center loaded yet" };
  }

  /** Builds a workspace's index ahead of its first question. */
  async warm(workspaceId: string): Promise<void> {
    await this.index(workspaceId);
  }
}
