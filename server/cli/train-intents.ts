// npm run train:intents [-- --datasets ../shared/datasets]
// Trains the offline intent models and writes server/assistant/models/intent-model.json.
// Training rows: BANKING77's train split (PolyAI, CC BY 4.0; intents.train.jsonl) and the
// examples written for this project (server/assistant/training/examples.jsonl). The rasa-demo
// rows (GPL-3.0) are never used for training.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { MODEL_FILE, newModel } from "../assistant/offline-classifier.ts";

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
const json = JSON.stringify({ trainedOn: `${rows.length} rows: BANKING77 train (PolyAI, CC BY 4.0) + project examples`, needsHuman: needsHuman.exportJSON(), intents: intents.exportJSON() });
writeFileSync(MODEL_FILE, json);
console.log(`Trained on ${rows.length} rows; wrote ${fileURLToPath(MODEL_FILE)} (${(json.length / 1024).toFixed(0)} KB)`);
