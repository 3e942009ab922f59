// The knowledge base the assistant talks to, made of three rooms: the sync (help-center-sync.ts)
// writes each workspace's Help Center into Chroma and loads the index to match, the indexes
// (indexes.ts) hold what this instance searches, and the search (help-center-search.ts) answers
// from the index in hand. A card never starts a sync or a load: a workspace this instance has not
// loaded yet is "not loaded" (the assistant hands over honestly), as while it is first read.
import { DeadlineExceeded, withDeadline } from "../deadline.ts";
import type { Logger } from "../logger.ts";
import { learnedChunkId, type ChromaStore } from "./chroma-store.ts";
import type { Embedder } from "./embedder.ts";
import { HelpCenterSearch, viewOf } from "./help-center-search.ts";
import { HelpCenterSync } from "./help-center-sync.ts";
import { LexicalIndexes } from "./indexes.ts";
import { NotLoaded, type ArticleView, type HelpCenterCollection, type HelpCenterVersion, type IndexedLearnedQuestion, type KnowledgeBase, type LearnedFrom, type LearnedQuestionIndex, type Passage, type Readiness, type SearchOptions, type SearchQuery } from "./knowledge-base.ts";
import type { LexicalIndex } from "./lexical-index.ts";
import { embeddingText } from "./passage-text.ts";
import type { HelpCenterSource } from "./sources.ts";
import { isConversationalTerm, terms } from "./text-analysis.ts";
import type { SyncProgress, SyncSummary } from "./sync.ts";

export interface HelpCenterKnowledgeDeps {
  store: ChromaStore;
  embedder: Embedder;
  sourceFor: (workspaceId: string) => HelpCenterSource;
  logger: Logger;
  /** Told about every sync, for the Prometheus metrics. */
  onSynced?: (ok: boolean, seconds: number) => void;
  /** Up to how many passages an index holds their vectors and searches them itself (passage-vectors.ts). */
  maxHeldPassages?: number;
}

/** Longest /readyz waits for Chroma's heartbeat: a slow Chroma is reported, not waited for. */
const HEARTBEAT_BUDGET_MS = 1000;

export class HelpCenterKnowledge implements KnowledgeBase, LearnedQuestionIndex {
  private readonly indexes: LexicalIndexes;
  private readonly syncs: HelpCenterSync;
  private readonly searches: HelpCenterSearch;
  /** Loads started because a search met a workspace this instance had not loaded. */
  private readonly fetching = new Set<string>();
  /** Why the last load of a workspace not loaded failed (Chroma down, say): what its searches are told. */
  private readonly failed = new Map<string, unknown>();

  constructor(private readonly deps: HelpCenterKnowledgeDeps) {
    this.indexes = new LexicalIndexes(deps);
    this.syncs = new HelpCenterSync({ ...deps, indexes: this.indexes });
    this.searches = new HelpCenterSearch(deps);
  }

  /** Syncs a workspace's Help Center; a sync already running for it is joined, not repeated. */
  sync(workspaceId: string, onProgress?: (progress: SyncProgress) => void): Promise<SyncSummary> {
    return this.syncs.sync(workspaceId, onProgress);
  }

  /** When this instance last finished syncing the workspace (ms since the epoch), if it has. */
  syncedAt(workspaceId: string): number | undefined {
    return this.syncs.syncedAt(workspaceId);
  }

  async load(workspaceId: string): Promise<void> {
    try {
      if ((await this.indexes.load(workspaceId)).size === 0) await this.sync(workspaceId);
      this.failed.delete(workspaceId);
    } catch (error) {
      this.failed.set(workspaceId, error);
      throw error;
    }
  }

  /**
   * The index in use; a search also has it compared with Chroma in the background now and then.
   * A workspace this instance has not loaded (installed through another instance, say) is loaded
   * in the background while the search is told it is not loaded yet, or why the last load failed.
   */
  private index(workspaceId: string): LexicalIndex {
    const index = this.indexes.current(workspaceId);
    if (index) {
      this.indexes.recheck(workspaceId);
      return index;
    }
    if (!this.fetching.has(workspaceId)) {
      this.fetching.add(workspaceId);
      void this.load(workspaceId)
        .catch((error) => this.deps.logger.error({ err: error, workspaceId }, "could not load the workspace's Help Center"))
        .finally(() => this.fetching.delete(workspaceId));
    }
    throw this.failed.get(workspaceId) ?? new NotLoaded(workspaceId);
  }

  get embedderId(): string {
    return this.deps.embedder.id;
  }

  async search(workspaceId: string, query: string, options: SearchOptions = {}): Promise<Passage[]> {
    const [results] = await this.searchMany(workspaceId, [{ query, excludeArticleKeys: options.excludeArticleKeys, excludeChunkIds: options.excludeChunkIds }], options);
    return results ?? [];
  }

  async searchMany(workspaceId: string, queries: SearchQuery[], options: SearchOptions = {}): Promise<Passage[][]> {
    return this.searches.searchMany(this.index(workspaceId), workspaceId, queries, options);
  }

  async article(workspaceId: string, articleKey: string): Promise<ArticleView | undefined> {
    return viewOf(this.index(workspaceId).articleChunks(articleKey));
  }

  async articles(workspaceId: string): Promise<ArticleView[]> {
    const index = this.index(workspaceId);
    return index.articleKeys().flatMap((key) => viewOf(index.articleChunks(key)) ?? []);
  }

  async helpCenterVersion(workspaceId: string): Promise<HelpCenterVersion> {
    return this.index(workspaceId).version();
  }

  async unknownTerms(workspaceId: string, text: string): Promise<string[]> {
    const index = this.index(workspaceId);
    return [...new Set(terms(text))].filter((term) => !isConversationalTerm(term) && !index.inArticles(term));
  }

  async learnedQuestions(workspaceId: string): Promise<IndexedLearnedQuestion[]> {
    return this.index(workspaceId).learned.map((chunk) => ({
      recordId: chunk.id,
      articleKey: chunk.metadata.article_key,
      articleId: chunk.metadata.article_id,
      locale: chunk.metadata.locale,
      question: chunk.text,
      ...(chunk.metadata.paraphrase_of ? { paraphraseOf: chunk.metadata.paraphrase_of } : {}),
    }));
  }

  async collections(workspaceId: string): Promise<HelpCenterCollection[]> {
    return this.index(workspaceId).collections();
  }

  async readiness(): Promise<Readiness> {
    try {
      await withDeadline(this.deps.store.heartbeat(), HEARTBEAT_BUDGET_MS, "Chroma's heartbeat");
    } catch (error) {
      const url = this.deps.store.url;
      return { ready: false, reason: error instanceof DeadlineExceeded ? `Chroma at ${url} is not answering within ${HEARTBEAT_BUDGET_MS} ms` : `Chroma is not reachable at ${url}` };
    }
    return this.indexes.any ? { ready: true } : { ready: false, reason: "no Help Center loaded yet" };
  }

  async addLearnedQuestions(workspaceId: string, articleKey: string, questions: string[], source: LearnedFrom = "teammate", paraphraseOf?: string): Promise<string[] | undefined> {
    const first = this.index(workspaceId).articleChunks(articleKey)[0];
    if (!first) return undefined;
    const metadata = { ...first.metadata, chunk_index: -1, heading_path: "", learned: true, learned_source: source, ...(paraphraseOf ? { paraphrase_of: paraphraseOf } : {}) };
    const records = questions.map((question) => ({ id: learnedChunkId(articleKey, question), text: question, metadata }));
    const vectors = await this.deps.embedder.embedDocuments(records.map((record) => embeddingText(record.metadata, record.text)));
    await this.deps.store.upsertRecords(workspaceId, records.map((record, i) => ({ ...record, embedding: vectors[i]! })));
    // This instance reads them before the learner goes on; the others when their next check sees Chroma's count change.
    await this.indexes.load(workspaceId);
    return records.map((record) => record.id);
  }

  async removeLearnedQuestions(workspaceId: string, recordIds: string[]): Promise<void> {
    await this.deps.store.removeRecords(workspaceId, recordIds);
    await this.indexes.load(workspaceId);
  }
}
