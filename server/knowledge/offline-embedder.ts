// The offline default: hashed character n-grams (3 to 5 characters of each content word, with
// word boundaries marked). Documents are stored as L2-normalised term-frequency vectors, which do
// not depend on the rest of the corpus, so an unchanged article never needs embedding again;
// queries are weighted by IDF² from the workspace's own statistics, so the cosine Chroma computes
// rewards rare shared fragments. Sub-word fragments make it forgiving of typos and word forms
// ("langauges", "integrations"/"integrate") that a word-level ranker misses.
import type { CorpusStats, Embedder } from "./embedder.ts";
import { isStopWord, words } from "./text-analysis.ts";

export const OFFLINE_DIMENSIONS = 2048;
const MIN_GRAM = 3;
const MAX_GRAM = 5;

/**
 * FNV-1a: fast, stable across processes and versions, good enough spread for hashing features.
 * Of `text` from `start` to `end`: a passage's thousands of n-grams are hashed in place, no string
 * made for each.
 */
export function fnv1a(text: string, start = 0, end = text.length): number {
  let hash = 0x811c9dc5;
  for (let i = start; i < end; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export function charGramFeatures(text: string): number[] {
  const features: number[] = [];
  for (const word of words(text)) {
    if (isStopWord(word)) continue;
    const padded = `<${word}>`;
    for (let size = MIN_GRAM; size <= MAX_GRAM; size++) {
      for (let start = 0; start + size <= padded.length; start++) {
        features.push(fnv1a(padded, start, start + size) % OFFLINE_DIMENSIONS);
      }
    }
  }
  return features;
}

function normalised(vector: Float64Array): number[] {
  let norm = 0;
  for (const value of vector) norm += value * value;
  norm = Math.sqrt(norm);
  return Array.from(vector, (value) => (norm ? value / norm : 0));
}

export class OfflineEmbedder implements Embedder {
  readonly id = `offline-chargram-${MIN_GRAM}-${MAX_GRAM}-${OFFLINE_DIMENSIONS}`;
  readonly local: boolean = true;

  features(text: string): number[] {
    return charGramFeatures(text);
  }

  async embedDocuments(texts: string[]): Promise<number[][]> {
    return texts.map((text) => {
      const counts = new Float64Array(OFFLINE_DIMENSIONS);
      for (const feature of charGramFeatures(text)) counts[feature]! += 1;
      return normalised(counts);
    });
  }

  async embedQuery(text: string, corpus?: CorpusStats): Promise<number[]> {
    const weights = new Float64Array(OFFLINE_DIMENSIONS);
    for (const feature of charGramFeatures(text)) {
      const idf = corpus ? Math.log(1 + corpus.documents / (corpus.frequency(feature) + 1)) : 1;
      weights[feature]! += idf * idf;
    }
    return normalised(weights);
  }

  embedQueries(texts: string[], corpus?: CorpusStats): Promise<number[][]> {
    return Promise.all(texts.map((text) => this.embedQuery(text, corpus)));
  }
}
