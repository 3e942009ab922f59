// What the assistant needs from the knowledge layer, whatever stores it.
import type { ChunkMetadata } from "./chroma-store.ts";
import type { ConfidenceFeatures, Scorer } from "./confidence.ts";

/** The article key inside a passage id (`article:<key>:<n>`), or undefined for any other id. */
export const articleKeyOfPassage = (passageId: string): string | undefined => /^article:(.+):\d+$/.exec(passageId)?.[1];

export interface Passage {
  /** The passage's stable id (`article:<id>:<n>`). */
  id: string;
  articleId: string;
  title: string;
  url: string | undefined;
  collectionId: string | undefined;
  text: string;
  /** How sure retrieval is that this passage answers the query, in [0, 1] (the caller's scorer). */
  confidence: number;
  /** The signals the confidence was computed from, for calibration. */
  features: ConfidenceFeatures;
  /** The article's learned question (server/learning) that matches the query best, when one matched at all. */
  learnedQuestion?: string;
  /** Who taught that question. */
  learnedFrom?: LearnedFrom;
  /** The confidence the article's own passages give it, when the query names what neither its learned questions nor any article holds (see RetrievedArticle). */
  unaided?: number;
  /** The passage's language (its article's locale). */
  locale?: string;
}

export interface HelpCenterCollection {
  id: string;
  name: string;
}

export interface SearchOptions {
  /** Only search these collections; empty or absent means all of them. */
  collectionIds?: string[];
  topK?: number;
  /** The reader's language (e.g. "fr" or "fr-FR"); passages in it are preferred when the Help Center has them. */
  locale?: string;
  /** Extra synonym groups (the workspace's own) on top of the built-in support thesaurus. */
  synonyms?: string[][];
  /** Turns retrieval's signals into the probability that an article is right; ranks the results. */
  scorer?: Scorer;
  /** Articles to leave out (self-calibration's "not answerable here" cases). */
  excludeArticleKeys?: string[];
  /** Records left out of the search (a forecast leaves out the learned questions a reading taught). */
  excludeChunkIds?: string[];
}

export interface ArticleView {
  /** The indexed document: the article id, plus `@locale` for a translation. */
  articleKey: string;
  articleId: string;
  title: string;
  description: string;
  locale: string;
  url: string | undefined;
  passages: Array<{ id: string; headingPath: string; text: string }>;
}

/** Which articles, at which versions, a workspace's index holds. */
export interface HelpCenterVersion {
  /** One hash of every article's key and content hash. */
  digest: string;
  /** article key → content hash. */
  articles: Record<string, string>;
  /** How many learned questions lead to the articles. */
  learned: number;
}

/** A learned question as the index holds it: a record of its own that leads to its article. */
export interface IndexedLearnedQuestion {
  recordId: string;
  articleKey: string;
  articleId: string;
  locale: string;
  question: string;
  /** For a model's rewording: the learned question it rewords. */
  paraphraseOf?: string;
}

/** One search of many: its query, and what it leaves out (self-calibration's "not answerable here" cases). */
export interface SearchQuery {
  query: string;
  excludeArticleKeys?: string[];
  excludeChunkIds?: string[];
}

/** Who taught a learned question: a teammate's reply, or customers who confirmed the article. */
export type LearnedFrom = NonNullable<ChunkMetadata["learned_source"]>;

/** Questions the team's answers taught, indexed as records of their own that lead to their article. */
export interface LearnedQuestionIndex {
  /** Indexes the questions as leading to the article; their record ids, or undefined when the article is not indexed. */
  addLearnedQuestions(workspaceId: string, articleKey: string, questions: string[], source?: LearnedFrom, paraphraseOf?: string): Promise<string[] | undefined>;
  removeLearnedQuestions(workspaceId: string, recordIds: string[]): Promise<void>;
}

/** Asked of a workspace whose index this instance has not loaded yet (its first sync or load is running). */
export class NotLoaded extends Error {
  constructor(readonly workspaceId: string) {
    super(`the Help Center of workspace ${workspaceId} is not loaded yet`);
  }
}

export type Readiness = { ready: true } | { ready: false; reason: string };

export interface KnowledgeBase {
  search(workspaceId: string, query: string, options?: SearchOptions): Promise<Passage[]>;
  /** Many searches at once, each with its own left-out articles; query vectors are embedded in batches. */
  searchMany(workspaceId: string, queries: SearchQuery[], options?: SearchOptions): Promise<Passage[][]>;
  /** The words of a text's subject (English) that no article of the workspace holds. */
  unknownTerms(workspaceId: string, text: string): Promise<string[]>;
  /** The learned questions the index holds (every instance's: they are records in Chroma). */
  learnedQuestions(workspaceId: string): Promise<IndexedLearnedQuestion[]>;
  /** Every indexed article of the workspace (each translation on its own). */
  articles(workspaceId: string): Promise<ArticleView[]>;
  helpCenterVersion(workspaceId: string): Promise<HelpCenterVersion>;
  /** Names the embedder in use: a calibration is only valid for the embedder it was fitted with. */
  readonly embedderId: string;
  collections(workspaceId: string): Promise<HelpCenterCollection[]>;
  /**
   * Makes sure this instance has the workspace's index: read from Chroma, synced first when Chroma
   * holds nothing for it. Start-up, the sync and tools call it; a search never waits on it (it is
   * told NotLoaded instead).
   */
  load(workspaceId: string): Promise<void>;
  /** Re-syncs a workspace's Help Center now (incrementally); resolves with what changed. */
  sync(workspaceId: string): Promise<{ synced: number; unchanged: number; removed: number; skippedDrafts: number; errors: unknown[] }>;
  /** An indexed article, passage by passage in reading order, or undefined. */
  article(workspaceId: string, articleKey: string): Promise<ArticleView | undefined>;
  readiness(): Promise<Readiness>;
}
