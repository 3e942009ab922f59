// The lexical half of retrieval: BM25+ over a workspace's passages (stemming and stop words from
// text-analysis, typo tolerance and prefixes, titles and headings boosted). It is built from what
// Chroma holds, so every app instance that reads the same Chroma ranks the same way.
//
// The scoring is MiniSearch's (same BM25+ parameters, field boosts, prefix and fuzzy weights, and
// the bonus for matching more of the question's terms), and MiniSearch's radix tree expands query
// terms to their prefixes and near spellings. What is ours is the scoring loop: MiniSearch builds
// a result object for every matching passage and sorts them all, which at 10,000 passages costs
// ~20 ms for a question with common words; here each term's per-passage score is computed once
// at build time into flat arrays, a query adds them into one reusable buffer, and only the best
// `limit` passages are kept (well under a millisecond).
import { createHash } from "node:crypto";
import SearchableMap from "minisearch/SearchableMap";
import type { ArticleVersion, ChunkFilter, StoredChunk } from "./chroma-store.ts";
import type { CorpusStats, Embedder } from "./embedder.ts";
import { searchableText } from "./html-text.ts";
import { analysisLanguageOf, isConversationalTerm, isStopWord, terms, WORD, words, type AnalyzedLanguage } from "./text-analysis.ts";
import { embeddingText } from "./passage-text.ts";
import type { QueryExpansion } from "./thesaurus.ts";
import type { PassageVectors } from "./passage-vectors.ts";

export interface LexicalOptions {
  /** Stemmed content words (default) or plain lower-case words (the baseline). */
  analyzer: "stemmed" | "plain";
  /** Edit-distance tolerance, as a fraction of term length; 0 turns typo tolerance off. */
  fuzzy: number;
  prefix: boolean;
}

export const DEFAULT_LEXICAL: LexicalOptions = { analyzer: "stemmed", fuzzy: 0.2, prefix: true };

export interface LexicalHit {
  chunk: StoredChunk;
  score: number;
  /** Share of the query's subject terms (not its conversational words) that appear in the passage, its title or headings. */
  coverage: number;
}

const FIELDS = ["title", "description", "headings", "text"] as const;
const BOOST: Record<(typeof FIELDS)[number], number> = { title: 2, description: 1, headings: 1.5, text: 1 };
const BM25 = { k: 1.2, b: 0.7, d: 0.5 };
const WEIGHT = { prefix: 0.375, fuzzy: 0.45 };
const MAX_EDIT_DISTANCE = 6;
const MIN_SWAPPED_LENGTH = 5;
/** Query terms are tracked as bits of one 32-bit word; a question never needs more. */
const MAX_QUERY_TERMS = 32;
/** A thesaurus expansion weighs less than a word the customer wrote. */
const SYNONYM_WEIGHT = 0.5;

/** One term's passages (ascending) and, for each, its BM25+ score summed over the boosted fields. */
interface Postings {
  docs: Int32Array;
  scores: Float64Array;
}

const bm25 = (termFrequency: number, documentFrequency: number, documents: number, fieldLength: number, averageLength: number) =>
  Math.log(1 + (documents - documentFrequency + 0.5) / (documentFrequency + 0.5)) *
  (BM25.d + (termFrequency * (BM25.k + 1)) / (termFrequency + BM25.k * (1 - BM25.b + (BM25.b * fieldLength) / (averageLength || 1))));

/** term → per field: the passages holding it (ascending) and how often. */
type Occurrences = Map<string, Array<{ docs: number[]; frequencies: number[] }>>;

/** The term with each pair of neighbouring letters swapped. */
function* transpositions(term: string): Generator<string> {
  for (let i = 0; i + 1 < term.length; i++) yield term.slice(0, i) + term[i + 1] + term[i] + term.slice(i + 2);
}

/** A collection's size and average field lengths, which BM25 weighs a record's terms by. */
function statisticsOf(fieldLengths: Float64Array[], counted: (doc: number) => boolean) {
  let count = 0;
  for (let doc = 0; doc < fieldLengths[0]!.length; doc++) if (counted(doc)) count++;
  return { count, averages: fieldLengths.map((lengths) => lengths.reduce((sum, length, doc) => (counted(doc) ? sum + length : sum), 0) / (count || 1)) };
}

/**
 * Each term's passages with their BM25+ scores summed over the boosted fields. A passage is weighed
 * by the Help Center's statistics alone, so a learned question never moves how the articles rank
 * for other questions (a question learned wrongly changes only the wordings near it). A learned
 * question is weighed among all records: the words customers put in every question ("does") weigh
 * little in it, as the other learned questions show.
 */
function* postingsOf(occurrences: Occurrences, fieldLengths: Float64Array[], isLearned: (doc: number) => boolean): Generator<[string, Postings]> {
  const helpCenter = statisticsOf(fieldLengths, (doc) => !isLearned(doc));
  const everything = statisticsOf(fieldLengths, () => true);
  for (const [term, perField] of occurrences) {
    const byDoc = new Map<number, number>();
    perField.forEach(({ docs, frequencies }, f) => {
      const boost = BOOST[FIELDS[f]!];
      let inHelpCenter = 0;
      for (const doc of docs) if (!isLearned(doc)) inHelpCenter++;
      docs.forEach((doc, i) => {
        const [statistics, documentFrequency] = isLearned(doc) ? [everything, docs.length] : [helpCenter, inHelpCenter];
        byDoc.set(doc, (byDoc.get(doc) ?? 0) + boost * bm25(frequencies[i]!, documentFrequency, statistics.count, fieldLengths[f]![doc]!, statistics.averages[f]!));
      });
    });
    const docs = Int32Array.from([...byDoc.keys()].sort((a, b) => a - b));
    yield [term, { docs, scores: Float64Array.from(docs, (doc) => byDoc.get(doc)!) }];
  }
}

const bitCount = (bits: number) => {
  let count = 0;
  for (let rest = bits; rest; rest &= rest - 1) count++;
  return count;
};

export class LexicalIndex {
  private readonly docs: StoredChunk[] = [];
  private readonly numbers = new Map<string, number>();
  private readonly vocabulary = new SearchableMap<Postings>();
  private readonly featureFrequency = new Map<number, number>();
  private readonly analyze: (text: string, language: AnalyzedLanguage) => string[];
  private readonly byArticle = new Map<string, StoredChunk[]>();
  private readonly localeSet = new Set<string>();
  private readonly learnedChunks: StoredChunk[] = [];
  /** Each learned question's distinct terms, analysed once: every search compares the customer's with them. */
  private readonly learnedTerms = new Map<string, ReadonlySet<string>>();
  /** Each article's learned questions. */
  private readonly learnedOf = new Map<string, StoredChunk[]>();
  /** Each article's taught vocabulary, made on first use. */
  private readonly vocabularies = new Map<string, ReadonlySet<string>>();
  /** Per term: how many articles' learned questions use it. */
  private readonly taughtArticles = new Map<string, number>();
  /** Terms more than half of the articles hold. */
  private readonly common = new Set<string>();
  /** Terms some article holds. */
  private readonly articleTerms = new Set<string>();
  private readonly collectionList: Array<{ id: string; name: string }>;
  // Scratch space for one query at a time (search is synchronous, so it is never shared).
  private readonly scores: Float64Array;
  private readonly matched: Uint32Array;
  private readonly exact: Uint32Array;

  constructor(
    chunks: StoredChunk[],
    embedder: Embedder,
    private readonly options: LexicalOptions = DEFAULT_LEXICAL,
    /** The passages' vectors when the Help Center is small enough to search them here (passage-vectors.ts); else Chroma is asked. */
    readonly vectors?: PassageVectors,
  ) {
    this.analyze = options.analyzer === "stemmed" ? terms : (text) => words(text);
    const fieldLengths = FIELDS.map(() => new Float64Array(chunks.length));
    const occurrences: Occurrences = new Map();
    const collections = new Map<string, string>();
    for (const chunk of chunks) {
      if (this.numbers.has(chunk.id)) continue;
      const doc = this.docs.length;
      this.docs.push(chunk);
      this.numbers.set(chunk.id, doc);
      const { title, description, heading_path: headings, article_key, locale, collection_id, collection_name } = chunk.metadata;
      // A learned question is searched by its own words: with its article's title and description
      // beside them, every article with many learned questions would meet more questions on its
      // title's words than its own passages do, and push other articles out of a choice.
      const fields = chunk.metadata.learned ? { title: "", description: "", headings: "", text: searchableText(chunk.text) } : { title, description, headings, text: searchableText(chunk.text) };
      // Each passage in its own language: a French translation is stemmed as French.
      const language = analysisLanguageOf(locale);
      FIELDS.forEach((field, f) => (fieldLengths[f]![doc] = this.countTerms(fields[field], language, doc, f, occurrences)));
      const features = embedder.features?.(embeddingText(chunk.metadata, chunk.text));
      // Learned questions stay out of the dense side's feature frequencies too: a question learned
      // must not reweigh the words of every other question (see postingsOf).
      if (!chunk.metadata.learned) for (const feature of new Set(features ?? [])) this.featureFrequency.set(feature, (this.featureFrequency.get(feature) ?? 0) + 1);
      // A learned question is searched like a passage but is not one of its article's passages.
      const siblings = this.byArticle.get(article_key);
      if (chunk.metadata.learned) {
        this.learnedChunks.push(chunk);
        this.learnedTerms.set(chunk.id, new Set(terms(chunk.text)));
        const taught = this.learnedOf.get(article_key);
        if (taught) taught.push(chunk);
        else this.learnedOf.set(article_key, [chunk]);
      }
      else if (siblings) siblings.push(chunk);
      else this.byArticle.set(article_key, [chunk]);
      this.localeSet.add(locale);
      if (collection_id && !collections.has(collection_id)) collections.set(collection_id, collection_name);
    }
    for (const siblings of this.byArticle.values()) siblings.sort((a, b) => a.metadata.chunk_index - b.metadata.chunk_index);
    this.collectionList = [...collections].map(([id, name]) => ({ id, name })).sort((a, b) => a.name.localeCompare(b.name));
    // Each passage's article as a number (a learned question: none), to count a term's articles without allocating.
    const articleNumbers = new Map([...this.byArticle.keys()].map((key, i) => [key, i]));
    const articleOf = Int32Array.from(this.docs, (chunk) => (chunk.metadata.learned ? -1 : articleNumbers.get(chunk.metadata.article_key)!));
    const lastCounted = new Int32Array(articleNumbers.size).fill(-1);
    let termNumber = 0;
    for (const [term, postings] of postingsOf(occurrences, fieldLengths, (doc) => articleOf[doc]! < 0)) {
      this.vocabulary.set(term, postings);
      let articles = 0;
      for (const doc of postings.docs) {
        const article = articleOf[doc]!;
        if (article >= 0 && lastCounted[article] !== termNumber) {
          lastCounted[article] = termNumber;
          articles++;
        }
      }
      termNumber++;
      if (articles > 0) this.articleTerms.add(term);
      // Past half, a term's Robertson–Spärck Jones weight turns negative: it marks the articles that lack it.
      if (articles * 2 > articleNumbers.size) this.common.add(term);
    }
    for (const questions of this.learnedOf.values()) {
      for (const term of new Set(questions.flatMap((chunk) => [...this.learnedTerms.get(chunk.id)!]))) this.taughtArticles.set(term, (this.taughtArticles.get(term) ?? 0) + 1);
    }
    this.scores = new Float64Array(this.docs.length);
    this.matched = new Uint32Array(this.docs.length);
    this.exact = new Uint32Array(this.docs.length);
  }

  /** Records how often each term occurs in one field of one passage; returns the field's length (distinct terms, as MiniSearch counts it). */
  private countTerms(text: string, language: AnalyzedLanguage, doc: number, field: number, occurrences: Occurrences): number {
    const counts = new Map<string, number>();
    for (const term of this.analyze(text, language)) counts.set(term, (counts.get(term) ?? 0) + 1);
    for (const [term, frequency] of counts) {
      let perField = occurrences.get(term);
      if (!perField) occurrences.set(term, (perField = FIELDS.map(() => ({ docs: [], frequencies: [] }))));
      perField[field]!.docs.push(doc);
      perField[field]!.frequencies.push(frequency);
    }
    return counts.size;
  }

  get size(): number {
    return this.docs.length;
  }

  /** The records that are learned questions. */
  get learned(): readonly StoredChunk[] {
    return this.learnedChunks;
  }

  /** What an embedder may weigh a query by: feature document frequencies, and the words most articles hold (`language`: the query's). */
  corpusStats(language: AnalyzedLanguage = "en"): CorpusStats {
    return {
      documents: this.docs.length - this.learnedChunks.length,
      frequency: (feature) => this.featureFrequency.get(feature) ?? 0,
      withoutCommonWords: (text) => {
        if (!this.common.size) return text;
        let subject = false;
        const kept = text.replace(WORD, (word) => {
          const [term] = terms(word, language);
          if (term !== undefined && this.common.has(term)) return "";
          if (term !== undefined) subject = true;
          return word;
        });
        // A question made only of them ("Acme?") keeps them.
        return subject ? kept.replace(/\s+/g, " ").trim() : text;
      },
    };
  }

  /** Whether some article holds the term (a learned question does not count). */
  inArticles(term: string): boolean {
    return this.articleTerms.has(term);
  }

  /** A learned question's distinct terms (`terms`), or undefined for any other record. */
  questionTerms(id: string): ReadonlySet<string> | undefined {
    return this.learnedTerms.get(id);
  }

  /** How telling a word of the customers' is: rarer among the articles' learned questions, more (inverse document frequency over articles). */
  taughtWeight(term: string): number {
    return Math.log(1 + this.learnedOf.size / (1 + (this.taughtArticles.get(term) ?? 0)));
  }

  /**
   * The distinct terms of an article's learned questions, but those left out by record id (as
   * self-calibration leaves a question out). A filter's collections, locale and articles need no
   * check here: a learned question carries its article's.
   */
  taughtVocabulary(articleKey: string, excluded?: ReadonlySet<string>): ReadonlySet<string> {
    const whole = !excluded && this.vocabularies.get(articleKey);
    if (whole) return whole;
    const vocabulary = new Set<string>();
    for (const chunk of this.learnedOf.get(articleKey) ?? []) if (!excluded?.has(chunk.id)) for (const term of this.learnedTerms.get(chunk.id)!) vocabulary.add(term);
    if (!excluded) this.vocabularies.set(articleKey, vocabulary);
    return vocabulary;
  }

  chunk(id: string): StoredChunk | undefined {
    const doc = this.numbers.get(id);
    return doc === undefined ? undefined : this.docs[doc];
  }

  /** An article's passages in reading order. */
  articleChunks(articleKey: string): StoredChunk[] {
    return this.byArticle.get(articleKey) ?? [];
  }

  /** An article's first passage in a locale (the article itself, or its translation), if it has one. */
  translationOf(articleId: string, locale: string): StoredChunk | undefined {
    for (const key of [articleId, `${articleId}@${locale}`]) {
      const first = this.byArticle.get(key)?.[0];
      if (first?.metadata.locale === locale) return first;
    }
    return undefined;
  }

  /** Whether the index holds exactly these articles at these versions (with all their passages). */
  holds(versions: ReadonlyMap<string, ArticleVersion>): boolean {
    if (versions.size !== this.byArticle.size) return false;
    for (const [key, version] of versions) {
      const passages = this.byArticle.get(key);
      if (passages?.length !== version.chunkCount || passages[0]!.metadata.content_hash !== version.contentHash) return false;
    }
    return true;
  }

  articleKeys(): string[] {
    return [...this.byArticle.keys()];
  }

  /** The articles held and their content hashes, with one digest of them all. */
  version(): { digest: string; articles: Record<string, string>; learned: number } {
    const articles: Record<string, string> = {};
    for (const key of [...this.byArticle.keys()].sort()) articles[key] = this.byArticle.get(key)![0]!.metadata.content_hash;
    return { digest: createHash("sha256").update(JSON.stringify(articles)).digest("hex").slice(0, 16), articles, learned: this.learnedChunks.length };
  }

  locales(): ReadonlySet<string> {
    return this.localeSet;
  }

  collections(): Array<{ id: string; name: string }> {
    return this.collectionList;
  }

  /** Whether a passage passes a filter; a filter that can exclude nothing here is `undefined`. */
  matcher(filter: ChunkFilter): ((chunk: StoredChunk) => boolean) | undefined {
    const collections = filter.collectionIds?.length ? new Set(filter.collectionIds) : undefined;
    const locale = filter.locale && (this.localeSet.size > 1 || !this.localeSet.has(filter.locale)) ? filter.locale : undefined;
    const excluded = filter.excludeArticleKeys?.length ? new Set(filter.excludeArticleKeys) : undefined;
    const excludedChunks = filter.excludeChunkIds?.length ? new Set(filter.excludeChunkIds) : undefined;
    if (!collections && !locale && !excluded && !excludedChunks) return undefined;
    return (chunk) =>
      (!collections || collections.has(chunk.metadata.collection_id)) &&
      (!locale || chunk.metadata.locale === locale) &&
      (!excluded || !excluded.has(chunk.metadata.article_key)) &&
      (!excludedChunks || !excludedChunks.has(chunk.id));
  }

  /** The query's terms with the vocabulary terms they reach, each with its weight. */
  private expansions(term: string): Array<{ postings: Postings; weight: number; exact: boolean }> {
    const out: Array<{ postings: Postings; weight: number; exact: boolean }> = [];
    const own = this.vocabulary.get(term);
    if (own) out.push({ postings: own, weight: 1, exact: true });
    const prefixed = new Set<string>();
    if (this.options.prefix) {
      for (const [other, postings] of this.vocabulary.atPrefix(term)) {
        const distance = other.length - term.length;
        if (!distance) continue;
        prefixed.add(other);
        out.push({ postings, weight: (WEIGHT.prefix * other.length) / (other.length + 0.3 * distance), exact: false });
      }
    }
    const maxDistance = Math.min(MAX_EDIT_DISTANCE, Math.round(term.length * this.options.fuzzy));
    if (maxDistance > 0) {
      const near = new Map<string, { postings: Postings; distance: number }>();
      for (const [other, [postings, distance]] of this.vocabulary.fuzzyGet(term, maxDistance)) if (distance && !prefixed.has(other)) near.set(other, { postings, distance });
      // Two neighbouring letters swapped ("langauge") is one slip of the fingers, not the two edits
      // Levenshtein counts. In a short word a swap makes another word ("pai" / "api", "won" / "own").
      for (const swapped of term.length >= MIN_SWAPPED_LENGTH ? transpositions(term) : []) {
        const postings = swapped === term ? undefined : this.vocabulary.get(swapped);
        if (postings) near.set(swapped, { postings, distance: 1 });
      }
      for (const [other, { postings, distance }] of near) out.push({ postings, weight: (WEIGHT.fuzzy * other.length) / (other.length + distance), exact: false });
    }
    return out;
  }

  /**
   * `languages`: those the question's words are analysed in: its reader's first, and the passages'
   * when they differ, so names and shared words like "Stripe" or "PayPal" still meet. The other
   * languages analyse only the words the first keeps, so its stop words ("wie", "ich") are not
   * counted as words the question asks about.
   */
  search(query: string, filter: ChunkFilter = {}, limit = 50, expansion: QueryExpansion["lexical"] = [], languages: AnalyzedLanguage[] = ["en"]): LexicalHit[] {
    const [first = "en", ...others] = languages;
    const content = others.length ? words(query).filter((word) => !isStopWord(word, first)).join(" ") : "";
    const queryTerms = [...new Set([...this.analyze(query, first), ...others.flatMap((language) => this.analyze(content, language))])].slice(0, MAX_QUERY_TERMS);
    if (queryTerms.length === 0 || limit <= 0) return [];
    const { scores, matched, exact } = this;
    const touched: number[] = [];
    const own = (1 << queryTerms.length) - 1 || -1;
    // A synonym counts as the query term it stands for; one standing for nothing gets a bit of its own.
    const searched: Array<{ term: string; bit: number; weight: number }> = queryTerms.map((term, t) => ({ term, bit: 1 << t, weight: 1 }));
    let spare = queryTerms.length;
    for (const { term, standsFor } of expansion) {
      const t = standsFor === undefined ? -1 : queryTerms.indexOf(standsFor);
      if (t < 0 && spare >= MAX_QUERY_TERMS) continue;
      searched.push({ term, bit: t >= 0 ? 1 << t : 1 << spare++, weight: SYNONYM_WEIGHT });
    }
    for (const { term, bit, weight: termWeight } of searched) {
      for (const { postings, weight, exact: isExact } of this.expansions(term)) {
        for (let i = 0; i < postings.docs.length; i++) {
          const doc = postings.docs[i]!;
          if (matched[doc] === 0) touched.push(doc);
          scores[doc]! += termWeight * weight * postings.scores[i]!;
          matched[doc]! |= bit;
          if (isExact) exact[doc]! |= bit;
        }
      }
    }

    // Passages matching more of the question's terms are worth more (MiniSearch's "quality").
    const accepts = this.matcher(filter);
    const best: Array<{ doc: number; score: number }> = [];
    for (const doc of touched) {
      const score = scores[doc]! * bitCount(matched[doc]!);
      const worst = best[best.length - 1];
      if (best.length === limit && (score < worst!.score || (score === worst!.score && doc > worst!.doc))) continue;
      if (accepts && !accepts(this.docs[doc]!)) continue;
      let at = best.length;
      while (at > 0 && (best[at - 1]!.score < score || (best[at - 1]!.score === score && best[at - 1]!.doc > doc))) at--;
      best.splice(at, 0, { doc, score });
      if (best.length > limit) best.pop();
    }
    // Coverage is of what the question is about: its conversational words ("yes", "I want to know")
    // would make a short question look half unanswered. A question made only of them keeps them all.
    let subject = own;
    queryTerms.forEach((term, t) => {
      if (languages.some((language) => isConversationalTerm(term, language))) subject &= ~(1 << t);
    });
    if (subject === 0) subject = own;
    const hits = best.map(({ doc, score }) => ({ chunk: this.docs[doc]!, score, coverage: bitCount(exact[doc]! & subject) / bitCount(subject) }));
    for (const doc of touched) {
      scores[doc] = 0;
      matched[doc] = 0;
      exact[doc] = 0;
    }
    return hits;
  }
}
