// Turns text into vectors for Chroma. One interface, one implementation per backend: the offline
// character n-gram embedder (the default, runs anywhere) and an OpenAI-compatible one.

/** Document frequencies of the embedder's features in one workspace, for query-time weighting. */
export interface CorpusStats {
  documents: number;
  frequency(feature: number): number;
  /**
   * The text without the words more than half of the Help Center's articles hold (its product
   * name, usually): they tell no article apart, and a model that knows nothing of this Help Center
   * would let them pull the query towards the articles that repeat them most.
   */
  withoutCommonWords(text: string): string;
}

export interface Embedder {
  /** Names the vector space; vectors from different ids are never mixed in one Chroma collection. */
  readonly id: string;
  embedDocuments(texts: string[]): Promise<number[][]>;
  /** `corpus` lets an embedder weight rare features up, or leave out the words most articles hold. */
  embedQuery(text: string, corpus?: CorpusStats): Promise<number[]>;
  /** Many queries at once (an API embedder sends them in batches). */
  embedQueries(texts: string[], corpus?: CorpusStats): Promise<number[][]>;
  /**
   * True when its vectors are made in this process, quickly and the same every time: an index
   * makes its passages' vectors again rather than have Chroma send them as JSON.
   */
  readonly local?: boolean;
  /** Feature ids of a text, for embedders whose vectors are feature counts (else undefined). */
  features?(text: string): number[];
}
