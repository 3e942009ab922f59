// The nouns of an English question, as search terms: what a question is about is named by its nouns
// ("exchange currencies", "top up by card"); its other words ("primary", "exactly", "invent") say
// how it asks. Tagged by wink-nlp's English model, which the app ships for sentiment already.
import { createRequire } from "node:module";
import { terms } from "./text-analysis.ts";

const require = createRequire(import.meta.url);
const winkNLP = require("wink-nlp") as (model: unknown) => {
  readDoc(text: string): { tokens(): { out(what: unknown): string[] } };
  its: { pos: unknown; value: unknown };
};
const nlp = winkNLP(require("wink-eng-lite-web-model"));

const NOUNS = new Set(["NOUN", "PROPN"]);

/** The stemmed terms of the question's nouns. */
export function nounTerms(text: string): Set<string> {
  const tokens = nlp.readDoc(text).tokens();
  const values = tokens.out(nlp.its.value);
  const tags = tokens.out(nlp.its.pos);
  return new Set(values.filter((_, i) => NOUNS.has(tags[i]!)).flatMap((word) => terms(word)));
}
