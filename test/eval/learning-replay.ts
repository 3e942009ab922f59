// npm run eval -- --learning: does the assistant learn from the team and from customers?
// faq-queries.dev is split in two halves by a fixed seed; the second half (and the off-topic rows)
// is asked through signed cards before and after the first half is replayed into the app:
// - from the team: resolved conversations through signed webhooks (the customer asks, the
//   assistant posts its suggestion, a teammate replies with a link to the right article, closed),
//   on the usual split and on one never tuned on;
// - from customers, for each embedder: two simulated contacts ask each question through signed
//   cards, pick the right article when it is offered, and ask for more help otherwise;
// - poisoning: contacts who pick wrong articles for one question, one each, then five who agree.
// After each replay the answer decisions are fitted again, as the hourly sync does once enough
// questions were learned.
import { mkdtemp, rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Calibrations, memoryCalibrationStore } from "../../server/answer-decision/calibrations.ts";
import { createAssistant } from "../../server/assistant/create-assistant.ts";
import { DEFAULT_POLICY } from "../../server/assistant/policy.ts";
import { createApp } from "../../server/http/app.ts";
import { BotIdentity } from "../../server/intercom/bot-identity.ts";
import { createIntercomClient } from "../../server/intercom/client.ts";
import { canvasSignature, webhookSignature } from "../../server/intercom/signature.ts";
import { ChromaStore } from "../../server/knowledge/chroma-store.ts";
import type { Embedder } from "../../server/knowledge/embedder.ts";
import { HelpCenterKnowledge } from "../../server/knowledge/help-center-knowledge.ts";
import { OfflineEmbedder } from "../../server/knowledge/offline-embedder.ts";
import { LearnedQuestions } from "../../server/learning/learned-questions.ts";
import { Paraphrases } from "../../server/learning/paraphrases.ts";
import type { ChatModel } from "../../server/assistant/chat-model.ts";
import { CustomerPicks, HELD_BACK_JOB } from "../../server/learning/customer-picks.ts";
import { createLogger } from "../../server/logger.ts";
import { EventLog } from "../../server/metrics/events.ts";
import { openDatabase } from "../../server/storage/database.ts";
import { JobQueue, Worker } from "../../server/storage/queue.ts";
import { WEBHOOK_JOB, webhookHandler } from "../../server/webhooks/process.ts";
import { startFakeIntercom } from "../helpers/fake-intercom.ts";
import { outcomeOf, type Outcome } from "./card-outcome.ts";
import type { FaqDataset } from "./faq-dataset.ts";

export const WORKSPACE = "eval-learning";
export const SEED = 20261125;
/** A second split, never tuned on: the team's replay is measured on it too. */
export const UNTUNED_SEED = 20261204;
const TEAMMATE = { type: "admin", id: "4412783", name: "Sam Okafor" };

/** A fixed shuffle (mulberry32), so both halves are the same on every run and every machine. */
export function shuffled<T>(items: T[], seed: number): T[] {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/${name}.json`, import.meta.url), "utf8"));

type Print = (line?: string) => void;
type Card = { canvas: { content: { components: Array<Record<string, any>> } } } & Record<string, any>;

/**
 * One replay's app: its own Chroma collections, database, queue and worker, served over HTTP. The
 * dataset's questions are split in two halves by the seed, unless `halves` names them.
 */
export async function replayApp(options: { chromaUrl: string; dataset: FaqDataset; secret: string; embedder: Embedder; seed?: number; halves?: { taught: FaqDataset["queries"]; asked: FaqDataset["queries"] }; model?: ChatModel }) {
  const logger = createLogger("silent");
  const knowledge = new HelpCenterKnowledge({
    store: new ChromaStore(options.chromaUrl, options.embedder.id, `learn${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`),
    embedder: options.embedder,
    sourceFor: () => ({ kind: "demo", fetch: async () => options.dataset.snapshot }),
    logger,
  });
  await knowledge.sync(WORKSPACE);
  const calibrations = new Calibrations({ knowledge, store: memoryCalibrationStore(), logger });
  await calibrations.refit(WORKSPACE);
  const dataDir = await mkdtemp(path.join(tmpdir(), "assistant-learning-"));
  const db = await openDatabase({ dataDir });
  const intercom = await startFakeIntercom({ workspaceId: WORKSPACE });
  const queue = new JobQueue(db, { leaseMs: 60_000, maxAttempts: 3, backoffMs: () => 0 });
  // With a model, what people teach is reworded by it, as the app does (server/learning/paraphrases.ts).
  let paraphrases: Paraphrases | undefined;
  const learned = new LearnedQuestions({ db, index: knowledge, logger, onTaught: async (workspaceId, questions) => paraphrases?.request(workspaceId, questions) });
  const assistant = createAssistant({ knowledge, logger, calibrations, notHelped: (workspaceId, question) => learned.notHelpedFor(workspaceId, question) });
  if (options.model) paraphrases = new Paraphrases({ queue, model: options.model, learned, knowledge, calibrations, settings: assistant.settings, logger });
  // Picks are confirmed when the worker next runs: the replay stands in for the window's wait. The
  // daily cap counts in the replay's own days, which pass when it says (nextDay).
  let today = new Date();
  const picks = new CustomerPicks({ db, queue, learned, policyFor: async () => ({ ...(await assistant.settings.policyFor(WORKSPACE)), customer_pick_confirm_minutes: 0 }), logger, clock: () => today });
  const client = createIntercomClient({ token: "fake-access-token", baseUrl: intercom.url });
  const worker = new Worker(
    queue,
    {
      [WEBHOOK_JOB]: webhookHandler({ assistant, clientFor: () => client, directoryFor: () => undefined, bot: new BotIdentity(), queue, db, logger, freshness: { changed: () => undefined, traffic: () => undefined }, events: new EventLog(db), learned }),
      ...picks.handlers(),
    },
    logger,
  );
  const server = createApp({ logger, clientSecret: options.secret, assistant, readiness: () => knowledge.readiness(), queue, learned, picks }).listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const post = async (route: string, body: unknown, sign: (raw: string) => Record<string, string>) => {
    const raw = JSON.stringify(body);
    const response = await fetch(`${base}${route}`, { method: "POST", headers: { "content-type": "application/json", ...sign(raw) }, body: raw });
    if (!response.ok) throw new Error(`${route} answered ${response.status}`);
    return response.json();
  };
  const template = fixture("messenger-submit");
  /** A card submit as `contact` in `conversation` (the fixture's by default). */
  const submit = (fields: Record<string, unknown>, who: { contact?: string; conversation?: number } = {}): Promise<Card> =>
    post(
      "/canvas/messenger/submit",
      { ...template, workspace_id: WORKSPACE, user: { ...template.user, id: who.contact ?? template.user.id }, context: { ...template.context, conversation_id: who.conversation ?? template.context.conversation_id }, ...fields },
      (raw) => ({ "x-body-signature": canvasSignature(raw, options.secret) }),
    );
  const ask = (question: string, who: { contact?: string; conversation?: number } = {}) => submit({ current_canvas: null, input_values: { question } }, who);
  const webhook = (body: unknown) => post("/webhooks/intercom", body, (raw) => ({ "x-hub-signature": webhookSignature(raw, options.secret) }));
  const articles = await knowledge.articles(WORKSPACE);
  const urls = new Map(articles.flatMap((a) => (a.url ? [[a.url, a.articleId] as [string, string]] : [])));
  const titles = new Map(articles.map((a) => [a.title, a.articleId] as [string, string]));
  const outcome = (card: Card): Outcome => outcomeOf(card, urls, titles);
  const halves = shuffled(options.dataset.queries, options.seed ?? SEED);
  const taught = options.halves?.taught ?? halves.slice(0, Math.ceil(halves.length / 2));
  const asked = options.halves?.asked ?? halves.slice(taught.length);

  /** The asked half and the off-topic rows through signed cards. */
  const measure = async () => {
    const count = { answered: 0, oneClick: 0, wrong: 0, nothing: 0, offAnswered: 0 };
    for (const { query, doc_id } of asked) {
      const seen = outcome(await ask(query));
      if (seen.kind === "hand_over") count.nothing++;
      else if (seen.shown.slice(0, 3).includes(doc_id)) count.oneClick++;
      if (seen.kind === "answer") count.answered++;
      if (seen.kind === "answer" && seen.first !== doc_id) count.wrong++;
    }
    for (const { text } of options.dataset.offTopic) if (outcome(await ask(text)).kind === "answer") count.offAnswered++;
    return count;
  };
  /** A day passes: the questions the daily cap held back are tried again. How many were waiting. */
  const nextDay = async () => {
    today = new Date(today.getTime() + 86_400_000);
    const due = await db.query("UPDATE jobs SET run_at = now() WHERE kind = $1 AND status = 'pending' RETURNING id", [HELD_BACK_JOB]);
    await worker.drain();
    return due.length;
  };
  return {
    knowledge, db, learned, worker, submit, ask, webhook, outcome, titles, measure, taught, asked, nextDay, intercom, queue, assistant, calibrations, client, paraphrases,
    /** The hourly sync: it fits the answer decisions again once enough questions were learned. */
    scheduledSync: () => calibrations.refit(WORKSPACE),
    urlOf: new Map(articles.map((a) => [a.articleId, a.url ?? ""])),
    titleOf: new Map(articles.map((a) => [a.articleId, a.title])),
    async close() {
      server.close();
      await intercom.close();
      await db.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
export type ReplayApp = Awaited<ReturnType<typeof replayApp>>;

const f3 = (part: number, whole: number) => (part / whole).toFixed(3);

type Measured = Awaited<ReturnType<ReplayApp["measure"]>>;

function beforeAfter(print: Print, replay: ReplayApp, before: Measured, after: Measured, offTopic: number, later?: [string, Measured]) {
  print("| | answered directly | one click away | answered from a wrong article | nothing offered | off-topic answered |");
  print("|---|---|---|---|---|---|");
  for (const [label, c] of [["before", before], ["after", after], ...(later ? [later] : [])] as const) {
    print(`| ${label} | ${f3(c.answered, replay.asked.length)} | ${f3(c.oneClick, replay.asked.length)} | ${f3(c.wrong, replay.asked.length)} | ${f3(c.nothing, replay.asked.length)} | ${f3(c.offAnswered, offTopic)} |`);
  }
}

/** One replay's line in the summary: what it taught, and the asked half before and after. */
type SummaryRow = { replay: string; before: Measured; after: Measured; asked: number; offTopic: number };

/** Runs every replay; returns a summary table of them (the README shows it). */
export async function learningReplay(options: { chromaUrl: string; dataset: FaqDataset; secret: string; print: Print; embedders: Array<[string, Embedder]> }): Promise<string[]> {
  const summary: SummaryRow[] = [];
  const add = (row: SummaryRow) => void summary.push(row);
  await fromTheTeam({ ...options, seed: SEED, add });
  await fromTheTeam({ ...options, seed: UNTUNED_SEED, add });
  for (const [name, embedder] of options.embedders) await fromCustomers({ ...options, name, embedder, add });
  await poisoning(options);
  return [
    "| replay (faq-queries.dev, half taught, the other half asked) | answered directly before | after | one click away before | after | answered from a wrong article after | off-topic answered before | after |",
    "|---|---|---|---|---|---|---|---|",
    ...summary.map(({ replay, before, after, asked, offTopic }) =>
      `| ${replay} | ${f3(before.answered, asked)} | ${f3(after.answered, asked)} | ${f3(before.oneClick, asked)} | ${f3(after.oneClick, asked)} | ${f3(after.wrong, asked)} | ${f3(before.offAnswered, offTopic)} | ${f3(after.offAnswered, offTopic)} |`,
    ),
  ];
}

async function fromTheTeam(options: { chromaUrl: string; dataset: FaqDataset; secret: string; print: Print; seed: number; add: (row: SummaryRow) => void }) {
  const replay = await replayApp({ ...options, embedder: new OfflineEmbedder() });
  try {
    const before = await replay.measure();
    let notification = 0;
    const conversation = (id: string, question: string, topic: string, parts: unknown[] = []) => {
      const body = fixture("webhook-conversation-user-created");
      Object.assign(body, { id: `notif_replay_${++notification}`, topic, app_id: WORKSPACE });
      Object.assign(body.data.item, { id, source: { ...body.data.item.source, body: `<p>${question.replace(/</g, "&lt;")}</p>` }, conversation_parts: { type: "conversation_part.list", conversation_parts: parts, total_count: parts.length } });
      return body;
    };
    for (const [i, { query, doc_id }] of replay.taught.entries()) {
      const id = String(41_000_000_000 + i);
      await replay.webhook(conversation(id, query, "conversation.user.created"));
      await replay.worker.drain();
      const reply = { type: "conversation_part", id: `${id}1`, part_type: "comment", body: `<p>Hi! This should help: <a href="${replay.urlOf.get(doc_id)}">the article</a>.</p>`, author: TEAMMATE };
      await replay.webhook(conversation(id, query, "conversation.admin.replied", [reply]));
      await replay.webhook(conversation(id, query, "conversation.admin.closed", [reply]));
      await replay.worker.drain();
    }
    const learnedCount = (await replay.learned.list(WORKSPACE)).filter((q) => q.status === "active").length;
    await replay.scheduledSync();
    const after = await replay.measure();
    options.print(`${options.seed === SEED ? "" : "\n"}## Learning from the team: faq-queries.dev in two halves (seed ${options.seed}${options.seed === SEED ? "" : ", a split never tuned on"}), offline embedder\n`);
    options.print(`${replay.taught.length} conversations replayed through signed webhooks (question, suggestion, a teammate's reply linking the right article, closed); ${learnedCount} questions learned, and the answer decisions fitted again with them (as the hourly sync does). Measured on the other ${replay.asked.length} questions and the ${options.dataset.offTopic.length} off-topic rows, through signed cards:\n`);
    beforeAfter(options.print, replay, before, after, options.dataset.offTopic.length);
    options.add({ replay: `the team's links, offline embedder${options.seed === SEED ? "" : ", a split never tuned on"}`, before, after, asked: replay.asked.length, offTopic: options.dataset.offTopic.length });
  } finally {
    await replay.close();
  }
}

/** The choice button for an article on a card, if the card offers it. */
const choiceFor = (card: Card, title: string | undefined) => card.canvas.content.components.find((c) => typeof c.id === "string" && c.id.startsWith("choice_") && c.label === title);

async function fromCustomers(options: { chromaUrl: string; dataset: FaqDataset; secret: string; print: Print; name: string; embedder: Embedder; add: (row: SummaryRow) => void }) {
  const replay = await replayApp(options);
  try {
    const before = await replay.measure();
    let conversation = 42_000_000_000;
    const behaviour = { picked: 0, answered: 0, moreHelp: 0 };
    for (const [i, { query, doc_id }] of replay.taught.entries()) {
      for (const contact of [`customer-${i}-a`, `customer-${i}-b`]) {
        const who = { contact, conversation: ++conversation };
        const card = await replay.ask(query, who);
        const seen = replay.outcome(card);
        const choice = choiceFor(card, replay.titleOf.get(doc_id));
        if (choice) {
          behaviour.picked++;
          await replay.submit({ component_id: choice.id, input_values: {}, current_canvas: card.canvas }, who);
        } else if (seen.kind === "answer" && seen.first === doc_id) {
          behaviour.answered++;
        } else {
          behaviour.moreHelp++;
          if (seen.kind !== "hand_over") await replay.submit({ component_id: "more_help", input_values: {}, current_canvas: card.canvas }, who);
        }
      }
      await replay.worker.drain();
    }
    const customerLearned = async () => (await replay.learned.list(WORKSPACE)).filter((q) => q.status === "active" && q.source === "customers").length;
    const learned = await customerLearned();
    const [{ agreed } = { agreed: 0 }] = await replay.db.query<{ agreed: number }>(
      "SELECT count(*)::int AS agreed FROM (SELECT article_key, question_key FROM customer_picks WHERE status = 'confirmed' GROUP BY article_key, question_key HAVING count(DISTINCT contact_key) >= 2) AS pairs",
    );
    await replay.scheduledSync();
    const after = await replay.measure();
    // The customers came on one day; the questions the cap held back are learned on the days after.
    let days = 0;
    while (days < 60 && (await replay.nextDay()) > 0) days++;
    await replay.scheduledSync();
    const later = await replay.measure();
    const learnedLater = await customerLearned();
    options.print(`\n## Learning from customers' picks: faq-queries.dev in the same two halves, ${options.name}\n`);
    options.print(`Two simulated contacts asked each of the ${replay.taught.length} questions through signed cards, all on one day: ${behaviour.picked} picked the right article from a choice, ${behaviour.answered} were answered from it, ${behaviour.moreHelp} asked for more help (the right article was not offered). ${agreed} questions had two contacts agreeing on an article; ${learned} were learned that day, the daily cap of ${DEFAULT_POLICY.customer_learned_per_article_per_day} per article holding the rest back, and ${learnedLater} once the held-back ones were learned over the next ${days} days; each time, the answer decisions were fitted again with them (as the hourly sync does). Measured on the other ${replay.asked.length} questions and the ${options.dataset.offTopic.length} off-topic rows, through signed cards:\n`);
    beforeAfter(options.print, replay, before, after, options.dataset.offTopic.length, [`${days} days later`, later]);
    options.add({ replay: `customers' picks, ${options.name}, ${days} days later`, before, after: later, asked: replay.asked.length, offTopic: options.dataset.offTopic.length });
  } finally {
    await replay.close();
  }
}

/**
 * Contacts who pick wrong articles: scattered over one question, one pick each, they change
 * nothing; five agreeing on one wrong article for another question change that question's card,
 * and no other question's.
 */
async function poisoning(options: { chromaUrl: string; dataset: FaqDataset; secret: string; print: Print }) {
  const replay = await replayApp({ ...options, embedder: new OfflineEmbedder() });
  try {
    // What a customer would notice: answered, offered a choice or handed over, and the article first.
    const key = (seen: Outcome) => (seen.kind === "hand_over" ? "hand_over" : `${seen.kind}:${seen.shown[0]}`);
    const snapshot = async () => new Map(await Promise.all(replay.asked.map(async ({ query }) => [query, key(replay.outcome(await replay.ask(query)))] as const)));
    // Questions whose card offers a choice with at least two wrong articles.
    const targets: Array<{ query: string; doc_id: string; wrong: string[] }> = [];
    for (const { query, doc_id } of replay.asked) {
      const seen = replay.outcome(await replay.ask(query));
      const wrong = seen.kind === "choice" ? seen.shown.filter((id) => id !== doc_id) : [];
      if (wrong.length >= 2) targets.push({ query, doc_id, wrong });
      if (targets.length === 2) break;
    }
    const [scatteredOn, agreedOn] = targets;
    if (!scatteredOn || !agreedOn) return void options.print("\nFewer than two questions offered a choice with two wrong articles; no poisoning run.");
    const describe = (seen: Outcome) => (seen.kind === "hand_over" ? "handed over" : `${seen.kind === "answer" ? "answered from" : "a choice led by"} ${replay.titleOf.get(seen.kind === "answer" ? (seen.first ?? "") : (seen.shown[0] ?? "")) ?? "?"}`);
    let conversation = 43_000_000_000;
    const pickFor = async (question: string, contact: string, article: string) => {
      const who = { contact, conversation: ++conversation };
      const card = await replay.ask(question, who);
      const choice = choiceFor(card, replay.titleOf.get(article));
      if (choice) await replay.submit({ component_id: choice.id, input_values: {}, current_canvas: card.canvas }, who);
      await replay.worker.drain();
      return choice ? 1 : 0;
    };
    const rightOf = new Map(replay.asked.map((q) => [q.query, q.doc_id]));
    /** Other questions whose card changed: how many, and how many of those now lead with a wrong article. */
    const changedSince = async (before: Map<string, string>, except: string) => {
      const changed = [...(await snapshot())].filter(([query, seen]) => query !== except && before.get(query) !== seen);
      const worse = changed.filter(([query, seen]) => seen !== "hand_over" && !seen.endsWith(`:${rightOf.get(query)}`) && before.get(query)?.endsWith(`:${rightOf.get(query)}`)).length;
      return `${changed.length} (${worse} now led by a wrong article)`;
    };
    const learnedNow = async () => (await replay.learned.list(WORKSPACE)).filter((q) => q.status === "active");

    const start = await snapshot();
    const scatteredBefore = describe(replay.outcome(await replay.ask(scatteredOn.query)));
    let scattered = 0;
    for (let i = 0; i < 50; i++) scattered += await pickFor(scatteredOn.query, `scattered-${i}`, scatteredOn.wrong[i % scatteredOn.wrong.length]!);
    const afterScattered = describe(replay.outcome(await replay.ask(scatteredOn.query)));
    const learnedScattered = (await learnedNow()).length;
    const othersAfterScattered = await changedSince(start, scatteredOn.query);

    const middle = await snapshot();
    const agreedBefore = describe(replay.outcome(await replay.ask(agreedOn.query)));
    let agreeing = 0;
    for (let i = 0; i < 5; i++) agreeing += await pickFor(agreedOn.query, `agreeing-${i}`, agreedOn.wrong[0]!);
    const afterAgreeing = describe(replay.outcome(await replay.ask(agreedOn.query)));
    const learnedAgreeing = await learnedNow();
    const othersAfterAgreeing = await changedSince(middle, agreedOn.query);

    options.print(`\n## Poisoning, offline embedder\n`);
    options.print(`Each run's contacts pick from the choice their card offers (once the question is learned, its card answers and there is nothing left to pick). "Other cards changed" counts the other ${replay.asked.length - 1} measured questions whose card changed outcome (answer, choice, hand-over) or first article.\n`);
    options.print("| run | picks made | questions learned from customers | the question's card before | after | other cards changed |");
    options.print("|---|---|---|---|---|---|");
    options.print(`| 50 contacts, each picking one of ${scatteredOn.wrong.length} wrong articles once, in turn, for "${scatteredOn.query}" | ${scattered} | ${learnedScattered} | ${scatteredBefore} | ${afterScattered} | ${othersAfterScattered} |`);
    options.print(`| 5 contacts agreeing on ${replay.titleOf.get(agreedOn.wrong[0]!)} for "${agreedOn.query}" | ${agreeing} | ${learnedAgreeing.length} (${learnedAgreeing.map((q) => `"${q.question}", confirmed by ${q.confirmedBy}`).join("; ")}) | ${agreedBefore} | ${afterAgreeing} | ${othersAfterAgreeing} |`);
  } finally {
    await replay.close();
  }
}
