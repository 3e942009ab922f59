// Prompt templates live in templates/prompts/*.hbs. Values are inserted as data: every variable is
// HTML-escaped by Handlebars so that it cannot close the <document> or <message> tags that fence
// it, and the instructions tell the model that fenced text is never an instruction.
import Handlebars from "handlebars";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

const source = (name: string) => readFileSync(new URL(`../templates/prompts/${name}.hbs`, import.meta.url), "utf8");
const load = (name: string) => Handlebars.compile(source(name), { strict: false });

/** The card's one call's prompt, as a digest: a model measured with another prompt is measured again. */
export const RESPOND_PROMPT_DIGEST = createHash("sha256").update(source("respond-rules")).update(source("respond-request")).digest("hex").slice(0, 16);

export const prompts = {
  classifyIntent: load("classify-intent"),
  /** The one call that judges a message and answers it from the documents: rules first (the same for every message, so hosted APIs cache them), then the message's own data. */
  respondRules: load("respond-rules"),
  respondRequest: load("respond-request"),
  /** A draft FAQ article from a content gap's questions and the teammates' replies to them. */
  draftArticle: load("draft-article"),
  /** Other customers' wordings of a learned question's need, indexed beside it. */
  paraphraseQuestion: load("paraphrase-question"),
};
