// npm run train:intents [-- --datasets ../shared/datasets]
// Trains the offline models and writes them under server/assistant/models/:
// - request-model.json: does the message ask for a person (or report an urgent problem)? A
//   calibrated logistic regression (server/assistant/request-training.ts) over all seven languages;
// - intent-model.json: which of the other intents a question is (naive Bayes, English).
// Training rows: BANKING77's train split (PolyAI, CC BY 4.0; intents.train.jsonl), the examples
// written for this project in each language (server/assistant/training/examples*.jsonl), the
// question templates written for it (training/questions.json), the questions about other
// businesses (answer-decision/elsewhere) and the demo Help Center's titles and descriptions. The
// rasa-demo rows (GPL-3.0) are never used for training.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { MODEL_FILE, newModel, type SavedModels } from "../assistant/offline-classifier.ts";
import { REQUEST_MODEL_FILE } from "../assistant/request-model.ts";
import { ELSEWHERE_QUESTIONS } from "../answer-decision/self-calibration.ts";
import { requestClassOf, trainRequestModel, type TrainingRow } from "../assistant/request-training.ts";
import { ANALYZED_LANGUAGES, type AnalyzedLanguage } from "../knowledge/text-analysis.ts";

const { values } = parseArgs({ options: { datasets: { type: "string" } } });
const datasets = path.resolve(values.datasets ?? "../shared/datasets");
type Row = { text: string; intent: string; needs_human: boolean };
const here = (relative: string) => fileURLToPath(new URL(relative, import.meta.url));
const read = (file: string): Row[] =>
  readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Row);

/** Written examples count more than any one banking question: they are the product's own wording, in every language. */
const EXAMPLE_WEIGHT = 2;
/** Templated questions are many and alike: together they teach the shape of a question, each alone little. */
const TEMPLATE_WEIGHT = 0.3;

const banking = read(path.join(datasets, "intents.train.jsonl"));
const english = read(here("../assistant/training/examples.jsonl"));
const requestRows: TrainingRow[] = [
  ...banking.map((row) => ({ text: row.text, language: "en" as const, label: requestClassOf(row), weight: 1 })),
  ...english.map((row) => ({ text: row.text, language: "en" as const, label: requestClassOf(row), weight: EXAMPLE_WEIGHT })),
];
const counts: string[] = [];
for (const language of ANALYZED_LANGUAGES.filter((language) => language !== "en")) {
  const file = here(`../assistant/training/examples.${language}.jsonl`);
  if (!existsSync(file)) continue;
  const examples = read(file);
  requestRows.push(...examples.map((row) => ({ text: row.text, language, label: requestClassOf(row), weight: EXAMPLE_WEIGHT })));
  counts.push(`${language} ${examples.length}`);
}
const templates = JSON.parse(readFileSync(here("../assistant/training/questions.json"), "utf8")) as Record<string, { templates: string[]; topics: string[] } | string>;
let templated = 0;
for (const [language, set] of Object.entries(templates)) {
  if (typeof set === "string") continue;
  for (const template of set.templates) for (const topic of set.topics) requestRows.push({ text: template.replace("{}", topic), language: language as AnalyzedLanguage, label: "question", weight: TEMPLATE_WEIGHT }), templated++;
}
let elsewhere = 0;
for (const [language, questions] of ELSEWHERE_QUESTIONS) {
  requestRows.push(...questions.map((text) => ({ text, language, label: "question" as const, weight: 1 })));
  elsewhere += questions.length;
}
const demo = JSON.parse(readFileSync(here("../knowledge/demo-help-center/help-center.json"), "utf8")) as { articles: Array<{ title: string; description?: string }> };
const demoQuestions = demo.articles.flatMap((article) => [article.title, article.description ?? ""]).filter(Boolean);
requestRows.push(...demoQuestions.map((text) => ({ text, language: "en" as const, label: "question" as const, weight: 1 })));

const trainedOn = `${requestRows.length} rows: BANKING77 train (PolyAI, CC BY 4.0) ${banking.length}, project examples en ${english.length}, ${counts.join(", ")}, templated questions ${templated}, other businesses' questions ${elsewhere}, demo titles ${demoQuestions.length}`;
const requestModel = trainRequestModel(requestRows, trainedOn, { maxFalsePerson: 0.015 });
const requestJson = JSON.stringify(requestModel);
writeFileSync(REQUEST_MODEL_FILE, requestJson);
const held = requestModel.heldOut;
console.log(`Request model: ${trainedOn}`);
console.log(`Held-out folds (${held.rows} rows): Brier ${held.brier}; needs a person at p >= ${requestModel.thresholds.person}: recall ${held.personRecall}, questions taken for requests ${held.falsePerson}; urgent at p >= ${requestModel.thresholds.urgent}: recall ${held.urgentRecall}, questions flagged urgent ${held.falseUrgent}; temperature ${requestModel.temperature}`);
console.log("| predicted | rows | mean predicted | share needing a person |\n|---|---|---|---|");
for (const bin of held.reliability) console.log(`| ${bin.from.toFixed(1)}-${bin.to.toFixed(1)} | ${bin.count} | ${bin.predicted.toFixed(3)} | ${bin.observed.toFixed(3)} |`);

const intents = newModel();
for (const row of [...banking, ...english]) intents.learn(row.text, row.intent);
intents.consolidate();
const saved: SavedModels = { trainedOn: `${banking.length + english.length} rows: BANKING77 train (PolyAI, CC BY 4.0) + project examples`, intents: intents.exportJSON() };
writeFileSync(MODEL_FILE, JSON.stringify(saved));
console.log(`Wrote ${fileURLToPath(REQUEST_MODEL_FILE)} (${(requestJson.length / 1024).toFixed(0)} KB) and ${fileURLToPath(MODEL_FILE)}`);
