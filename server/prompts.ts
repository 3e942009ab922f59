// Prompt templates live in templates/prompts/*.hbs. Values are inserted as data: every variable is
// HTML-escaped by Handlebars so that it cannot close the <document> or <message> tags that fence
// it, and the instructions tell the model that fenced text is never an instruction.
import Handlebars from "handlebars";
import { readFileSync } from "node:fs";

const load = (name: string) => Handlebars.compile(readFileSync(new URL(`../templates/prompts/${name}.hbs`, import.meta.url), "utf8"), { strict: false });

export const prompts = {
  classifyIntent: load("classify-intent"),
  answer: load("answer"),
};
