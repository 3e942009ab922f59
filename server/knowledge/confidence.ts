// How sure retrieval is that an article answers the question, as a probability. A logistic model
// over three signals, fitted by `npm run eval -- --calibrate` on the dev queries (answerable
// questions, labelled by whether the article was the right one, and off-topic questions from
// the intents set, all labelled wrong). The README gives the precision of the 0.4 and 0.7
// thresholds that the assistant uses.
export interface ConfidenceFeatures {
  /** Cosine similarity of the article's best passage to the query (Chroma). */
  similarity: number;
  /** Share of the query's terms found in that passage. */
  coverage: number;
  /** Fused score minus the best other article's: how clearly this one stands out. */
  margin: number;
}

export const CONFIDENCE_MODEL = { bias: -3.82, similarity: 14.9, coverage: 3.7, margin: 1.13 };

export function confidenceOf(features: ConfidenceFeatures, model = CONFIDENCE_MODEL): number {
  const z = model.bias + model.similarity * features.similarity + model.coverage * features.coverage + model.margin * features.margin;
  return 1 / (1 + Math.exp(-z));
}
