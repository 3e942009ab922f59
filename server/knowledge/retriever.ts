// Hybrid retrieval: BM25 passages from the lexical index and nearest passages from Chroma, each
// scaled by its own best score and added, then grouped by article so one article is one result.
// Each article's confidence comes from a logistic model over the signals (see confidence.ts), and
// the articles are returned most confident first.
import type { ChromaStore, ChunkFilter, StoredChunk } from "./chroma-store.ts";
import { confidenceOf, type ConfidenceFeatures } from "./confidence.ts";
import type { Embedder } from "./embedder.ts";
import type { LexicalIndex } from "./lexical-index.ts";

export interface RetrievedArticle {
  chunk: StoredChunk;
  score: number;
  confidence: number;
  features: ConfidenceFeatures;
}

export interface RetrievalWeights {
  lexical: number;
  dense: number;
}

export const HYBRID: RetrievalWeights = { lexical: 1, dense: 1 };

/** How many passages each side contributes before fusion. */
const CANDIDATES = 50;

interface Candidate {
  chunk: StoredChunk;
  lexical: number;
  coverage: number;
  similarity: number;
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
  /** "confidence" (the default) or the raw fused "score", to measure a single ranker on its own. */
  order?: "confidence" | "score";
}): Promise<RetrievedArticle[]> {
  const { index, weights = HYBRID, filter = {} } = options;
  if (index.size === 0 || !options.query.trim()) return [];
  const candidates = new Map<string, Candidate>();
  const candidate = (chunk: StoredChunk) => {
    let entry = candidates.get(chunk.id);
    if (!entry) candidates.set(chunk.id, (entry = { chunk, lexical: 0, coverage: 0, similarity: 0 }));
    return entry;
  };

  for (const hit of index.search(options.query, filter, CANDIDATES)) Object.assign(candidate(hit.chunk), { lexical: hit.score, coverage: hit.coverage });
  if (weights.dense > 0) {
    const vector = await options.embedder.embedQuery(options.query, index.stats);
    const accepts = index.matcher(filter);
    // A filter is applied to Chroma's answer, so ask for more when it can exclude some.
    const wanted = Math.min(accepts ? CANDIDATES * 4 : CANDIDATES, index.size);
    let taken = 0;
    for (const hit of await options.store.nearest(options.workspaceId, vector, wanted)) {
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
  const bestByArticle = new Map<string, Candidate & { score: number }>();
  for (const entry of all) {
    const score = (weights.lexical * entry.lexical) / maxLexical + (weights.dense * Math.max(0, entry.similarity)) / maxDense;
    const key = entry.chunk.metadata.article_key;
    const best = bestByArticle.get(key);
    if (!best || score > best.score) bestByArticle.set(key, { ...entry, score });
  }
  const ranked = [...bestByArticle.values()].sort((a, b) => b.score - a.score);
  const scored = ranked.slice(0, CANDIDATES).map((entry, rank) => {
    const rival = ranked[rank === 0 ? 1 : 0];
    const features: ConfidenceFeatures = {
      similarity: entry.similarity,
      coverage: entry.coverage,
      margin: entry.score - (rival?.score ?? 0),
    };
    return { chunk: entry.chunk, score: entry.score, confidence: confidenceOf(features), features };
  });
  // The calibrated confidence also weighs how much of the question a passage covers, so it orders
  // the final list better than the raw fused score (r@1 0.749 → 0.767 on dev, npm run eval).
  if (options.order !== "score") scored.sort((a, b) => b.confidence - a.confidence || b.score - a.score);
  return scored.slice(0, options.topK ?? 3);
}
