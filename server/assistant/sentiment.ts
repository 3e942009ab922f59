// Sentiment of a customer message in [-1, 1], from wink-nlp's English model, for the policy's
// frustration check.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const winkNLP = require("wink-nlp") as (model: unknown) => {
  readDoc(text: string): { out(what: unknown): number };
  its: { sentiment: unknown };
};
const nlp = winkNLP(require("wink-eng-lite-web-model"));

export function sentimentOf(text: string): number {
  return nlp.readDoc(text).out(nlp.its.sentiment);
}

/** Below this a message reads as negative. */
export const NEGATIVE_SENTIMENT = -0.25;
