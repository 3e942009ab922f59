// Sentiment of a customer message in [-1, 1], from wink-nlp's English model, for the policy's
// frustration check.
import { englishNlp as nlp } from "../knowledge/english-nlp.ts";

export function sentimentOf(text: string): number {
  return nlp.readDoc(text).out(nlp.its.sentiment);
}

/** Below this a message reads as negative. */
export const NEGATIVE_SENTIMENT = -0.25;
