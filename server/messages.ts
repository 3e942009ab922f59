// Customer-facing wording lives in templates/messages/*.hbs so it can be changed without touching
// code. Canvas Kit text is markdown, not HTML, so templates are compiled without HTML escaping.
import Handlebars from "handlebars";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const DIR = fileURLToPath(new URL("../templates/messages/", import.meta.url));

export type MessageName =
  | "greeting"
  | "intro"
  | "answer-extractive"
  | "clarify"
  | "choice"
  | "handoff"
  | "feedback"
  | "thanks"
  | "empty-question"
  | "error";

Handlebars.registerHelper("eq", (a: unknown, b: unknown) => a === b);

const compiled = new Map(
  readdirSync(DIR)
    .filter((file) => file.endsWith(".hbs"))
    .map((file) => [
      path.basename(file, ".hbs"),
      Handlebars.compile(readFileSync(path.join(DIR, file), "utf8"), { noEscape: true, strict: false }),
    ]),
);

export function message(name: MessageName, data: Record<string, unknown> = {}): string {
  const template = compiled.get(name);
  if (!template) throw new Error(`missing template templates/messages/${name}.hbs`);
  return template(data).trim();
}
