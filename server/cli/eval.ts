// npm run eval [-- --calibrate]
// Measures retrieval on ../shared/datasets (faq-docs + faq-queries.dev) through the real pipeline:
// the FAQ is wrapped as an Intercom Help Center, synced into a real Chroma, and every row of the
// table is computed by the same retriever with different settings. Prints recall@1/3/5 and MRR,
// then how the confidence thresholds behave (0.7 shows an article, below 0.4 escalates), with
// off-topic questions (BANKING77 rows of intents.dev) as questions the FAQ cannot answer.
import { marked } from "marked";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { startEmbeddedChroma, type ChromaServer } from "../knowledge/chroma-server.ts";
import { ChromaStore } from "../knowledge/chroma-store.ts";
import { CONFIDENCE_MODEL, confidenceOf, type ConfidenceFeatures } from "../knowledge/confidence.ts";
import { LexicalIndex, DEFAULT_LEXICAL, type LexicalOptions } from "../knowledge/lexical-index.ts";
import { OfflineEmbedder } from "../knowledge/offline-embedder.ts";
import { HYBRID, retrieve, type RetrievalWeights } from "../knowledge/retriever.ts";
import { syncSnapshot } from "../knowledge/sync.ts";
import { createLogger } from "../logger.ts";
import { NEEDS_HUMAN_THRESHOLD, OfflineIntentClassifier } from "../assistant/offline-classifier.ts";
import { DEFAULT_POLICY } from "../assistant/policy.ts";
import { OpenAIChatModel } from "../assistant/chat-model.ts";
import { llmClassifier } from "../assistant/classifier.ts";

const { values } = parseArgs({
  options: { datasets: { type: "string" }, calibrate: { type: "boolean", default: false } },
});
const DATASETS = path.resolve(values.datasets ?? "../shared/datasets");
const WORKSPACE = "eval-faq";

const jsonl = <T>(file: string): T[] =>
  readFileSync(path.join(DATASETS, file), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as T);

if (!existsSync(path.join(DATASETS, "faq-docs.jsonl"))) {
  console.error(`No datasets at ${DATASETS}; pass --datasets <dir>.`);
  process.exit(2);
}

type Doc = { id: string; title: string; body: string; collection: string };
const docs = jsonl<Doc>("faq-docs.jsonl");
const queries = jsonl<{ query: string; doc_id: string }>("faq-queries.dev.jsonl");
const offTopic = jsonl<{ text: string; source: string }>("intents.dev.jsonl").filter((row) => row.source.startsWith("banking77"));

const snapshot = {
  collections: [{ id: "1", name: docs[0]?.collection ?? "FAQ" }],
  articles: docs.map((doc, i) => ({
    id: doc.id,
    title: doc.title,
    body: marked.parse(doc.body, { async: false }),
    state: "published" as const,
    created_at: 1_700_000_000 + i,
    updated_at: 1_700_000_000 + i,
    url: `https://faq.example/${doc.id}`,
    parent_id: "1",
  })),
};

let chroma: ChromaServer | undefined;
let dataDir: string | undefined;
const chromaUrl = process.env.CHROMA_URL || (await (async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "assistant-eval-"));
  chroma = await startEmbeddedChroma({ dataDir, logger: createLogger("silent") });
  return chroma.url;
})());

try {
  const embedder = new OfflineEmbedder();
  const store = new ChromaStore(chromaUrl, embedder.id);
  await syncSnapshot({ workspaceId: WORKSPACE, source: "demo", snapshot, store, embedder });
  const chunks = await store.allChunks(WORKSPACE);

  const rank = async (query: string, lexical: LexicalOptions, weights: RetrievalWeights, index: LexicalIndex) =>
    retrieve({ workspaceId: WORKSPACE, query, index, store, embedder, topK: 5, weights, order: weights === HYBRID ? "confidence" : "score" });

  const rows: Array<[string, LexicalOptions, RetrievalWeights]> = [
    ["BM25, lower-case word tokens", { analyzer: "plain", fuzzy: 0, prefix: false }, { lexical: 1, dense: 0 }],
    ["BM25 + Porter stemming + stop words", { analyzer: "stemmed", fuzzy: 0, prefix: false }, { lexical: 1, dense: 0 }],
    ["Dense only: char n-grams in Chroma", DEFAULT_LEXICAL, { lexical: 0, dense: 1 }],
    ["Hybrid (default): BM25+typos + dense", DEFAULT_LEXICAL, HYBRID],
  ];

  console.log(`Retrieval on faq-queries.dev (${queries.length} queries, ${docs.length} articles, ${chunks.length} passages)`);
  console.log(`Machine: ${cpus().length} × ${cpus()[0]?.model.trim()}, Node ${process.version}\n`);
  console.log("| method | r@1 | r@3 | r@5 | MRR | ms/query |");
  console.log("|---|---|---|---|---|---|");
  // Every one of the top three articles is a sample: its confidence must mean "this article is
  // the right one" wherever it is ranked, since the answer card links all those above 0.7.
  const samples: Array<{ features: ConfidenceFeatures; correct: boolean; top: boolean }> = [];
  for (const [name, lexical, weights] of rows) {
    const index = new LexicalIndex(chunks, embedder, lexical);
    let r1 = 0, r3 = 0, r5 = 0, mrr = 0;
    const started = performance.now();
    for (const { query, doc_id } of queries) {
      const results = await rank(query, lexical, weights, index);
      const position = results.findIndex((result) => result.chunk.metadata.article_id === doc_id);
      if (position === 0) r1++;
      if (position >= 0 && position < 3) r3++;
      if (position >= 0 && position < 5) r5++;
      if (position >= 0) mrr += 1 / (position + 1);
      if (weights === HYBRID) for (const result of results.slice(0, 3)) samples.push({ features: result.features, correct: result.chunk.metadata.article_id === doc_id, top: result === results[0] });
    }
    const ms = (performance.now() - started) / queries.length;
    const f = (x: number) => (x / queries.length).toFixed(3);
    console.log(`| ${name} | ${f(r1)} | ${f(r3)} | ${f(r5)} | ${f(mrr)} | ${ms.toFixed(1)} |`);
  }

  const hybridIndex = new LexicalIndex(chunks, embedder, DEFAULT_LEXICAL);
  const answerableSamples = samples.length;
  for (const { text } of offTopic) {
    const results = await rank(text, DEFAULT_LEXICAL, HYBRID, hybridIndex);
    for (const result of results.slice(0, 3)) samples.push({ features: result.features, correct: false, top: result === results[0] });
  }

  const model = values.calibrate ? fitLogistic(samples) : CONFIDENCE_MODEL;
  if (values.calibrate) console.log(`\nFitted confidence model (paste into server/knowledge/confidence.ts):\n${JSON.stringify(model)}`);
  const scored = samples.map((sample) => ({ ...sample, confidence: confidenceOf(sample.features, model) }));
  const tops = scored.filter((sample) => sample.top);
  const answerableTops = scored.slice(0, answerableSamples).filter((sample) => sample.top);
  const offTopicTops = scored.slice(answerableSamples).filter((sample) => sample.top);
  const linked = scored.filter((sample) => sample.confidence > 0.7);
  const escalated = tops.filter((sample) => sample.confidence < 0.4);
  const pct = (part: number, whole: number) => (whole ? `${((100 * part) / whole).toFixed(1)}%` : "n/a");
  console.log(`\nConfidence (${queries.length} FAQ questions, ${offTopicTops.length} off-topic banking questions; top three articles of each):`);
  const linkedTops = tops.filter((sample) => sample.confidence > 0.7);
  console.log(`- best article above 0.7: ${linkedTops.length} questions, of which the right article ${pct(linkedTops.filter((s) => s.correct).length, linkedTops.length)}`);
  console.log(`- any of the top three above 0.7 (shown as buttons): ${linked.length} articles, of which the exact right article ${pct(linked.filter((s) => s.correct).length, linked.length)}`);
  console.log(`- best article below 0.4 (escalate): ${escalated.length} questions, of which wrong or off-topic ${pct(escalated.filter((s) => !s.correct).length, escalated.length)}`);
  console.log(`- FAQ questions whose best article is right and at least 0.4: ${pct(answerableTops.filter((s) => s.correct && s.confidence >= 0.4).length, answerableTops.length)}`);
  console.log(`- off-topic questions escalated (best below 0.4): ${pct(offTopicTops.filter((s) => s.confidence < 0.4).length, offTopicTops.length)}`);
  console.log(`- Brier score over all samples: ${(scored.reduce((sum, s) => sum + (s.confidence - (s.correct ? 1 : 0)) ** 2, 0) / scored.length).toFixed(3)}`);
  await escalationTable();
} finally {
  await chroma?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}

/** Escalation from the message alone on intents.dev, as the datasets README measures it. */
async function escalationTable() {
  const rows = jsonl<{ text: string; source: string; intent: string; needs_human: boolean }>("intents.dev.jsonl");
  const classifier = new OfflineIntentClassifier();
  const offline = rows.map((row) => classifier.classify(row.text, DEFAULT_POLICY.escalation_triggers));
  const methods: Array<[string, (i: number) => boolean, ((i: number) => string) | undefined]> = [
    ["trigger phrases and patterns alone", (i) => Boolean(offline[i]!.trigger), undefined],
    [`needs-human naive Bayes alone (p > ${NEEDS_HUMAN_THRESHOLD})`, (i) => offline[i]!.modelProbability > NEEDS_HUMAN_THRESHOLD, undefined],
    ["offline default: triggers or naive Bayes", (i) => offline[i]!.needsHuman, (i) => offline[i]!.intent],
  ];
  const llm = await llmVerdicts(rows.map((row) => row.text), classifier);
  if (llm) methods.push([`LLM (${process.env.OPENAI_CHAT_MODEL ?? "gpt-4o-mini"}), triggers kept`, (i) => llm[i]!.needsHuman, (i) => llm[i]!.intent]);
  const positives = rows.flatMap((row, i) => (row.needs_human ? [i] : []));
  const negatives = rows.flatMap((row, i) => (row.needs_human ? [] : [i]));
  const faq = negatives.filter((i) => rows[i]!.intent === "faq_question");
  const rate = (indices: number[], predicate: (i: number) => boolean) => (indices.filter(predicate).length / indices.length).toFixed(3);
  console.log(`\nEscalation on intents.dev (${rows.length} messages, ${positives.length} need a person; message alone):\n`);
  console.log("| method | needs-human recall | false escalation | false escalation (FAQ) | intent accuracy |");
  console.log("|---|---|---|---|---|");
  for (const [name, escalates, intentOf] of methods) {
    const accuracy = intentOf ? rate(rows.map((_, i) => i), (i) => intentOf(i) === rows[i]!.intent) : "n/a";
    console.log(`| ${name} | ${rate(positives, escalates)} | ${rate(negatives, escalates)} | ${rate(faq, escalates)} | ${accuracy} |`);
  }
}

/** With an OpenAI-compatible API configured, the LLM classifier's verdict on every row (4 at a time). */
async function llmVerdicts(texts: string[], offline: OfflineIntentClassifier) {
  if (!process.env.OPENAI_API_KEY && !process.env.OPENAI_BASE_URL) return undefined;
  const model = new OpenAIChatModel({ apiKey: process.env.OPENAI_API_KEY, baseUrl: process.env.OPENAI_BASE_URL, model: process.env.OPENAI_CHAT_MODEL ?? "gpt-4o-mini" });
  const classifier = llmClassifier(model, offline, createLogger("silent"));
  const out: Array<{ needsHuman: boolean; intent: string }> = new Array(texts.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < texts.length) {
        const i = next++;
        out[i] = await classifier.classify(texts[i]!, { triggers: DEFAULT_POLICY.escalation_triggers });
      }
    }),
  );
  return out;
}

/**
 * Logistic regression by gradient descent: four weights, a few thousand rows, no library needed.
 * Right and wrong answers weigh the same in total, so the many off-topic rows do not teach the
 * model that most questions are unanswerable (in a real Help Center most are answerable).
 */
function fitLogistic(samples: Array<{ features: ConfidenceFeatures; correct: boolean }>) {
  const w = { bias: 0, similarity: 0, coverage: 0, margin: 0 };
  const rate = 2;
  const positives = samples.filter((sample) => sample.correct).length;
  const weightOf = (correct: boolean) => (correct ? samples.length / (2 * positives) : samples.length / (2 * (samples.length - positives)));
  for (let epoch = 0; epoch < 30000; epoch++) {
    const g = { bias: 0, similarity: 0, coverage: 0, margin: 0 };
    for (const { features, correct } of samples) {
      const error = (confidenceOf(features, w) - (correct ? 1 : 0)) * weightOf(correct);
      g.bias += error;
      g.similarity += error * features.similarity;
      g.coverage += error * features.coverage;
      g.margin += error * features.margin;
    }
    for (const key of Object.keys(w) as Array<keyof typeof w>) w[key] -= (rate * g[key]) / samples.length;
  }
  const round = (x: number) => Math.round(x * 100) / 100;
  return { bias: round(w.bias), similarity: round(w.similarity), coverage: round(w.coverage), margin: round(w.margin) };
}
