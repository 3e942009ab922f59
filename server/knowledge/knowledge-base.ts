// What the assistant needs from the knowledge layer, whatever stores it.
export interface Passage {
  /** The passage's stable id (`article:<id>:<n>`). */
  id: string;
  articleId: string;
  title: string;
  url: string | undefined;
  collectionId: string | undefined;
  text: string;
  /** How sure retrieval is that this passage answers the query, in [0, 1]. */
  confidence: number;
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
}

export interface ArticleView {
  articleId: string;
  title: string;
  url: string | undefined;
  passages: Array<{ id: string; headingPath: string; text: string }>;
}

export type Readiness = { ready: true } | { ready: false; reason: string };

export interface KnowledgeBase {
  search(workspaceId: string, query: string, options?: SearchOptions): Promise<Passage[]>;
  collections(workspaceId: string): Promise<HelpCenterCollection[]>;
  /** Re-syncs a workspace's Help Center now (incrementally); resolves with what changed. */
  sync(workspaceId: string): Promise<{ synced: number; unchanged: number; removed: number; skippedDrafts: number; errors: unknown[] }>;
  /** An indexed article, passage by passage in reading order, or undefined. */
  article(workspaceId: string, articleKey: string): Promise<ArticleView | undefined>;
  readiness(): Promise<Readiness>;
}
