// wink-nlp's English model, loaded once for the whole app: retrieval tags a question's nouns with
// it and the assistant reads a message's sentiment (each instance holds the model in memory).
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const winkNLP = require("wink-nlp") as (model: unknown) => {
  readDoc(text: string): { out(what: unknown): number; tokens(): { out(what: unknown): string[] } };
  its: { sentiment: unknown; pos: unknown; value: unknown };
};

export const englishNlp = winkNLP(require("wink-eng-lite-web-model"));
