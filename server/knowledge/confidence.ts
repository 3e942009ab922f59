// The signals retrieval gives about each article it returns. They mean different things for every
// embedder (one model's cosine of 0.3 is another's 0.8) and every Help Center, which is why the
// probability that an article is right is fitted per workspace and embedder (server/answer-decision).
export const FEATURE_NAMES = ["similarity", "coverage", "margin", "similarityGap", "lexicalStrength", "fused", "learned"] as const;
export type FeatureName = (typeof FEATURE_NAMES)[number];

export interface ConfidenceFeatures {
  /** Cosine similarity of the article's best passage to the query (Chroma). */
  similarity: number;
  /** Share of the query's terms (or their synonyms) found in that passage, its title or headings. */
  coverage: number;
  /** Fused score minus the best other article's: how clearly this one stands out. */
  margin: number;
  /** Similarity minus the best other article's similarity. */
  similarityGap: number;
  /** log(1 + the passage's BM25 score): how strongly it matches in absolute terms. */
  lexicalStrength: number;
  /** The fused score itself: each side's share of its best, added (0 to 2). */
  fused: number;
  /**
   * What the article's learned questions (customers' questions the team or customers answered with
   * it) say of this one: how nearly it repeats the closest (the share of terms they have in common),
   * or the share of its subject the article's customers used across all of them, whichever is more;
   * 0 when the article has none. What the workspace's own questions say, weighed by its own fit.
   */
  learned: number;
}

/** Turns an article's signals into the probability that it answers the question. */
export type Scorer = (features: ConfidenceFeatures) => number;

/** Without a fitted model, the fused score stands in for confidence (halved into [0, 1]). */
export const fusedScorer: Scorer = (features) => Math.min(1, Math.max(0, features.fused / 2));
