// npm run eval -- --learning: does the assistant learn from the team? faq-queries.dev is split in
// two halves by a fixed seed. The second half is asked through signed cards, then the first half is
// replayed into the app as resolved conversations through signed webhooks (the customer asks, the
// assistant posts its suggestion, a teammate replies with a link to the right article, the
// conversation closes), then the second half is asked again, along with the off-topic rows.
import { mkdtemp, rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Calibrations, memoryCalibrationStore } from "../../server/answer-decision/calibrations.ts";
import { createAssistant } from "../../server/assistant/create-assistant.ts";
import { createApp } from "../../server/http/app.ts";
import { BotIdentity } from "../../server/intercom/bot-identity.ts";
import { createIntercomClient } from "../../server/intercom/client.ts";
import { canvasSignature, webhookSignature } from "../../server/intercom/signature.ts";
import { ChromaStore } from "../../server/knowledge/chroma-store.ts";
import { HelpCenterKnowledge } from "../../server/knowledge/help-center-knowledge.ts";
import { OfflineEmbedder } from "../../server/knowledge/offline-embedder.ts";
import { LearnedQuestions } from "../../server/learning/learned-questions.ts";
import { createLogger } from "../../server/logger.ts";
import { EventLog } from "../../server/metrics/events.ts";
import { openDatabase } from "../../server/storage/database.ts";
import { JobQueue, Worker } from "../../server/storage/queue.ts";
import { WEBHOOK_JOB, webhookHandler } from "../../server/webhooks/process.ts";
import { startFakeIntercom } from "../helpers/fake-intercom.ts";
import { outcomeOf } from "./card-outcome.ts";
import type { FaqDataset } from "./faq-dataset.ts";

const WORKSPACE = "eval-learning";
const SEED = 20261125;
const TEAMMATE = { type: "admin", id: "4412783", name: "Sam Okafor" };

/** A fixed shuffle (mulberry32), so both halves are the same on every run and every machine. */
function shuffled<T>(items: T[], seed: number): T[] {
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

export async function learningReplay(options: { chromaUrl: string; dataset: FaqDataset; secret: string; print: (line?: string) => void }): Promise<void> {
  const { dataset, secret } = options;
  const logger = createLogger("silent");
  const embedder = new OfflineEmbedder();
  const knowledge = new HelpCenterKnowledge({
    store: new ChromaStore(options.chromaUrl, embedder.id, `learn${Date.now().toString(36)}`),
    embedder,
    sourceFor: () => ({ kind: "demo", fetch: async () => dataset.snapshot }),
    logger,
  });
  await knowledge.sync(WORKSPACE);
  const calibrations = new Calibrations({ knowledge, store: memoryCalibrationStore(), logger });
  await calibrations.refit(WORKSPACE);
  const dataDir = await mkdtemp(path.join(tmpdir(), "assistant-learning-"));
  const db = await openDatabase({ dataDir });
  const intercom = await startFakeIntercom({ workspaceId: WORKSPACE });
  const queue = new JobQueue(db, { leaseMs: 60_000, maxAttempts: 3, backoffMs: () => 0 });
  const assistant = createAssistant({ knowledge, logger, calibrations });
  const learned = new LearnedQuestions({ db, index: knowledge, logger });
  const client = createIntercomClient({ token: "fake-access-token", baseUrl: intercom.url });
  const worker = new Worker(
    queue,
    {
      [WEBHOOK_JOB]: webhookHandler({ assistant, clientFor: () => client, directoryFor: () => undefined, bot: new BotIdentity(), queue, db, logger, freshness: { changed: () => undefined, traffic: () => undefined }, events: new EventLog(db), learned }),
    },
    logger,
  );
  const server = createApp({ logger, clientSecret: secret, assistant, readiness: () => knowledge.readiness(), queue }).listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const post = async (route: string, body: unknown, sign: (raw: string) => Record<string, string>) => {
      const raw = JSON.stringify(body);
      const response = await fetch(`${base}${route}`, { method: "POST", headers: { "content-type": "application/json", ...sign(raw) }, body: raw });
      if (!response.ok) throw new Error(`${route} answered ${response.status}`);
      return response.json();
    };
    const card = (question: string) => post("/canvas/messenger/submit", { ...fixture("messenger-submit"), workspace_id: WORKSPACE, current_canvas: null, input_values: { question } }, (raw) => ({ "x-body-signature": canvasSignature(raw, secret) }));
    const webhook = (body: unknown) => post("/webhooks/intercom", body, (raw) => ({ "x-hub-signature": webhookSignature(raw, secret) }));

    const articles = await knowledge.articles(WORKSPACE);
    const urls = new Map(articles.flatMap((a) => (a.url ? [[a.url, a.articleId] as [string, string]] : [])));
    const titles = new Map(articles.map((a) => [a.title, a.articleId] as [string, string]));
    const urlOf = new Map(articles.map((a) => [a.articleId, a.url ?? ""]));
    const halves = shuffled(dataset.queries, SEED);
    const taught = halves.slice(0, Math.ceil(halves.length / 2));
    const asked = halves.slice(taught.length);

    const measure = async () => {
      const count = { oneClick: 0, wrong: 0, nothing: 0, offAnswered: 0 };
      for (const { query, doc_id } of asked) {
        const outcome = outcomeOf(await card(query), urls, titles);
        if (outcome.kind === "hand_over") count.nothing++;
        else if (outcome.shown.slice(0, 3).includes(doc_id)) count.oneClick++;
        if (outcome.kind === "answer" && outcome.first !== doc_id) count.wrong++;
      }
      for (const { text } of dataset.offTopic) if (outcomeOf(await card(text), urls, titles).kind === "answer") count.offAnswered++;
      return count;
    };
    const before = await measure();

    let notification = 0;
    const conversation = (id: string, question: string, topic: string, parts: unknown[] = []) => {
      const body = fixture("webhook-conversation-user-created");
      Object.assign(body, { id: `notif_replay_${++notification}`, topic, app_id: WORKSPACE });
      Object.assign(body.data.item, { id, source: { ...body.data.item.source, body: `<p>${question.replace(/</g, "&lt;")}</p>` }, conversation_parts: { type: "conversation_part.list", conversation_parts: parts, total_count: parts.length } });
      return body;
    };
    for (const [i, { query, doc_id }] of taught.entries()) {
      const id = String(41_000_000_000 + i);
      await webhook(conversation(id, query, "conversation.user.created"));
      await worker.drain();
      const reply = { type: "conversation_part", id: `${id}1`, part_type: "comment", body: `<p>Hi! This should help: <a href="${urlOf.get(doc_id)}">the article</a>.</p>`, author: TEAMMATE };
      await webhook(conversation(id, query, "conversation.admin.replied", [reply]));
      await webhook(conversation(id, query, "conversation.admin.closed", [reply]));
      await worker.drain();
    }
    const learnedCount = (await learned.list(WORKSPACE)).filter((q) => q.status === "active").length;
    const after = await measure();

    const f = (part: number, whole: number) => (part / whole).toFixed(3);
    options.print(`## Learning from the team: faq-queries.dev in two halves (seed ${SEED}), offline embedder\n`);
    options.print(`${taught.length} conversations replayed through signed webhooks (question, suggestion, a teammate's reply linking the right article, closed); ${learnedCount} questions learned. Measured on the other ${asked.length} questions and the ${dataset.offTopic.length} off-topic rows, through signed cards:\n`);
    options.print("| | one click away | answered from a wrong article | nothing offered | off-topic answered |");
    options.print("|---|---|---|---|---|");
    for (const [label, c] of [["before", before], ["after", after]] as const) {
      options.print(`| ${label} | ${f(c.oneClick, asked.length)} | ${f(c.wrong, asked.length)} | ${f(c.nothing, asked.length)} | ${f(c.offAnswered, dataset.offTopic.length)} |`);
    }
  } finally {
    server.close();
    await intercom.close();
    await db.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}
