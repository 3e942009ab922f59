// The nouns of an English question, as search terms: what a question is about is named by its nouns
// ("exchange currencies", "top up by card"); its other words ("primary", "exactly", "invent") say
// how it asks. Tagged by wink-nlp's English model, which the app ships for sentiment already.
import { englishNlp as nlp } from "./english-nlp.ts";
import { terms } from "./text-analysis.ts";

const NOUNS = new Set(["NOUN", "PROPN"]);

/** The stemmed terms of the question's nouns. */
export function nounTerms(text: string): Set<string> {
  const tokens = nlp.readDoc(text).tokens();
  const values = tokens.out(nlp.its.value);
  const tags = tokens.out(nlp.its.pos);
  return new Set(values.filter((_, i) => NOUNS.has(tags[i]!)).flatMap((word) => terms(word)));
}
