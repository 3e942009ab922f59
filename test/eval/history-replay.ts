// npm run eval -- --history: what reading the team's past conversations at install teaches.
// The fake Intercom serves one half of the questions as closed conversations (14 in 20 with a
// teammate's reply linking the right article, 3 with a reply without a link, 2 never answered by a
// teammate, 1 deleted between the search that lists it and its reading), in pages, with a 429 every
// 97 reads; the app reads them as on its first start (server/learning/backfill.ts), then the other
// half and the off-topic rows are asked through signed cards. Run on faq-queries.dev's usual split
// and on the held-out set (test/fixtures/heldout/history-generalisation.jsonl, written before this
// work and never tuned on), with both embedders; and the reading's pace on 1,000 conversations at
// the policy's default rate.
import { readFileSync } from "node:fs";
import { DEFAULT_POLICY } from "../../server/assistant/policy.ts";
import type { Embedder } from "../../server/knowledge/embedder.ts";
import type { HelpCenterSnapshot } from "../../server/knowledge/help-center.ts";
import { HISTORY_JOB, HistoryBackfill, type HistoryRun } from "../../server/learning/backfill.ts";
import { PARAPHRASE_JOB } from "../../server/learning/paraphrases.ts";
import type { ChatModel } from "../../server/assistant/chat-model.ts";
import { forecastSummary, latestForecast } from "../../server/learning/forecast.ts";
import { createLogger } from "../../server/logger.ts";
import { Worker } from "../../server/storage/queue.ts";
import type { FaqDataset } from "./faq-dataset.ts";
import { replayApp, UNTUNED_SEED, WORKSPACE, type ReplayApp } from "./learning-replay.ts";

type Print = (line?: string) => void;
const f3 = (part: number, whole: number) => (whole ? part / whole : 0).toFixed(3);
const TEAMMATE = { type: "admin", id: "4412783", name: "Sam Okafor" };
const logger = createLogger("silent");

interface HeldOutRow {
  workspace: "faq" | "demo";
  article_id: string;
  half: "teach" | "ask";
  question: string;
}
const heldOut = readFileSync(new URL("../fixtures/heldout/history-generalisation.jsonl", import.meta.url), "utf8")
  .split("\n")
  .filter(Boolean)
  .map((line) => JSON.parse(line) as HeldOutRow);

/** What the team did with the i-th conversation of the history. */
const teamOf = (i: number) => (i % 20 < 14 ? "linked" : i % 20 < 17 ? "unlinked" : i % 20 < 19 ? "unanswered" : "deleted");

/** The taught half as Intercom's closed conversations, the newest first. */
function pastConversations(replay: ReplayApp, taught: FaqDataset["queries"], copies = 1) {
  const now = Math.floor(Date.now() / 1000);
  const conversations = new Map<string, Record<string, unknown>>();
  const gone = new Set<string>();
  let i = 0;
  for (let copy = 0; copy < copies; copy++) {
    for (const { query, doc_id } of taught) {
      const id = String(51_000_000_000 + i);
      const team = teamOf(i);
      const reply =
        team === "linked"
          ? `<p>Hi! This should help: <a href="${replay.urlOf.get(doc_id)}">the article</a>.</p>`
          : team === "unlinked"
            ? "<p>Thanks for asking! Let me check with the team and get back to you.</p>"
            : undefined;
      conversations.set(id, {
        type: "conversation",
        id,
        state: "closed",
        created_at: now - i * 900 - 300,
        updated_at: now - i * 900,
        source: { type: "conversation", delivered_as: "customer_initiated", body: `<p>${query.replace(/</g, "&lt;")}</p>`, author: { type: "user", id: `contact-${i}` } },
        conversation_parts: {
          type: "conversation_part.list",
          conversation_parts: reply ? [{ type: "conversation_part", id: `${id}1`, part_type: "comment", body: reply, author: TEAMMATE }] : [],
          total_count: reply ? 1 : 0,
        },
      });
      if (team === "deleted") gone.add(id);
      i++;
    }
  }
  return { conversations, gone };
}

/** Reads the fake history as the app does on its first start; the run and how long it took. */
async function readHistory(replay: ReplayApp, requestsPerSecond: number): Promise<{ run: HistoryRun; seconds: number }> {
  const history = new HistoryBackfill({
    db: replay.db,
    queue: replay.queue,
    clientFor: () => replay.client,
    knowledge: replay.knowledge,
    learned: replay.learned,
    settings: { policyFor: async () => ({ ...DEFAULT_POLICY, history: { days: 3650, max_conversations: 100_000, requests_per_second: requestsPerSecond } }) },
    refit: (workspaceId) => replay.calibrations.refit(workspaceId, { force: true }),
    assistant: replay.assistant,
    logger,
  });
  const worker = new Worker(replay.queue, { [HISTORY_JOB]: history.handler(), ...(replay.paraphrases ? { [PARAPHRASE_JOB]: replay.paraphrases.handler() } : {}) }, logger, { pollMs: 50, batch: 1, kinds: { only: [HISTORY_JOB, PARAPHRASE_JOB] } });
  const started = Date.now();
  await history.start(WORKSPACE);
  for (;;) {
    await worker.drain();
    const run = await history.latest(WORKSPACE);
    if (run && run.state !== "running") {
      if (replay.paraphrases) {
        // The model's last rewordings, then the fit again with them, as the next sync would.
        await worker.drain();
        await replay.calibrations.refit(WORKSPACE, { force: true });
      }
      return { run, seconds: (Date.now() - started) / 1000 };
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

interface Row {
  label: string;
  before: Awaited<ReturnType<ReplayApp["measure"]>>;
  after: Awaited<ReturnType<ReplayApp["measure"]>>;
  asked: number;
  offTopic: number;
  forecast: number;
  run: HistoryRun;
  seconds: number;
}

async function oneReplay(options: { chromaUrl: string; dataset: FaqDataset; secret: string; embedder: Embedder; label: string; seed?: number; halves?: { taught: FaqDataset["queries"]; asked: FaqDataset["queries"] }; model?: ChatModel }): Promise<Row> {
  const replay = await replayApp(options);
  try {
    const before = await replay.measure();
    const { conversations, gone } = pastConversations(replay, replay.taught);
    replay.intercom.conversations = conversations;
    replay.intercom.gone = gone;
    replay.intercom.rateLimitEvery = 97;
    const { run, seconds } = await readHistory(replay, 50);
    const after = await replay.measure();
    const rows = await latestForecast(replay.db, WORKSPACE);
    const { counts, linked } = forecastSummary(rows);
    return { label: options.label, before, after, asked: replay.asked.length, offTopic: options.dataset.offTopic.length, forecast: linked ? counts.answered_agreeing.after / linked : 0, run, seconds };
  } finally {
    await replay.close();
  }
}

/** The demo Help Center as a dataset of its own: the held-out questions, the FAQ's off-topic rows. */
function demoDataset(snapshot: HelpCenterSnapshot, faq: FaqDataset): FaqDataset {
  return { dir: "", docs: [], queries: [], intents: [], offTopic: faq.offTopic, snapshot };
}

const heldOutHalves = (workspace: HeldOutRow["workspace"]) => {
  const rows = heldOut.filter((row) => row.workspace === workspace).map((row) => ({ query: row.question, doc_id: row.article_id, half: row.half }));
  return { taught: rows.filter((row) => row.half === "teach"), asked: rows.filter((row) => row.half === "ask") };
};

/** Runs every reading; prints the page's tables and returns the README's summary of them. */
export async function historyReplay(options: { chromaUrl: string; dataset: FaqDataset; demoSnapshot: HelpCenterSnapshot; secret: string; print: Print; embedders: Array<[string, Embedder]>; model?: ChatModel }): Promise<string[]> {
  const { print } = options;
  const rows: Row[] = [];
  for (const [embedderName, embedder] of options.embedders) {
    const name = options.model ? `${embedderName}, rewordings by ${options.model.name}` : embedderName;
    rows.push(await oneReplay({ ...options, embedder, label: `FAQ, faq-queries.dev halves, ${name}` }));
    rows.push(await oneReplay({ ...options, embedder, seed: UNTUNED_SEED, label: `FAQ, faq-queries.dev halves of a split never tuned on, ${name}` }));
    rows.push(await oneReplay({ ...options, embedder, label: `FAQ, held-out questions, ${name}`, halves: heldOutHalves("faq") }));
    rows.push(await oneReplay({ ...options, dataset: demoDataset(options.demoSnapshot, options.dataset), embedder, label: `demo, held-out questions, ${name}`, halves: heldOutHalves("demo") }));
  }
  const table = [
    "| history read (half taught as past conversations, the other half asked) | answered directly before | after | one click away before | after | answered from a wrong article after | off-topic answered before | after | forecast: answered and agreeing | cards: answered from the right article | conversations read (not found) | questions learned |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ...rows.map(
      (row) =>
        `| ${row.label} | ${f3(row.before.answered, row.asked)} | ${f3(row.after.answered, row.asked)} | ${f3(row.before.oneClick, row.asked)} | ${f3(row.after.oneClick, row.asked)} | ${f3(row.after.wrong, row.asked)} | ${f3(row.before.offAnswered, row.offTopic)} | ${f3(row.after.offAnswered, row.offTopic)} | ${row.forecast.toFixed(3)} | ${f3(row.after.answered - row.after.wrong, row.asked)} | ${row.run.progress.read} (${row.run.progress.notFound}) | ${row.run.progress.learned} |`,
    ),
  ];
  print("## Reading the team's history at install\n");
  print("One half of the questions served by the fake Intercom as closed conversations (14 in 20 with a teammate's reply linking the right article, 3 with a reply without a link, 2 never answered, 1 deleted before it is read; pages of 50, a 429 every 97 reads), read as on a first start; then the other half and the off-topic rows through signed cards. The forecast column is the reading's own prediction (its conversations answered directly with the team's article, each forecast without what it taught itself, as a new customer's question would be); the cards column is what the asked half then got. Both halves are samples of one set: a split whose asked half holds more near-copies of taught questions gets more than the forecast says, as the two splits show.\n");
  for (const line of table) print(line);

  // The pace: 1,000 conversations at the policy's default rate, with the 429s.
  const replay = await replayApp({ ...options, model: undefined, embedder: options.embedders[0]![1] });
  try {
    const { conversations, gone } = pastConversations(replay, replay.taught, Math.ceil(1000 / replay.taught.length));
    replay.intercom.conversations = new Map([...conversations].slice(0, 1000));
    replay.intercom.gone = gone;
    replay.intercom.rateLimitEvery = 97;
    const { run, seconds } = await readHistory(replay, DEFAULT_POLICY.history.requests_per_second);
    const line = `\n1,000 conversations read at the default ${DEFAULT_POLICY.history.requests_per_second} requests a second, with a 429 every 97 reads: ${(seconds / 60).toFixed(1)} minutes (${run.progress.read} read, ${run.progress.notFound} not found, ${run.progress.learned} questions learned; forecast included).`;
    print(line);
  } finally {
    await replay.close();
  }
  // The README's summary: the offline embedder's rows (the page has both embedders).
  return [
    "| half of the questions read as past conversations, the other half asked (offline embedder) | answered directly before | after | one click away after | wrong article after | off-topic answered after | forecast vs cards |",
    "|---|---|---|---|---|---|---|",
    ...rows
      .filter((row) => row.label.includes(options.embedders[0]![0]))
      .map((row) => `| ${row.label.split(`, ${options.embedders[0]![0]}`)[0]} | ${f3(row.before.answered, row.asked)} | ${f3(row.after.answered, row.asked)} | ${f3(row.after.oneClick, row.asked)} | ${f3(row.after.wrong, row.asked)} | ${f3(row.after.offAnswered, row.offTopic)} | ${row.forecast.toFixed(3)} vs ${f3(row.after.answered - row.after.wrong, row.asked)} |`),
  ];
}
