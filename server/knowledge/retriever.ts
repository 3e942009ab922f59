// Hybrid retrieval: BM25 passages from the lexical index and nearest passages (from the vectors the
// index holds, else from Chroma), each scaled by its own best score and added, then grouped by
// article so one article is one result.
// Each article's confidence comes from a scorer over its signals (confidence.ts; the workspace's
// calibrated model when the caller has one), and the articles are returned most confident first.
import type { ChromaStore, ChunkFilter, StoredChunk } from "./chroma-store.ts";
import { fusedScorer, type ConfidenceFeatures, type Scorer } from "./confidence.ts";
import type { Embedder } from "./embedder.ts";
import type { LexicalIndex } from "./lexical-index.ts";
import type { Nearest } from "./passage-vectors.ts";
import type { QueryExpansion } from "./thesaurus.ts";
import { isConversationalTerm, setOverlap, terms, type AnalyzedLanguage } from "./text-analysis.ts";
import type { LearnedFrom } from "./knowledge-base.ts";
import { nounTerms } from "./subject-nouns.ts";

export interface RetrievedArticle {
  chunk: StoredChunk;
  score: number;
  confidence: number;
  features: ConfidenceFeatures;
  /** The article's learned question nearest the query's wording, when one matched at all. */
  learnedQuestion?: string;
  /** Who taught it. */
  learnedFrom?: LearnedFrom;
  /**
   * When the query names something that neither the article's learned questions nor any article
   * holds: the confidence the article's own passages give it (0 when only a learned question found
   * it). A learned question vouches for its own words: "how much does it cost" taught for the
   * pricing article does not make "how much does it cost to exchange currencies" a pricing question.
   */
  unaided?: number;
}

export interface RetrievalWeights {
  lexical: number;
  dense: number;
}

export const HYBRID: RetrievalWeights = { lexical: 1, dense: 1 };
/** A learned question counts a little less than the article's own words: it is someone's paraphrase. */
export const LEARNED_WEIGHT = 0.85;

/** How many passages each side contributes before fusion. */
const CANDIDATES = 50;

interface Candidate {
  chunk: StoredChunk;
  lexical: number;
  coverage: number;
  similarity: number;
}

type Scored = Candidate & { score: number; learnedQuestion: string | undefined; learnedFrom: LearnedFrom | undefined };

/** Every field set at once: objects of one shape keep the per-card loops over them fast (a profile found a third of retrieval's own time in adding fields later). */
const withScore = (entry: Candidate, score: number): Scored => ({ chunk: entry.chunk, lexical: entry.lexical, coverage: entry.coverage, similarity: entry.similarity, score, learnedQuestion: undefined, learnedFrom: undefined });

/** How many nearest passages to ask Chroma for: a filter is applied to its answer, so more when it can exclude some. */
export function denseWanted(index: LexicalIndex, filter: ChunkFilter = {}): number {
  return Math.min(index.matcher(filter) ? CANDIDATES * 4 : CANDIDATES, index.size);
}

/** Each vector's `count` nearest passages: from the index's own vectors when it holds them, else from Chroma in one request. */
export async function nearestPassages(index: LexicalIndex, store: ChromaStore, workspaceId: string, vectors: number[][], count: number): Promise<Nearest[][]> {
  const held = index.vectors;
  return held ? vectors.map((vector) => held.nearest(vector, count)) : store.nearestMany(workspaceId, vectors, count);
}

export async function retrieve(options: {
  workspaceId: string;
  query: string;
  index: LexicalIndex;
  store: ChromaStore;
  embedder: Embedder;
  filter?: ChunkFilter;
  topK?: number;
  weights?: RetrievalWeights;
  /** Thesaurus expansions of the query (lexical terms and the text to embed). */
  expansion?: QueryExpansion;
  /** The query's vector when the caller embedded it already (self-calibration embeds in batches). */
  vector?: number[];
  /** Chroma's nearest passages to that vector when the caller asked already, `denseWanted` of them. */
  nearest?: Array<{ id: string; similarity: number }>;
  /** How confident each article is; ranks the final list. Without one, the fused score ranks it. */
  scorer?: Scorer;
  /** "confidence" (the default) or the raw fused "score", to measure a single ranker on its own. */
  order?: "confidence" | "score";
  /** The languages the question's words are analysed in (English by default). */
  languages?: AnalyzedLanguage[];
}): Promise<RetrievedArticle[]> {
  const { index, weights = HYBRID, filter = {}, scorer = fusedScorer } = options;
  if (index.size === 0 || !options.query.trim()) return [];
  const candidates = new Map<string, Candidate>();
  const candidate = (chunk: StoredChunk) => {
    let entry = candidates.get(chunk.id);
    if (!entry) candidates.set(chunk.id, (entry = { chunk, lexical: 0, coverage: 0, similarity: 0 }));
    return entry;
  };

  for (const hit of index.search(options.query, filter, CANDIDATES, options.expansion?.lexical, options.languages)) Object.assign(candidate(hit.chunk), { lexical: hit.score, coverage: hit.coverage });
  if (weights.dense > 0) {
    const vector = options.vector ?? (await options.embedder.embedQuery(options.expansion?.denseText ?? options.query, index.corpusStats(options.languages?.[0])));
    const accepts = index.matcher(filter);
    const nearest = options.nearest ?? (await nearestPassages(index, options.store, options.workspaceId, [vector], denseWanted(index, filter)))[0]!;
    let taken = 0;
    for (const hit of nearest) {
      // The index holds every passage's text; one Chroma has but this instance has not yet loaded is skipped.
      const chunk = index.chunk(hit.id);
      if (!chunk || (accepts && !accepts(chunk))) continue;
      candidate(chunk).similarity = hit.similarity;
      if (++taken === CANDIDATES) break;
    }
  }

  const all = [...candidates.values()];
  const maxLexical = Math.max(0, ...all.map((entry) => entry.lexical)) || 1;
  const maxDense = Math.max(0, ...all.map((entry) => entry.similarity)) || 1;
  const bestByArticle = new Map<string, Scored>();
  const bestSimilarity = new Map<string, { articleId: string; similarity: number }>();
  const bestPassage = new Map<string, Scored>();
  const bestLearned = new Map<string, { text: string; score: number; overlap: number; from: LearnedFrom }>();
  let queryTerms: Set<string> | undefined;
  for (const entry of all) {
    const fused = (weights.lexical * entry.lexical) / maxLexical + (weights.dense * Math.max(0, entry.similarity)) / maxDense;
    const learned = entry.chunk.metadata.learned === true;
    const score = learned ? fused * LEARNED_WEIGHT : fused;
    const key = entry.chunk.metadata.article_key;
    const best = bestByArticle.get(key);
    if (!best || score > best.score) bestByArticle.set(key, withScore(entry, score));
    if (!learned && score > (bestPassage.get(key)?.score ?? -1)) bestPassage.set(key, withScore(entry, score));
    if (learned) {
      // The article's learned question nearest the customer's wording (the best scored among equals).
      const questionTerms = index.questionTerms(entry.chunk.id)!;
      const overlap = setOverlap((queryTerms ??= new Set(terms(options.query))), questionTerms);
      const held = bestLearned.get(key);
      if (!held || overlap > held.overlap || (overlap === held.overlap && score > held.score)) bestLearned.set(key, { text: entry.chunk.metadata.paraphrase_of ?? entry.chunk.text, score, overlap, from: entry.chunk.metadata.learned_source ?? "teammate" });
    }
    bestSimilarity.set(key, { articleId: entry.chunk.metadata.article_id, similarity: Math.max(bestSimilarity.get(key)?.similarity ?? 0, entry.similarity) });
  }
  // An article found through a learned question answers with its own text: its best passage among
  // the candidates, else its first.
  for (const [key, best] of bestByArticle) {
    best.learnedQuestion = bestLearned.get(key)?.text;
    best.learnedFrom = bestLearned.get(key)?.from;
    if (best.chunk.metadata.learned) best.chunk = bestPassage.get(key)?.chunk ?? index.articleChunks(key)[0] ?? best.chunk;
  }
  const ranked = [...bestByArticle.values()].sort((a, b) => b.score - a.score);
  // An article's rivals are the other articles: its own translations give the same answer, so a
  // French question whose article also exists in English does not look less sure for it.
  const similarities = [...bestSimilarity.values()].sort((a, b) => b.similarity - a.similarity);
  const language = options.languages?.[0] ?? "en";
  // What the query names: in English its nouns; in other languages every word of its subject.
  const named = () => [...(language === "en" ? nounTerms(options.query) : new Set(terms(options.query, language)))].filter((term) => !isConversationalTerm(term, language) && !index.inArticles(term));
  let unknown: string[] | undefined;
  const excluded = filter.excludeChunkIds?.length ? new Set(filter.excludeChunkIds) : undefined;
  let subject: string[] | undefined;
  // The share of the question's subject that customers already used for the article, each word
  // weighed by how few articles' customers use it: a new wording of a taught need meets its words
  // spread over several of the article's learned questions, not all in one.
  const vocabularyShare = (vocabulary: ReadonlySet<string>) => {
    if (!vocabulary.size) return 0;
    subject ??= [...new Set(terms(options.query, language))].filter((term) => !isConversationalTerm(term, language));
    let met = 0;
    let all = 0;
    for (const term of subject) {
      const weight = index.taughtWeight(term);
      all += weight;
      if (vocabulary.has(term)) met += weight;
    }
    return all ? met / all : 0;
  };
  const scored = ranked.slice(0, CANDIDATES).map((entry) => {
    const key = entry.chunk.metadata.article_key;
    const articleId = entry.chunk.metadata.article_id;
    const rival = ranked.find((other) => other.chunk.metadata.article_id !== articleId);
    const otherSimilarity = similarities.find((other) => other.articleId !== articleId)?.similarity ?? 0;
    const featuresOf = (found: Candidate & { score: number }, similarity: number, learned: number): ConfidenceFeatures => ({
      similarity: found.similarity,
      coverage: found.coverage,
      margin: found.score - (rival?.score ?? 0),
      similarityGap: similarity - otherSimilarity,
      lexicalStrength: Math.log1p(found.lexical),
      fused: found.score,
      learned,
    });
    const vocabulary = index.taughtVocabulary(key, excluded);
    const features = featuresOf(entry, bestSimilarity.get(key)?.similarity ?? 0, Math.max(bestLearned.get(key)?.overlap ?? 0, vocabularyShare(vocabulary)));
    const taught = vocabulary.size ? vocabulary : undefined;
    const vouched = !taught || (unknown ??= named()).every((term) => taught.has(term));
    const own = bestPassage.get(key);
    const unaided = vouched ? undefined : own ? scorer(featuresOf(own, own.similarity, 0)) : 0;
    return {
      chunk: entry.chunk,
      score: entry.score,
      confidence: scorer(features),
      features,
      ...(entry.learnedQuestion ? { learnedQuestion: entry.learnedQuestion, learnedFrom: entry.learnedFrom } : {}),
      ...(unaided === undefined ? {} : { unaided }),
    };
  });
  // The calibrated confidence also weighs how much of the question a passage covers, so it orders
  // the final list better than the raw fused score.
  if (options.order !== "score") scored.sort((a, b) => b.confidence - a.confidence || b.score - a.score);
  return scored.slice(0, options.topK ?? 3);
}
