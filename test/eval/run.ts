// npm run eval [-- --datasets ../shared/datasets] [-- --fit-prior] [-- --learning] [-- --history] [-- --personas] [-- --markdown docs/evaluation.md]
//              [-- --model-url http://localhost:11434/v1 --model llama3.1]
// Measures the assistant on ../shared/datasets through the real pipeline:
// 1. retrieval (recall@1/3/5, MRR) of each ranker on faq-queries.dev, the FAQ served as a Help Center;
// 2. for the offline embedder and a second, deliberately different one (a local OpenAI-compatible
//    server of hashed bags of words): the self-calibrated model (fitted on the Help Center alone),
//    its reliability on the real dev questions (Brier score and a reliability table), and the
//    end-to-end outcome of every question sent as a signed /canvas/messenger/submit and read back
//    from the card the customer would see: dev FAQ questions, off-topic BANKING77 rows, and the
//    demo Help Center's paraphrase set (test/fixtures/demo-paraphrases.jsonl);
// 3. escalation from the message alone on intents.dev.
// --semantic adds the offline embedder with a sentence encoder beside it (test/eval/semantic-embedder.ts,
//   not shipped): the Universal Sentence Encoder lite at two weights, and an encoder the project
//   trains on BANKING77 (test/eval/intent-space-encoder.ts), and a table comparing the configurations;
// --personas measures the configured model's trust instead (test/eval/model-trust.ts): the cards of
//   each chat model personality, and what the measurement found of it; with --model-url, the same
//   for that OpenAI-compatible model;
// --fit-prior writes the shipped prior (self-calibration on the demo with the offline embedder);
// --markdown rewrites the page's generated section with the tables printed.
import { readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { cpus, tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { Calibrations, memoryCalibrationStore } from "../../server/answer-decision/calibrations.ts";
import { selfCalibrate } from "../../server/answer-decision/self-calibration.ts";
import { WorkspacePreparation } from "../../server/answer-decision/preparation.ts";
import { scorerOf, type CalibrationModel } from "../../server/answer-decision/model.ts";
import { brierScore, reliabilityTable } from "../../server/answer-decision/reliability.ts";
import { createAssistant } from "../../server/assistant/create-assistant.ts";
import { createApp } from "../../server/http/app.ts";
import { canvasSignature } from "../../server/intercom/signature.ts";
import { startEmbeddedChroma, type ChromaServer } from "../../server/knowledge/chroma-server.ts";
import { ChromaStore } from "../../server/knowledge/chroma-store.ts";
import type { Embedder } from "../../server/knowledge/embedder.ts";
import { analysisLanguageOf } from "../../server/knowledge/text-analysis.ts";
import { HelpCenterKnowledge } from "../../server/knowledge/help-center-knowledge.ts";
import { DEFAULT_LEXICAL, LexicalIndex, type LexicalOptions } from "../../server/knowledge/lexical-index.ts";
import { OfflineEmbedder } from "../../server/knowledge/offline-embedder.ts";
import { OpenAIEmbedder } from "../../server/knowledge/openai-embedder.ts";
import { HYBRID, retrieve, type RetrievalWeights } from "../../server/knowledge/retriever.ts";
import { demoSource } from "../../server/knowledge/sources.ts";
import { BUILT_IN_THESAURUS } from "../../server/knowledge/thesaurus.ts";
import { createLogger } from "../../server/logger.ts";
import { OfflineIntentClassifier } from "../../server/assistant/offline-classifier.ts";
import { languageOfLocale, translate } from "../../server/i18n/catalog.ts";
import { DEFAULT_POLICY } from "../../server/assistant/policy.ts";
import { OpenAIChatModel } from "../../server/assistant/chat-model.ts";
import { llmClassifier } from "../../server/assistant/classifier.ts";
import { startBagOfWordsEmbeddings } from "../helpers/bag-of-words-embeddings.ts";
import { outcomeOf } from "./card-outcome.ts";
import { loadFaqDataset } from "./faq-dataset.ts";
import { learningReplay } from "./learning-replay.ts";
import { historyReplay } from "./history-replay.ts";
import { SemanticEmbedder } from "./semantic-embedder.ts";
import { intentSpaceEncoder } from "./intent-space-encoder.ts";
import { Printout, rewriteSection } from "../helpers/generated-section.ts";
import { modelTrustTables } from "./model-trust.ts";

const { values } = parseArgs({
  options: { semantic: { type: "boolean", default: false }, datasets: { type: "string" }, "fit-prior": { type: "boolean", default: false }, learning: { type: "boolean", default: false }, history: { type: "boolean", default: false }, personas: { type: "boolean", default: false }, markdown: { type: "string" }, "model-url": { type: "string" }, model: { type: "string" } },
});
/** With --model-url, the end-to-end cards are answered with that OpenAI-compatible model (OPENAI_API_KEY if it needs one). */
const chatModel = values["model-url"] ? new OpenAIChatModel({ baseUrl: values["model-url"], apiKey: process.env.OPENAI_API_KEY, model: values.model ?? process.env.OPENAI_CHAT_MODEL ?? "gpt-4o-mini" }) : undefined;
const printout = new Printout();
const print = printout.print;
const datasetsDir = path.resolve(values.datasets ?? "../shared/datasets");
const dataset = loadFaqDataset(datasetsDir);
if (!dataset) {
  console.error("No datasets found; pass --datasets <dir>.");
  process.exit(2);
}
const { docs, queries, offTopic } = dataset;
const FAQ = "eval-faq";
const DEMO = "eval-demo";
const SECRET = "eval-secret";
const jsonLines = <T>(relative: string): T[] =>
  readFileSync(new URL(relative, import.meta.url), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as T);
const paraphrases = jsonLines<{ question: string; article_id: string; expect?: string; request?: string }>("../fixtures/demo-paraphrases.jsonl");
/**
 * Rows of the answerable sets that are requests as the product defines them (sales, one's own
 * refund, cancelling): handed over by design, so they are counted apart from the answerable rows.
 */
const faqDevRequests = new Map(jsonLines<{ query: string; request: string }>("../fixtures/faq-dev-requests.jsonl").map((row) => [row.query, row.request]));
/** Questions in French, German and Spanish for the demo (about articles with a translation in that language, or only in English), and requests for a person. */
const multilingual = jsonLines<{ language: string; question: string; article_id?: string; translated?: boolean; needs_human?: boolean; written?: string }>("../fixtures/demo-multilingual.jsonl");
/** The multilingual table's rows, one per embedder and language, printed after the end-to-end table. */
const multilingualRows: string[] = [];
/** Requests for a person written for issue 25 in the seven languages: never trained on. */
const requests = jsonLines<{ language: string; kind: string; text: string }>("../fixtures/requests.jsonl");
/** Written before the work on issue 25 and never tuned on: requests, and questions with request-like words. */
const heldOut = jsonLines<{ language: string; needs_human: boolean; text: string }>("../fixtures/heldout/requests.jsonl");
/** Demo questions written before the work on a semantic model (issue 27) and never tuned on. */
const heldOutParaphrases = jsonLines<{ question: string; article_id: string }>("../fixtures/heldout/demo-paraphrases.jsonl");
/** The hand-over tables' rows (per embedder and workspace), and the held-out sets', printed last. */
const handOverRows: string[] = [];
const handOverTable = () => [
  "| embedder | workspace | explicit requests handed over (test/fixtures/requests.jsonl) | intents.dev needs-a-person handed over | answerable questions handed over | answerable-set rows that are requests, handed over | questions flagged urgent |",
  "|---|---|---|---|---|---|---|",
  ...handOverRows,
];
const heldOutRows: string[] = [];
const heldOutParaphraseRows: string[] = [];
/** Per embedder, the figures the offline configurations are compared on (--semantic); the README shows the table. */
const configurationRows: string[] = [];
const configurationTable = () => [
  "| configuration | ready after | dev one click | dev answered | demo paraphrases one click | answered | held-out paraphrases one click | answered | wrong | multilingual one click | off-topic offered a choice | off-topic answered |",
  "|---|---|---|---|---|---|---|---|---|---|---|---|",
  ...configurationRows,
];

/** The learning replays' before-and-after figures in one table (--learning), for the README. */
let learningSummary: string[] = [];
/** The model trust table (--personas), for the README. */
let personaSummary: string[] = [];
const trustTables = values.personas || Boolean(chatModel);

let chroma: ChromaServer | undefined;
let dataDir: string | undefined;
const chromaUrl = process.env.CHROMA_URL || (await (async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "assistant-eval-"));
  chroma = await startEmbeddedChroma({ dataDir, logger: createLogger("silent") });
  return chroma.url;
})());
const bagOfWords = await startBagOfWordsEmbeddings();
const f3 = (x: number) => x.toFixed(3);
/** A deliberately different embedder: hashed bags of words behind an OpenAI-compatible API. */
const secondEmbedder = () => new OpenAIEmbedder({ baseUrl: bagOfWords.url, model: "bag-of-words" });

function knowledgeFor(embedder: Embedder) {
  return new HelpCenterKnowledge({
    store: new ChromaStore(chromaUrl, embedder.id, "eval"),
    embedder,
    sourceFor: (workspaceId) => (workspaceId === FAQ ? { kind: "demo", fetch: async () => dataset!.snapshot } : demoSource),
    logger: createLogger("silent"),
  });
}

try {
  console.log(`Machine: ${cpus().length} × ${cpus()[0]?.model.trim()}, Node ${process.version}\n`);
  if (values.history) {
    learningSummary = await historyReplay({ chromaUrl, dataset, demoSnapshot: await demoSource.fetch(), secret: SECRET, print, embedders: [["offline embedder", new OfflineEmbedder()], ["second embedder (bag of words)", secondEmbedder()]], ...(chatModel ? { model: chatModel } : {}) });
  } else if (values.learning) {
    learningSummary = await learningReplay({ chromaUrl, dataset, secret: SECRET, print, embedders: [["offline embedder", new OfflineEmbedder()], ["second embedder (bag of words)", secondEmbedder()]] });
  } else if (trustTables) {
    personaSummary = await modelTrustTables({
      dataset,
      secret: SECRET,
      print,
      knowledgeFor,
      embedders: [["offline", new OfflineEmbedder()], ["second", secondEmbedder()]],
      workspaces: { faq: FAQ, demo: DEMO },
      ...(chatModel ? { model: chatModel } : {}),
    });
  } else {
    await everything();
  }
  if (values.markdown && values.semantic) {
    // The full tables of the extra configurations go to the terminal; the page gets the comparison.
    rewriteSection(values.markdown, "npm run eval -- --semantic", configurationTable().join("\n"));
  } else if (values.markdown && chatModel) {
    console.error("The tables of an operator's model are printed, not written into the docs.");
  } else if (values.markdown) {
    const command = values.history ? "npm run eval -- --history" : values.learning ? "npm run eval -- --learning" : values.personas ? "npm run eval -- --personas" : "npm run eval";
    rewriteSection(values.markdown, command, printout.lines.join("\n"));
    // The README shows the hand-overs, what learning achieves, or the models' trust; the page has every table.
    rewriteSection("README.md", command, (values.learning || values.history ? learningSummary : values.personas ? personaSummary : handOverTable()).join("\n"));
  }
} finally {
  await bagOfWords.close();
  await chroma?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}

async function everything() {
  const offline = new OfflineEmbedder();
  const offlineKnowledge = knowledgeFor(offline);
  await offlineKnowledge.sync(FAQ);
  const offlineCalibrations = new Calibrations({ knowledge: offlineKnowledge, store: memoryCalibrationStore(), logger: createLogger("silent") });
  const faqModel = await offlineCalibrations.refit(FAQ);
  await retrievalTable(offline, faqModel);

  if (values["fit-prior"]) {
    await offlineKnowledge.sync(DEMO);
    // Fitted, not refitted: a refit of the demo would take the shipped prior itself.
    const prior = await selfCalibrate(offlineKnowledge, DEMO);
    if (!prior) throw new Error("the demo Help Center is too small to calibrate");
    writeFileSync(new URL("../../server/answer-decision/prior.json", import.meta.url), `${JSON.stringify({ ...prior, kind: "prior" }, null, 2)}\n`);
    print("\nWrote server/answer-decision/prior.json (self-calibrated on the demo Help Center, offline embedder).");
  }

  /** Each embedder's label in the tables' rows, its heading, and the embedder. */
  const embedders: Array<[string, string, Embedder]> = [
    ["offline", "offline (char n-grams)", offline],
    ["second", "second embedder (bag of words over an OpenAI-compatible API)", secondEmbedder()],
    ...(values.semantic
      ? [
          ...[0.3, 0.5].map((weight): [string, string, Embedder] => [`semantic ${weight}`, `semantic ${weight} (char n-grams + sentence encoder at ${weight} of the cosine, English text)`, new SemanticEmbedder(weight)]),
          ["intent space 0.2", "intent space 0.2 (char n-grams + BANKING77 intent space at 0.2 of the cosine, English text)", new SemanticEmbedder(0.2, intentSpaceEncoder(path.join(datasetsDir, "intents.train.jsonl")))] as [string, string, Embedder],
        ]
      : []),
  ];
  const rows: string[] = [];
  for (const [short, name, embedder] of embedders) rows.push(...(await endToEnd(short, name, embedder)));
  print("\n## End to end: signed /canvas/messenger/submit, read from the card\n");
  print("| embedder | question set | one click away | answered from a wrong article | nothing offered (handed over) | answered | choice | extractive answer quotes the fact |");
  print("|---|---|---|---|---|---|---|---|");
  for (const row of rows) print(row);
  print("\n## In the customer's language: signed cards with the Messenger locale set (test/fixtures/demo-multilingual.jsonl)\n");
  print("Questions about demo articles translated into the customer's language, about articles that exist only in English, and requests for a person. Targets (issue 16): one click away ≥ 0.85 for translated articles and ≥ 0.70 for English-only ones, wrong answers ≤ 0.08, needs-human recall ≥ 0.90.\n");
  print("| embedder | language | translated articles: one click away | wrong | English-only articles: one click away | wrong | nothing offered (both) | needs-human recall (message alone) | recall on requests written after the patterns | questions taken for requests |");
  print("|---|---|---|---|---|---|---|---|---|---|");
  for (const row of multilingualRows) print(row);
  print("\n## Hand-overs per workspace: signed cards, read from the card\n");
  print("Targets (issue 25), with both embedders: explicit requests handed over 1.00; needs-a-person recall ≥ 0.97; answerable questions handed over ≤ 0.05; questions flagged urgent ≤ 0.01 (answerable questions, and in the FAQ workspace the off-topic BANKING77 rows that do not need a person: a lost card flagged urgent is right).\n");
  print("Rows of the answerable sets that are requests as the product defines them (asking for sales, for one's own refund, to cancel: test/fixtures/faq-dev-requests.jsonl and the paraphrases marked `request`) are counted apart: they must be handed over.\n");
  for (const line of handOverTable()) print(line);
  await escalationTable();
  print("\n## Held out (written before the work they measure, never tuned on)\n");
  print("Requests and questions with request-like words (test/fixtures/heldout/requests.jsonl):\n");
  print("| embedder | workspace | requests handed over | questions with request-like words handed over | of those, flagged urgent |");
  print("|---|---|---|---|---|");
  for (const row of heldOutRows) print(row);
  print(`\nDemo questions in customers' words (test/fixtures/heldout/demo-paraphrases.jsonl, ${heldOutParaphrases.length}):\n`);
  print("| embedder | one click away | answered | answered from a wrong article | nothing offered (handed over) |");
  print("|---|---|---|---|---|");
  for (const row of heldOutParaphraseRows) print(row);
  if (values.semantic) {
    print("\n## Offline configurations (issue 27)\n");
    print("Multilingual: French, German and Spanish questions about demo articles (translated and English-only), one click away. Off-topic: BANKING77 rows asked of the FAQ.\n");
    for (const line of configurationTable()) print(line);
  }
}

/** Recall of each ranker on the FAQ (offline embedder); the hybrid row is the app's: thesaurus and calibrated order. */
async function retrievalTable(embedder: Embedder, model: CalibrationModel) {
  const store = new ChromaStore(chromaUrl, embedder.id, "eval");
  const chunks = await store.allChunks(FAQ);
  const rows: Array<[string, LexicalOptions, RetrievalWeights]> = [
    ["BM25, lower-case word tokens", { analyzer: "plain", fuzzy: 0, prefix: false }, { lexical: 1, dense: 0 }],
    ["BM25 + Porter stemming + stop words", { analyzer: "stemmed", fuzzy: 0, prefix: false }, { lexical: 1, dense: 0 }],
    ["Dense only: char n-grams in Chroma", DEFAULT_LEXICAL, { lexical: 0, dense: 1 }],
    ["**Hybrid (default)**: BM25 with typos + dense + thesaurus, calibrated order", DEFAULT_LEXICAL, HYBRID],
  ];
  print(`## Retrieval on faq-queries.dev (${queries.length} queries, ${docs.length} articles)\n`);
  print("| method | r@1 | r@3 | r@5 | MRR | ms/query |");
  print("|---|---|---|---|---|---|");
  for (const [name, lexical, weights] of rows) {
    const index = new LexicalIndex(chunks, embedder, lexical);
    const app = weights === HYBRID;
    let r1 = 0, r3 = 0, r5 = 0, mrr = 0;
    const started = performance.now();
    for (const { query, doc_id } of queries) {
      const results = await retrieve({ workspaceId: FAQ, query, index, store, embedder, topK: 5, weights, ...(app ? { expansion: BUILT_IN_THESAURUS.expand(query), scorer: scorerOf(model) } : { order: "score" as const }) });
      const position = results.findIndex((result) => result.chunk.metadata.article_id === doc_id);
      if (position === 0) r1++;
      if (position >= 0 && position < 3) r3++;
      if (position >= 0 && position < 5) r5++;
      if (position >= 0) mrr += 1 / (position + 1);
    }
    const ms = (performance.now() - started) / queries.length;
    const f = (x: number) => f3(x / queries.length);
    print(`| ${name} | ${f(r1)} | ${f(r3)} | ${f(r5)} | ${f(mrr)} | ${ms.toFixed(1)} |`);
  }
}

async function endToEnd(short: string, name: string, embedder: Embedder): Promise<string[]> {
  const knowledge = knowledgeFor(embedder);
  const logger = createLogger("silent");
  const calibrations = new Calibrations({ knowledge, store: memoryCalibrationStore(), logger });
  // As the app starts: both workspaces are synced and fitted in the background, and the cards are
  // asked from the moment /readyz says ready, with no wait after it.
  const preparation = new WorkspacePreparation({ knowledge, calibrations, logger });
  const app = createApp({
    logger,
    clientSecret: SECRET,
    assistant: createAssistant({ knowledge, logger, calibrations, reading: (workspaceId) => preparation.isReading(workspaceId) }),
    readiness: async () => preparation.readiness(),
  });
  const server = app.listen(0, "127.0.0.1");
  // The client keeps connections 4 s; a server busy fitting can close an idle one just as it is
  // reused (ECONNRESET), so the server keeps them longer than the client does.
  server.keepAliveTimeout = 60_000;
  await new Promise((resolve) => server.once("listening", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const started = performance.now();
  void Promise.all([FAQ, DEMO].map((workspaceId) => preparation.sync(workspaceId)));
  while ((await fetch(`${base}/readyz`)).status !== 200) await new Promise((resolve) => setTimeout(resolve, 50));
  const readyAfter = (performance.now() - started) / 1000;
  const models = { faq: await calibrations.modelFor(FAQ), demo: await calibrations.modelFor(DEMO) };
  print(`\n## ${name}: self-calibration (no labels)\n`);
  print(`Both workspaces synced and fitted, /readyz 200 after ${readyAfter.toFixed(1)} s; every card below is asked from then on, with no wait.\n`);
  for (const [label, model] of Object.entries(models)) {
    const q = model.quality;
    print(`- ${label}: ${model.kind} on ${q.articles} articles, ${q.questions} generated questions; thresholds answer ${f3(model.thresholds.answer)}, choice (on topic) ${f3(model.thresholds.choice)}${Object.keys(model.thresholds.choiceIn).length > 1 ? ` (${Object.entries(model.thresholds.choiceIn).map(([language, value]) => `${language} ${f3(value)}`).join(", ")})` : ""}; held-back generated questions: Brier ${f3(q.brier)}, answer precision ${f3(q.answerPrecision)}, one click ${f3(q.oneClick)}, other businesses handed over ${f3(q.elsewhereHandedOver)}`);
  }
  await reliability(knowledge, models.faq);

  const url = `${base}/canvas/messenger/submit`;
  const template = JSON.parse(readFileSync(new URL("../fixtures/messenger-submit.json", import.meta.url), "utf8"));
  const submit = async (workspaceId: string, fields: Record<string, unknown>) => {
    const body = JSON.stringify({ ...template, workspace_id: workspaceId, ...fields });
    const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json", "x-body-signature": canvasSignature(body, SECRET) }, body });
    return response.json();
  };
  const ask = (workspaceId: string, question: string, locale = "en") => submit(workspaceId, { current_canvas: null, input_values: { question }, context: { ...template.context, locale } });
  const articlesOf = (workspaceId: string) => knowledge.articles(workspaceId);
  const maps = async (workspaceId: string) => {
    const articles = await articlesOf(workspaceId);
    return { urls: new Map(articles.flatMap((a) => (a.url ? [[a.url, a.articleId] as [string, string]] : []))), titles: new Map(articles.map((a) => [a.title, a.articleId] as [string, string])) };
  };
  const faqMaps = await maps(FAQ);
  const demoMaps = await maps(DEMO);
  // `needsPerson` marks a message that needs a person: flagging it urgent is no false alarm.
  const run = async (workspaceId: string, items: Array<{ question: string; id?: string; expect?: string; locale?: string; needsPerson?: boolean; request?: string }>, lookup: { urls: Map<string, string>; titles: Map<string, string> }) => {
    const count = { oneClick: 0, wrong: 0, nothing: 0, answered: 0, choice: 0, expected: 0, quoted: 0, urgent: 0, requests: 0, requestsHandedOver: 0 };
    for (const item of items) {
      const card = await ask(workspaceId, item.question, item.locale);
      const outcome = outcomeOf(card, lookup.urls, lookup.titles);
      if (outcome.kind === "hand_over") count.nothing++;
      if (item.request) {
        count.requests++;
        if (outcome.kind === "hand_over") count.requestsHandedOver++;
      }
      if (outcome.kind === "hand_over" && !item.needsPerson && outcome.text === urgentText(item.locale)) count.urgent++;
      if (outcome.kind === "choice") count.choice++;
      if (outcome.kind === "answer") {
        count.answered++;
        if (item.id && outcome.first !== item.id) count.wrong++;
      }
      // Does the extractive answer quote the fact asked for? Read from the answer, or from the answer a pick of the right article gives.
      const picked = outcome.kind === "choice" && item.id ? card.canvas.content.components.find((c: { id?: string; label?: string }) => c.id?.startsWith("choice_") && lookup.titles.get(c.label ?? "") === item.id) : undefined;
      const answer = picked ? outcomeOf(await submit(workspaceId, { component_id: picked.id, input_values: {}, current_canvas: card.canvas }), lookup.urls, lookup.titles) : outcome;
      if (item.expect && answer.kind === "answer" && answer.first === item.id) {
        count.expected++;
        if (answer.text.toLowerCase().includes(item.expect.toLowerCase())) count.quoted++;
      }
      if (item.id && outcome.kind !== "hand_over" && outcome.shown.slice(0, 3).includes(item.id)) count.oneClick++;
    }
    return count;
  };
  const n = (part: number, whole: number) => f3(part / whole);
  // The card an urgent hand-over shows, in the customer's language (the fixture's contact is Maria).
  const urgentText = (locale = "en") => translate(languageOfLocale(locale), "handoff", { reason: "urgent_problem", name: "Maria", helpCenterName: DEFAULT_POLICY.help_center_name });
  const dev = await run(FAQ, queries.map((q) => ({ question: q.query, id: q.doc_id, request: faqDevRequests.get(q.query) })), faqMaps);
  const off = await run(FAQ, offTopic.map((row) => ({ question: row.text, needsPerson: row.needs_human })), faqMaps);
  const demo = await run(DEMO, paraphrases.map((p) => ({ question: p.question, id: p.article_id, expect: p.expect, request: p.request })), demoMaps);
  // Messages that need a person, asked of the FAQ's Help Center: handed over at once, or only offered a choice beside "Talk to a human".
  const needing = dataset!.intents.filter((row) => row.needs_human);
  const needingItems = needing.map((row) => ({ question: row.text }));
  const needs = await run(FAQ, needingItems, faqMaps);
  // In the customer's language, with the Messenger set to it: questions about articles the demo
  // has only in English. Requests for a person are judged from the message alone, as in the
  // escalation table: a hand-over for want of an answer must not count as one.
  const languages = [...new Set(multilingual.map((row) => row.language))];
  const offline = new OfflineIntentClassifier();
  const multi: string[] = [];
  let multiOneClick = 0;
  for (const language of languages) {
    const questions = multilingual.filter((row) => row.language === language && row.article_id);
    // The first 20 requests per language shaped the trigger patterns; those "written after" them were measured once, unseen.
    const requests = multilingual.filter((row) => row.language === language && row.needs_human && !row.written);
    const later = multilingual.filter((row) => row.language === language && row.needs_human && row.written);
    const ask = (rows: typeof questions) => run(DEMO, rows.map((row) => ({ question: row.question, id: row.article_id, locale: language })), demoMaps);
    const translatedQuestions = questions.filter((row) => row.translated);
    const englishOnlyQuestions = questions.filter((row) => !row.translated);
    const translated = await ask(translatedQuestions);
    const englishOnly = await ask(englishOnlyQuestions);
    multiOneClick += translated.oneClick + englishOnly.oneClick;
    const needsHuman = (question: string) => offline.classify(question, [], analysisLanguageOf(language)).needsHuman;
    const recalled = requests.filter((row) => needsHuman(row.question)).length;
    const recalledLater = later.filter((row) => needsHuman(row.question)).length;
    // Questions (about articles, or about the product with words like "call", "delete", "contact") that must not be taken for requests.
    const notRequests = [...questions, ...multilingual.filter((row) => row.language === language && row.needs_human === false)];
    const falseAlarms = notRequests.filter((row) => needsHuman(row.question)).length;
    multi.push(
      `| ${short} | ${language} | ${n(translated.oneClick, translatedQuestions.length)} (${translatedQuestions.length}) | ${n(translated.wrong, translatedQuestions.length)} | ${n(englishOnly.oneClick, englishOnlyQuestions.length)} (${englishOnlyQuestions.length}) | ${n(englishOnly.wrong, englishOnlyQuestions.length)} | ${n(translated.nothing + englishOnly.nothing, questions.length)} | ${n(recalled, requests.length)} (${requests.length}) | ${later.length ? `${n(recalledLater, later.length)} (${later.length})` : ""} | ${n(falseAlarms, notRequests.length)} (${notRequests.length}) |`,
    );
  }
  multilingualRows.push(...multi);

  // Hand-overs per workspace: whether a customer who asks for a person gets one must not depend on the Help Center.
  const asked = (rows: Array<{ text: string; language: string }>) => rows.map((row) => ({ question: row.text, locale: row.language }));
  for (const [label, workspaceId, lookup, answerable, answerableCount, answerableName] of [
    ["FAQ", FAQ, faqMaps, dev, queries.length, "faq-queries.dev"],
    ["demo", DEMO, demoMaps, demo, paraphrases.length, "demo paraphrases"],
  ] as const) {
    const explicit = await run(workspaceId, asked(requests), lookup);
    const needed = workspaceId === FAQ ? needs : await run(workspaceId, needingItems, lookup);
    const urgentQuestions = answerable.urgent + (workspaceId === FAQ ? off.urgent : 0);
    const questionCount = answerableCount + (workspaceId === FAQ ? offTopic.filter((row) => !row.needs_human).length : 0);
    const questions = answerableCount - answerable.requests;
    handOverRows.push(`| ${short} | ${label} | ${n(explicit.nothing, requests.length)} (${requests.length}) | ${n(needed.nothing, needing.length)} (${needing.length}) | ${n(answerable.nothing - answerable.requestsHandedOver, questions)} ${answerableName} (${questions}) | ${answerable.requestsHandedOver} of ${answerable.requests} | ${n(urgentQuestions, questionCount)} (${questionCount}) |`);
    const heldRequests = heldOut.filter((row) => row.needs_human);
    const heldQuestions = heldOut.filter((row) => !row.needs_human);
    const held = await run(workspaceId, asked(heldRequests), lookup);
    const benign = await run(workspaceId, asked(heldQuestions), lookup);
    heldOutRows.push(`| ${short} | ${label} | ${n(held.nothing, heldRequests.length)} (${heldRequests.length}) | ${n(benign.nothing, heldQuestions.length)} (${heldQuestions.length}) | ${n(benign.urgent, heldQuestions.length)} |`);
  }
  const heldParaphrases = await run(DEMO, heldOutParaphrases.map((p) => ({ question: p.question, id: p.article_id })), demoMaps);
  const h = heldOutParaphrases.length;
  heldOutParaphraseRows.push(`| ${short} | ${n(heldParaphrases.oneClick, h)} | ${n(heldParaphrases.answered, h)} | ${n(heldParaphrases.wrong, h)} | ${n(heldParaphrases.nothing, h)} |`);
  const multiQuestions = multilingual.filter((row) => row.article_id).length;
  configurationRows.push(
    `| ${short} | ${readyAfter.toFixed(1)} s | ${n(dev.oneClick, queries.length)} | ${n(dev.answered, queries.length)} | ${n(demo.oneClick, paraphrases.length)} | ${n(demo.answered, paraphrases.length)} | ${n(heldParaphrases.oneClick, h)} | ${n(heldParaphrases.answered, h)} | ${n(heldParaphrases.wrong, h)} | ${n(multiOneClick, multiQuestions)} | ${n(off.choice, offTopic.length)} | ${n(off.answered, offTopic.length)} |`,
  );
  server.close();
  return [
    `| ${short} | faq-queries.dev (${queries.length}) | ${n(dev.oneClick, queries.length)} | ${n(dev.wrong, queries.length)} | ${n(dev.nothing, queries.length)} | ${n(dev.answered, queries.length)} | ${n(dev.choice, queries.length)} | |`,
    `| ${short} | off-topic BANKING77 rows (${offTopic.length}) | | answered anyway ${n(off.answered, offTopic.length)} | ${n(off.nothing, offTopic.length)} | ${n(off.answered, offTopic.length)} | ${n(off.choice, offTopic.length)} | |`,
    `| ${short} | intents.dev messages that need a person (${needing.length}) | | | handed over ${n(needs.nothing, needing.length)} | ${n(needs.answered, needing.length)} | ${n(needs.choice, needing.length)} | |`,
    `| ${short} | demo paraphrases (${paraphrases.length}) | ${n(demo.oneClick, paraphrases.length)} | ${n(demo.wrong, paraphrases.length)} | ${n(demo.nothing, paraphrases.length)} | ${n(demo.answered, paraphrases.length)} | ${n(demo.choice, paraphrases.length)} | ${demo.quoted} of ${demo.expected} |`,
  ];
}

/** Does "70% sure" mean right 70% of the time on real questions? Every top-three article of the dev and off-topic questions is a sample. */
async function reliability(knowledge: HelpCenterKnowledge, model: CalibrationModel) {
  const scorer = scorerOf(model);
  const searched = await knowledge.searchMany(FAQ, [...queries.map((q) => ({ query: q.query })), ...offTopic.map((row) => ({ query: row.text }))], { scorer, topK: 3 });
  const samples = searched.flatMap((results, i) => results.map((passage) => ({ p: passage.confidence, right: i < queries.length && passage.articleId === queries[i]!.doc_id })));
  print(`\nReliability on the real dev questions (${samples.length} articles: top three of ${queries.length} FAQ and ${offTopic.length} off-topic questions), Brier ${f3(brierScore(samples))}:\n`);
  print("| predicted | articles | mean predicted | share right |");
  print("|---|---|---|---|");
  for (const bin of reliabilityTable(samples)) print(`| ${bin.from.toFixed(1)}-${bin.to.toFixed(1)} | ${bin.count} | ${f3(bin.predicted)} | ${f3(bin.observed)} |`);
}

/** Escalation from the message alone on intents.dev, as the datasets README measures it. */
async function escalationTable() {
  const rows = dataset!.intents;
  const classifier = new OfflineIntentClassifier();
  const { heldOut: folds, thresholds, temperature } = classifier.requests.saved;
  print(`\n## The request model on its held-out folds (${folds.rows} training rows, 5-fold cross-validation, temperature ${temperature})\n`);
  print(`Brier ${f3(folds.brier)}. A person needed at p ≥ ${thresholds.person}: recall ${f3(folds.personRecall)}, questions taken for requests ${f3(folds.falsePerson)}. Urgent at p ≥ ${thresholds.urgent}: recall ${f3(folds.urgentRecall)}, questions flagged urgent ${f3(folds.falseUrgent)}.\n`);
  print("| predicted | rows | mean predicted | share needing a person |");
  print("|---|---|---|---|");
  for (const bin of folds.reliability) print(`| ${bin.from.toFixed(1)}-${bin.to.toFixed(1)} | ${bin.count} | ${f3(bin.predicted)} | ${f3(bin.observed)} |`);
  const offline = rows.map((row) => classifier.classify(row.text, DEFAULT_POLICY.escalation_triggers));
  const methods: Array<[string, (i: number) => boolean, ((i: number) => string) | undefined]> = [
    ["trigger phrases and patterns alone", (i) => Boolean(offline[i]!.trigger), undefined],
    [`request model alone (calibrated p ≥ ${thresholds.person}, words as evidence)`, (i) => classifier.requests.verdict(rows[i]!.text).needsPerson, undefined],
    ["offline default: triggers or request model", (i) => offline[i]!.needsHuman, (i) => offline[i]!.intent],
  ];
  const llm = await llmVerdicts(rows.map((row) => row.text), classifier);
  if (llm) methods.push([`LLM (${process.env.OPENAI_CHAT_MODEL ?? "gpt-4o-mini"}), triggers kept`, (i) => llm[i]!.needsHuman, (i) => llm[i]!.intent]);
  const positives = rows.flatMap((row, i) => (row.needs_human ? [i] : []));
  const negatives = rows.flatMap((row, i) => (row.needs_human ? [] : [i]));
  const faq = negatives.filter((i) => rows[i]!.intent === "faq_question");
  const rate = (indices: number[], predicate: (i: number) => boolean) => (indices.filter(predicate).length / indices.length).toFixed(3);
  print(`\nEscalation on intents.dev (${rows.length} messages, ${positives.length} need a person; message alone):\n`);
  print("| method | needs-human recall | false escalation | false escalation (FAQ) | questions flagged urgent | intent accuracy |");
  print("|---|---|---|---|---|---|");
  for (const [name, escalates, intentOf] of methods) {
    const accuracy = intentOf ? rate(rows.map((_, i) => i), (i) => intentOf(i) === rows[i]!.intent) : "n/a";
    const urgent = intentOf ? rate(negatives, (i) => escalates(i) && intentOf(i) === "urgent_problem") : "n/a";
    print(`| ${name} | ${rate(positives, escalates)} | ${rate(negatives, escalates)} | ${rate(faq, escalates)} | ${urgent} | ${accuracy} |`);
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

