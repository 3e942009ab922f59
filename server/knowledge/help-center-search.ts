// Searching a workspace's Help Center: the question widened by the thesauri and the glossary, its
// vector embedded, Chroma's nearest passages and the lexical index's best fused (retriever.ts),
// one result per article in the reader's language. Searches only the index it is given: loading
// one is never a search's job (indexes.ts).
import type { ChromaStore, StoredChunk } from "./chroma-store.ts";
import type { Embedder } from "./embedder.ts";
import { withGlossary } from "./glossary.ts";
import { groupBy } from "../group-by.ts";
import type { ArticleView, Passage, SearchOptions, SearchQuery } from "./knowledge-base.ts";
import type { LexicalIndex } from "./lexical-index.ts";
import { denseWanted, nearestPassages, retrieve, type RetrievedArticle } from "./retriever.ts";
import { analysisLanguageOf } from "./text-analysis.ts";
import { BUILT_IN_THESAURUS, Thesaurus } from "./thesaurus.ts";

const DEFAULT_LOCALE = "en";

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

export function viewOf(chunks: StoredChunk[]): ArticleView | undefined {
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

export class HelpCenterSearch {
  private readonly thesauri = new Map<string, Thesaurus>();

  constructor(private readonly deps: { store: ChromaStore; embedder: Embedder }) {}

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

  async searchMany(index: LexicalIndex, workspaceId: string, queries: SearchQuery[], options: SearchOptions = {}): Promise<Passage[][]> {
    const thesaurus = this.thesaurus(options.synonyms);
    const locale = localeFor(index, options.locale);
    const [reader, written] = [analysisLanguageOf(options.locale), analysisLanguageOf(locale)];
    const languages = [...new Set([reader, written])];
    // A question in another language, to a Help Center with English articles, is widened with the English of its everyday words (glossary).
    const english = index.locales().has(DEFAULT_LOCALE) ? "en" : written;
    const expansions = queries.map(({ query }) => withGlossary(thesaurus.expand(query), query, reader, english));
    const vectors = index.size && queries.length ? await this.deps.embedder.embedQueries(expansions.map((expansion) => expansion.denseText), index.corpusStats(reader)) : [];
    const filters = queries.map(({ excludeArticleKeys, excludeChunkIds }) => ({ collectionIds: options.collectionIds, excludeArticleKeys, excludeChunkIds }));
    // Nearest passages per batch (queries wanting as many together): Chroma, when the index holds no vectors, is asked once, not once per query.
    const nearest: Array<Array<{ id: string; similarity: number }> | undefined> = [];
    for (const [wanted, members] of groupBy([...vectors.keys()], (i) => denseWanted(index, filters[i]))) {
      const found = await nearestPassages(index, this.deps.store, workspaceId, members.map((i) => vectors[i]!), wanted);
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
}
