// The knowledge base the assistant talks to: syncs each workspace's Help Center into Chroma,
// keeps a lexical index of what Chroma holds, and answers searches with both.
import { DeadlineExceeded, withDeadline } from "../deadline.ts";
import type { Logger } from "../logger.ts";
import { learnedChunkId, type ChromaStore } from "./chroma-store.ts";
import type { Embedder } from "./embedder.ts";
import type { ArticleView, HelpCenterCollection, HelpCenterVersion, IndexedLearnedQuestion, KnowledgeBase, LearnedFrom, LearnedQuestionIndex, Passage, Readiness, SearchOptions, SearchQuery } from "./knowledge-base.ts";
import { LexicalIndex } from "./lexical-index.ts";
import { embeddingText } from "./passage-text.ts";
import { denseWanted, retrieve, type RetrievedArticle } from "./retriever.ts";
import { groupBy } from "../group-by.ts";
import type { HelpCenterSource } from "./sources.ts";
import { syncSnapshot, type SyncProgress, type SyncSummary } from "./sync.ts";
import { BUILT_IN_THESAURUS, Thesaurus } from "./thesaurus.ts";
import { analysisLanguageOf } from "./text-analysis.ts";
import { withGlossary } from "./glossary.ts";
import type { StoredChunk } from "./chroma-store.ts";

export interface HelpCenterKnowledgeDeps {
  store: ChromaStore;
  embedder: Embedder;
  sourceFor: (workspaceId: string) => HelpCenterSource;
  logger: Logger;
  /** Told about every sync, for the Prometheus metrics. */
  onSynced?: (ok: boolean, seconds: number) => void;
}

const DEFAULT_LOCALE = "en";

/** How often an instance checks that its index still matches Chroma. */
const RECHECK_MS = 5000;
/** Longest a search waits for that check, and /readyz for Chroma's heartbeat: a slow Chroma is reported, not waited for. */
const CHECK_BUDGET_MS = 1000;

/** The reader's language when the Help Center is written in it, else the default language. */
function localeFor(index: LexicalIndex, requested: string | undefined): string | undefined {
  const available = index.locales();
  const language = requested?.toLowerCase().split(/[-_]/)[0];
  if (language && available.has(language)) return language;
  if (available.has(DEFAULT_LOCALE)) return DEFAULT_LOCALE;
  return undefined;
}

/**
 * One result per article, in the reader's language when the article has it: every language is
 * searched (an article the Help Center has only in English still answers a French question), and
 * an article found through any of its translations is shown in the preferred one, as likely as
 * its best match.
 */
function inPreferredLanguage(index: LexicalIndex, results: RetrievedArticle[], preferred: string | undefined): RetrievedArticle[] {
  const groups = new Map<string, RetrievedArticle[]>();
  for (const result of results) {
    const group = groups.get(result.chunk.metadata.article_id);
    if (group) group.push(result);
    else groups.set(result.chunk.metadata.article_id, [result]);
  }
  return [...groups.values()].map((group) => {
    const best = group[0]!;
    if (!preferred || best.chunk.metadata.locale === preferred) return best;
    const found = group.find((result) => result.chunk.metadata.locale === preferred);
    if (found) return { ...found, confidence: best.confidence, features: best.features, score: best.score };
    const translation = index.translationOf(best.chunk.metadata.article_id, preferred);
    return translation ? { ...best, chunk: translation } : best;
  });
}

function viewOf(chunks: StoredChunk[]): ArticleView | undefined {
  const first = chunks[0];
  if (!first) return undefined;
  const { article_key, article_id, title, description, locale, url } = first.metadata;
  return {
    articleKey: article_key,
    articleId: article_id,
    title,
    description,
    locale,
    url: url || undefined,
    passages: chunks.map((chunk) => ({ id: chunk.id, headingPath: chunk.metadata.heading_path, text: chunk.text })),
  };
}

export class HelpCenterKnowledge implements KnowledgeBase, LearnedQuestionIndex {
  private readonly indexes = new Map<string, Promise<LexicalIndex>>();
  private readonly syncs = new Map<string, Promise<SyncSummary>>();
  private readonly lastSynced = new Map<string, number>();
  private readonly lastChecked = new Map<string, number>();
  private readonly thesauri = new Map<string, Thesaurus>();
  private loaded = false;

  constructor(private readonly deps: HelpCenterKnowledgeDeps) {}

  /** Syncs a workspace's Help Center; a sync already running for it is joined, not repeated. */
  sync(workspaceId: string, onProgress?: (progress: SyncProgress) => void): Promise<SyncSummary> {
    const running = this.syncs.get(workspaceId);
    if (running) return running;
    const started = Date.now();
    const run = this.runSync(workspaceId, onProgress).finally(() => this.syncs.delete(workspaceId));
    run.then(
      () => this.deps.onSynced?.(true, (Date.now() - started) / 1000),
      () => this.deps.onSynced?.(false, (Date.now() - started) / 1000),
    );
    this.syncs.set(workspaceId, run);
    return run;
  }

  private async runSync(workspaceId: string, onProgress?: (progress: SyncProgress) => void): Promise<SyncSummary> {
    const { store, embedder, logger } = this.deps;
    const source = this.deps.sourceFor(workspaceId);
    const started = Date.now();
    const snapshot = await source.fetch();
    const held = await store.articleVersions(workspaceId);
    const summary = await syncSnapshot({ workspaceId, source: source.kind, snapshot, store, embedder, onProgress, held });
    // When nothing changed, Chroma still holds `held`; if the index in hand holds those very article
    // versions (another instance may have synced an edit), it is kept: rebuilding 10,000 passages
    // costs seconds, on every scheduled sync. Otherwise readers keep the previous index until the new
    // one is complete.
    const current = summary.synced === 0 && summary.removed === 0 ? await this.indexes.get(workspaceId)?.catch(() => undefined) : undefined;
    if (!current || !current.holds(held)) {
      this.indexes.set(workspaceId, Promise.resolve(new LexicalIndex(await store.allChunks(workspaceId), embedder)));
    }
    this.lastSynced.set(workspaceId, Date.now());
    this.loaded = true;
    logger.info({ workspaceId, source: source.kind, ...summary, errors: summary.errors.length, ms: Date.now() - started }, "help center synced");
    return summary;
  }

  /** When this instance last finished syncing the workspace (ms since the epoch), if it has. */
  syncedAt(workspaceId: string): number | undefined {
    return this.lastSynced.get(workspaceId);
  }

  /**
   * The workspace's lexical index, read from Chroma; a workspace never synced is synced first.
   * Every few seconds the index is compared with what Chroma holds, so a sync run by another app
   * instance reaches this one too.
   */
  private async index(workspaceId: string): Promise<LexicalIndex> {
    const current = this.indexes.get(workspaceId);
    const checked = this.lastChecked.get(workspaceId) ?? 0;
    if (current && !this.syncs.has(workspaceId) && Date.now() - checked > RECHECK_MS) {
      this.lastChecked.set(workspaceId, Date.now());
      const [index, held] = await Promise.all([current, withDeadline(this.deps.store.count(workspaceId), CHECK_BUDGET_MS, "counting passages").catch(() => undefined)]);
      if (held !== undefined && held !== index.size) this.indexes.delete(workspaceId);
    }
    return this.loadIndex(workspaceId);
  }

  private loadIndex(workspaceId: string): Promise<LexicalIndex> {
    let index = this.indexes.get(workspaceId);
    if (!index) {
      index = (async () => {
        const chunks = await this.deps.store.allChunks(workspaceId);
        if (chunks.length === 0) {
          await this.sync(workspaceId);
          return this.loadIndex(workspaceId);
        }
        this.loaded = true;
        return new LexicalIndex(chunks, this.deps.embedder);
      })();
      index.catch(() => this.indexes.delete(workspaceId));
      this.indexes.set(workspaceId, index);
    }
    return index;
  }

  get embedderId(): string {
    return this.deps.embedder.id;
  }

  /** The built-in thesaurus with a workspace's own groups; kept per distinct set of groups. */
  private thesaurus(extra: string[][] | undefined): Thesaurus {
    if (!extra?.length) return BUILT_IN_THESAURUS;
    const key = JSON.stringify(extra);
    let thesaurus = this.thesauri.get(key);
    if (!thesaurus) {
      if (this.thesauri.size >= 100) this.thesauri.delete(this.thesauri.keys().next().value!);
      this.thesauri.set(key, (thesaurus = Thesaurus.withExtras(extra)));
    }
    return thesaurus;
  }

  async search(workspaceId: string, query: string, options: SearchOptions = {}): Promise<Passage[]> {
    const [results] = await this.searchMany(workspaceId, [{ query, excludeArticleKeys: options.excludeArticleKeys }], options);
    return results ?? [];
  }

  async searchMany(workspaceId: string, queries: SearchQuery[], options: SearchOptions = {}): Promise<Passage[][]> {
    const index = await this.index(workspaceId);
    const thesaurus = this.thesaurus(options.synonyms);
    const locale = localeFor(index, options.locale);
    const [reader, written] = [analysisLanguageOf(options.locale), analysisLanguageOf(locale)];
    const languages = [...new Set([reader, written])];
    // A question in another language, to a Help Center with English articles, is widened with the English of its everyday words (glossary).
    const english = index.locales().has(DEFAULT_LOCALE) ? "en" : written;
    const expansions = queries.map(({ query }) => withGlossary(thesaurus.expand(query), query, reader, english));
    const vectors = index.size && queries.length ? await this.deps.embedder.embedQueries(expansions.map((expansion) => expansion.denseText), index.corpusStats(reader)) : [];
    const filters = queries.map(({ excludeArticleKeys, excludeChunkIds }) => ({ collectionIds: options.collectionIds, excludeArticleKeys, excludeChunkIds }));
    // Chroma is asked once per batch (queries wanting as many passages together), not once per query.
    const nearest: Array<Array<{ id: string; similarity: number }> | undefined> = [];
    for (const [wanted, members] of groupBy([...vectors.keys()], (i) => denseWanted(index, filters[i]))) {
      const found = await this.deps.store.nearestMany(workspaceId, members.map((i) => vectors[i]!), wanted);
      members.forEach((i, j) => (nearest[i] = found[j]));
    }
    const out: Passage[][] = [];
    for (const [i, { query }] of queries.entries()) {
      const results = await retrieve({
        workspaceId,
        query,
        index,
        store: this.deps.store,
        embedder: this.deps.embedder,
        filter: filters[i],
        // Translations of one article are grouped below: room for them.
        topK: (options.topK ?? 3) * 2,
        expansion: expansions[i],
        vector: vectors[i],
        nearest: nearest[i],
        scorer: options.scorer,
        languages,
      });
      out.push(
        inPreferredLanguage(index, results, locale)
          .slice(0, options.topK ?? 3)
          .map(({ chunk, confidence, features, learnedQuestion, learnedFrom, unaided }) => ({
            id: chunk.id,
            articleId: chunk.metadata.article_id,
            title: chunk.metadata.title,
            url: chunk.metadata.url || undefined,
            collectionId: chunk.metadata.collection_id || undefined,
            text: chunk.text,
            confidence,
            features,
            locale: chunk.metadata.locale,
            ...(learnedQuestion ? { learnedQuestion, learnedFrom } : {}),
            ...(unaided === undefined ? {} : { unaided }),
          })),
      );
    }
    return out;
  }

  async article(workspaceId: string, articleKey: string): Promise<ArticleView | undefined> {
    return viewOf((await this.index(workspaceId)).articleChunks(articleKey));
  }

  async articles(workspaceId: string): Promise<ArticleView[]> {
    const index = await this.index(workspaceId);
    return index.articleKeys().flatMap((key) => viewOf(index.articleChunks(key)) ?? []);
  }

  async helpCenterVersion(workspaceId: string): Promise<HelpCenterVersion> {
    return (await this.index(workspaceId)).version();
  }

  async learnedQuestions(workspaceId: string): Promise<IndexedLearnedQuestion[]> {
    return (await this.index(workspaceId)).learned.map((chunk) => ({
      recordId: chunk.id,
      articleKey: chunk.metadata.article_key,
      articleId: chunk.metadata.article_id,
      locale: chunk.metadata.locale,
      question: chunk.text,
    }));
  }

  async collections(workspaceId: string): Promise<HelpCenterCollection[]> {
    return (await this.index(workspaceId)).collections();
  }

  async readiness(): Promise<Readiness> {
    try {
      await withDeadline(this.deps.store.heartbeat(), CHECK_BUDGET_MS, "Chroma's heartbeat");
    } catch (error) {
      const url = this.deps.store.url;
      return { ready: false, reason: error instanceof DeadlineExceeded ? `Chroma at ${url} is not answering within ${CHECK_BUDGET_MS} ms` : `Chroma is not reachable at ${url}` };
    }
    return this.loaded ? { ready: true } : { ready: false, reason: "no Help Center loaded yet" };
  }

  async addLearnedQuestions(workspaceId: string, articleKey: string, questions: string[], source: LearnedFrom = "teammate"): Promise<string[] | undefined> {
    const index = await this.index(workspaceId);
    const first = index.articleChunks(articleKey)[0];
    if (!first) return undefined;
    const metadata = { ...first.metadata, chunk_index: -1, heading_path: "", learned: true, learned_source: source };
    const records = questions.map((question) => ({ id: learnedChunkId(articleKey, question), text: question, metadata }));
    const vectors = await this.deps.embedder.embedDocuments(records.map((record) => embeddingText(record.metadata, record.text)));
    await this.deps.store.upsertRecords(workspaceId, records.map((record, i) => ({ ...record, embedding: vectors[i]! })));
    // This instance reads them at once; the others when their next check sees Chroma's count change.
    this.indexes.delete(workspaceId);
    return records.map((record) => record.id);
  }

  async removeLearnedQuestions(workspaceId: string, recordIds: string[]): Promise<void> {
    await this.deps.store.removeRecords(workspaceId, recordIds);
    this.indexes.delete(workspaceId);
  }

  /** Makes sure a workspace is indexed, syncing it if Chroma holds nothing for it yet. */
  async warm(workspaceId: string): Promise<void> {
    await this.index(workspaceId);
  }
}
