// npm run train:intents [-- --datasets ../shared/datasets]
// Trains the offline intent models and writes server/assistant/models/intent-model.json.
// Training rows: BANKING77's train split (PolyAI, CC BY 4.0; intents.train.jsonl) and the
// examples written for this project (server/assistant/training/examples.jsonl). The rasa-demo
// rows (GPL-3.0) are never used for training. Each other catalog language's needs-human model
// learns from the examples written in it (training/examples.<language>.jsonl).
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { MODEL_FILE, newModel, type SavedModels } from "../assistant/offline-classifier.ts";
import { ANALYZED_LANGUAGES } from "../knowledge/text-analysis.ts";

const { values } = parseArgs({ options: { datasets: { type: "string" } } });
const datasets = path.resolve(values.datasets ?? "../shared/datasets");
type Row = { text: string; intent: string; needs_human: boolean };
const read = (file: string): Row[] =>
  readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Row);

const rows = [
  ...read(path.join(datasets, "intents.train.jsonl")),
  ...read(fileURLToPath(new URL("../assistant/training/examples.jsonl", import.meta.url))),
];
const needsHuman = newModel();
const intents = newModel();
for (const row of rows) {
  needsHuman.learn(row.text, row.needs_human ? "human" : "bot");
  intents.learn(row.text, row.intent);
}
needsHuman.consolidate();
intents.consolidate();
const needsHumanIn: SavedModels["needsHumanIn"] = {};
const written: string[] = [];
for (const language of ANALYZED_LANGUAGES.filter((language) => language !== "en")) {
  const file = new URL(`../assistant/training/examples.${language}.jsonl`, import.meta.url);
  if (!existsSync(file)) continue;
  const examples = read(fileURLToPath(file));
  const model = newModel(language);
  for (const row of examples) model.learn(row.text, row.needs_human ? "human" : "bot");
  model.consolidate();
  needsHumanIn[language] = model.exportJSON();
  written.push(`${language} ${examples.length}`);
}
const saved: SavedModels = {
  trainedOn: `${rows.length} rows: BANKING77 train (PolyAI, CC BY 4.0) + project examples; per language: ${written.join(", ")}`,
  needsHuman: needsHuman.exportJSON(),
  intents: intents.exportJSON(),
  needsHumanIn,
};
const json = JSON.stringify(saved);
writeFileSync(MODEL_FILE, json);
console.log(`Trained on ${saved.trainedOn}; wrote ${fileURLToPath(MODEL_FILE)} (${(json.length / 1024).toFixed(0)} KB)`);
