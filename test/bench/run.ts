// npm run bench [-- --markdown docs/benchmarks.md]: how fast the app is, printed as tables (no
// assertions: figures, not tests); --markdown rewrites the page's generated section with them.
// - signed /canvas/messenger/submit: throughput and latency (autocannon) with a zero-latency fake LLM
// - app overhead per request, by stage: verify, parse, retrieve, decide and render
// - retrieval latency with 1,000 and 10,000 passages indexed
// - sync throughput: first sync, and an unchanged re-sync (with its embedding calls)
// - a hosted model, simulated (first-token delay, token rate; credulous and honest personalities):
//   answers the model wrote within a card's budget and a conversation reply's, their latency, and
//   how long measuring the model takes
// - where the memory goes, part by part (test/bench/memory-parts.ts)
// - cold start to ready, and memory at rest (the app's /metrics, the process tree)
import autocannon from "autocannon";
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, tmpdir, totalmem } from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { MessengerSubmitRequest } from "../../canvas/requests.ts";
import { OpenAIChatModel } from "../../server/assistant/chat-model.ts";
import { respond } from "../../server/assistant/assistant.ts";
import { customerProfile } from "../../server/assistant/context.ts";
import { createAssistant } from "../../server/assistant/create-assistant.ts";
import { DEFAULT_POLICY } from "../../server/assistant/policy.ts";
import { createApp } from "../../server/http/app.ts";
import { PREVIEW_WORKSPACE_ID } from "../../server/http/preview.ts";
import { canvasSignature, verifyCanvasSignature } from "../../server/intercom/signature.ts";
import { startEmbeddedChroma } from "../../server/knowledge/chroma-server.ts";
import { ChromaStore } from "../../server/knowledge/chroma-store.ts";
import type { HelpCenterSnapshot } from "../../server/knowledge/help-center.ts";
import { loadDemoHelpCenter } from "../../server/knowledge/help-center.ts";
import { HelpCenterKnowledge } from "../../server/knowledge/help-center-knowledge.ts";
import { OfflineEmbedder } from "../../server/knowledge/offline-embedder.ts";
import { createLogger } from "../../server/logger.ts";
import * as messenger from "../../server/flows/messenger.ts";
import { ArticleStats } from "../../server/assistant/article-stats.ts";
import { fixture } from "../helpers/app.ts";
import { Printout, rewriteSection } from "../helpers/generated-section.ts";
import { startFakeOpenAI } from "../helpers/fake-openai.ts";
import { spawnApp, waitFor } from "../helpers/process.ts";
import { demoSource } from "../../server/knowledge/sources.ts";
import { startPersonaModel } from "../helpers/model-personas.ts";
import { outcomeOf } from "../eval/card-outcome.ts";
import { generateEventLog } from "./report-events.ts";
import { reportOf } from "../../server/metrics/report-query.ts";
import { openDatabase } from "../../server/storage/database.ts";
import { EventLog } from "../../server/metrics/events.ts";

const SECRET = "bench-client-secret-0123456789";
/** The workspace of the 10,000-article Help Center, which the HTTP benchmark asks about. */
const BENCH_WORKSPACE = "bench10000";
/** Questions about the demo Help Center, as customers type them. */
const QUESTIONS = [
  "How do I set up recurring invoices for a retainer client?",
  "reset my password",
  "my card was declined when paying for tallybook",
  "export data to my accountant",
  "how do I turn on two-factor on my phone",
  "where are my vat return figures",
  "can I invoice a client in euros",
  "a client paid the same invoice twice, what now",
  "why was I charged twice this month",
  "how do I invite my bookkeeper to the team",
  "the mobile app stopped syncing",
  "connect my bank account",
  "send a quote to a new client",
  "how do I give a client a credit note",
  "change the numbering of my invoices",
  "my client says the invoice email never arrived",
];
const logger = createLogger("silent");
const ms = (value: number) => `${value.toFixed(value < 10 ? 2 : 1)} ms`;
/** The share of cards (or replies) of one kind, as the customer saw them. */
const share = (outcomes: Array<{ kind: string }>, kind: string) => (outcomes.filter((outcome) => outcome.kind === kind).length / (outcomes.length || 1)).toFixed(2);
const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
};
const { values } = parseArgs({ options: { markdown: { type: "string" } } });
const printout = new Printout();
const table = (title: string, header: string[], rows: Array<Array<string | number>>) => {
  printout.print(`\n${title}\n\n| ${header.join(" | ")} |\n|${header.map(() => "---").join("|")}|`);
  for (const row of rows) printout.print(`| ${row.join(" | ")} |`);
};

/** A Help Center of `count` articles made from the demo's, each with its own title and words. */
async function syntheticHelpCenter(count: number): Promise<HelpCenterSnapshot> {
  const demo = await loadDemoHelpCenter();
  const articles = Array.from({ length: count }, (_, i) => {
    const source = demo.articles[i % demo.articles.length]!;
    return { ...source, id: String(900000 + i), title: `${source.title} (${Math.floor(i / demo.articles.length) + 1})`, body: `${source.body}<p>Reference ${i}: plan ${i % 7}, region ${i % 13}.</p>`, updated_at: 1 };
  });
  return { collections: demo.collections, articles };
}

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await work();
  return [result, performance.now() - started];
}

const dir = await mkdtemp(path.join(tmpdir(), "assistant-bench-"));
const chroma = await startEmbeddedChroma({ dataDir: dir, logger });
const openai = await startFakeOpenAI();
openai.chat = (request) =>
  request.messages[0]!.content.startsWith("You classify")
    ? { content: '{"intent": "faq_question", "needs_human": false}' }
    : { content: '{"intent": "faq_question", "needs_human": false, "answerable": true, "cited": [], "answer": "Go to Invoices > Recurring and click New recurring invoice."}' };

try {
  console.log(`Machine: ${cpus().length} × ${cpus()[0]?.model.trim()}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`);

  // Sync throughput and retrieval latency at two index sizes.
  const embedder = new OfflineEmbedder();
  let counting = 0;
  const countingEmbedder = Object.assign(Object.create(embedder), {
    embedDocuments: (texts: string[]) => {
      counting++;
      return embedder.embedDocuments(texts);
    },
  });
  const syncRows: Array<Array<string | number>> = [];
  const searchRows: Array<Array<string | number>> = [];
  const knowledgeBySize = new Map<number, HelpCenterKnowledge>();
  for (const articles of [1000, 10000]) {
    const snapshot = await syntheticHelpCenter(articles);
    // One workspace per size, in the collections the app itself reads (no namespace).
    const workspace = `bench${articles}`;
    const knowledge = new HelpCenterKnowledge({ store: new ChromaStore(chroma.url, embedder.id), embedder: countingEmbedder, sourceFor: () => ({ kind: "demo", fetch: async () => snapshot }), logger });
    counting = 0;
    const [first, firstMs] = await timed(() => knowledge.sync(workspace));
    const firstCalls = counting;
    counting = 0;
    const [, againMs] = await timed(() => knowledge.sync(workspace));
    syncRows.push([articles, first.synced, `${(articles / (firstMs / 1000)).toFixed(0)} articles/s (${(firstMs / 1000).toFixed(1)} s, ${firstCalls} embedding calls)`, `${(againMs / 1000).toFixed(2)} s, ${counting} embedding calls`]);
    const queries = QUESTIONS;
    await knowledge.search(workspace, "warm up");
    const latencies: number[] = [];
    for (let round = 0; round < 20; round++) for (const query of queries) latencies.push((await timed(() => knowledge.search(workspace, query)))[1]);
    const passages = await new ChromaStore(chroma.url, embedder.id).count(workspace);
    searchRows.push([passages, ms(quantile(latencies, 0.5)), ms(quantile(latencies, 0.95)), ms(quantile(latencies, 0.99))]);
    knowledgeBySize.set(passages, knowledge);
  }
  table("Help Center sync (offline embedder, embedded Chroma)", ["articles", "synced", "first sync", "unchanged re-sync"], syncRows);
  table("Retrieval latency (hybrid search, top 4)", ["passages", "p50", "p95", "p99"], searchRows);

  // The biggest index serves the per-stage breakdown, in this process.
  const [passages, knowledge] = [...knowledgeBySize].sort((a, b) => b[0] - a[0])[0]!;
  const model = new OpenAIChatModel({ baseUrl: openai.url, model: "bench" });
  const assistant = createAssistant({ knowledge, logger, model, policy: DEFAULT_POLICY });
  const body = JSON.stringify({ ...fixture("messenger-submit"), workspace_id: BENCH_WORKSPACE });
  const raw = Buffer.from(body);
  const headers = { "x-body-signature": canvasSignature(raw, SECRET) };
  const stages = { verify: [] as number[], parse: [] as number[], retrieve: [] as number[], "decide and render (LLM at zero latency)": [] as number[], "event write (PGlite; the card does not wait for it)": [] as number[] };
  const eventsDir = await mkdtemp(path.join(tmpdir(), "assistant-bench-events-"));
  const eventsDb = await openDatabase({ dataDir: eventsDir });
  const events = new EventLog(eventsDb);
  const deps: messenger.MessengerDeps = { assistant, articles: new ArticleStats(), events };
  for (let i = 0; i < 200; i++) {
    stages.verify.push((await timed(async () => verifyCanvasSignature(raw, headers, SECRET)))[1]);
    const [parsed, parseMs] = await timed(async () => MessengerSubmitRequest.parse(JSON.parse(raw.toString())));
    stages.parse.push(parseMs);
    stages.retrieve.push((await timed(() => knowledge.search(BENCH_WORKSPACE, QUESTIONS[i % QUESTIONS.length]!, { topK: 4 })))[1]);
    stages["decide and render (LLM at zero latency)"].push((await timed(() => messenger.submit(parsed, deps)))[1]);
    stages["event write (PGlite; the card does not wait for it)"].push((await timed(() => events.flush()))[1]);
  }
  await eventsDb.close();
  await rm(eventsDir, { recursive: true, force: true });
  table(`App overhead per signed submit, by stage (${passages} passages indexed, 200 requests)`, ["stage", "p50", "p95"], Object.entries(stages).map(([stage, values]) => [stage, ms(quantile(values, 0.5)), ms(quantile(values, 0.95))]));

  // Over HTTP: the real app (npm start) in its own process, from the same Chroma, its metrics
  // events written to its embedded database: the 10,000-article Help Center with a model at zero
  // latency, and the demo with the offline defaults. Each request asks one of a set of questions,
  // so no answer comes from a cache.
  const overHttp = async (title: string, workspace: string, questions: string[], env: Record<string, string>) => {
    const signedBodies = questions.map((question) => {
      const request = Buffer.from(JSON.stringify({ ...fixture("messenger-submit"), workspace_id: workspace, input_values: { question } }));
      return { body: request, signature: canvasSignature(request, SECRET) };
    });
    const appDir = await mkdtemp(path.join(tmpdir(), "assistant-bench-app-"));
    const app = await spawnApp({ DATA_DIR: appDir, CHROMA_URL: chroma.url, INTERCOM_CLIENT_SECRET: SECRET, LOG_LEVEL: "warn", ...env });
    try {
      await waitFor(async () => ((await fetch(`http://127.0.0.1:${app.port}/readyz`).catch(() => undefined))?.status === 200 ? true : undefined), 120_000, "readyz");
      const url = `http://127.0.0.1:${app.port}/canvas/messenger/submit`;
      const ask = async ({ body: payload, signature }: (typeof signedBodies)[number]) =>
        (await (await fetch(url, { method: "POST", headers: { "content-type": "application/json", "x-body-signature": signature }, body: payload })).json()) as { event?: { type: string }; canvas: { content: { components: Array<{ text?: string }> } } };
      // A workspace the app did not sync at start is loaded in the background by its first card;
      // the measurement starts once a card answers from it.
      // (Building a 10,000-article index holds the app's event loop for seconds, so a kept-alive
      // connection may be reset meanwhile: asked again.)
      await waitFor(async () => {
        const text = (await ask(signedBodies[0]!).catch(() => undefined))?.canvas.content.components[0]?.text;
        return text !== undefined && !/still reading/.test(text) ? true : undefined;
      }, 120_000, "the Help Center loaded");
      // The first requests warm the app up; they also say how many of the questions get an answer
      // (the others are handed over, which skips the answer call).
      let answered = 0;
      for (const signed of signedBodies) if ((await ask(signed)).event?.type !== "completed") answered++;
      let next = 0;
      const load = (connections: number, duration: number) =>
        autocannon({
          url,
          connections,
          duration,
          requests: [
            {
              method: "POST",
              setupRequest: (request) => {
                const { body: payload, signature } = signedBodies[next++ % signedBodies.length]!;
                return { ...request, body: payload, headers: { ...request.headers, "content-type": "application/json", "x-body-signature": signature } };
              },
            },
          ],
        });
      // One connection: each request's own time, end to end. Sixteen: how many the app serves.
      const rows = [];
      for (const [connections, duration] of [[1, 5], [16, 10]] as const) {
        const result = await load(connections, duration);
        rows.push([connections, result.requests.average.toFixed(0), ms(result.latency.p50), ms(result.latency.p97_5), ms(result.latency.p99), result.errors, result.non2xx]);
      }
      table(`${title} (npm start in its own process; autocannon in this one; ${signedBodies.length} questions, ${answered} answered, the others handed over)`, ["connections", "requests/s", "p50", "p97.5", "p99", "errors", "non-2xx"], rows);
    } finally {
      app.child.kill("SIGTERM");
      await app.exited;
      await rm(appDir, { recursive: true, force: true });
    }
  };
  await overHttp(`Signed /canvas/messenger/submit over HTTP, ${passages} passages, a model at zero latency (the fake LLM in this process)`, BENCH_WORKSPACE, QUESTIONS, { OPENAI_BASE_URL: openai.url, OPENAI_API_KEY: "bench", EMBEDDER: "offline" });
  await overHttp("Signed /canvas/messenger/submit over HTTP, the demo Help Center with the offline defaults (no model)", PREVIEW_WORKSPACE_ID, QUESTIONS, {});

  // A hosted model as it behaves (first token after a delay, then a token rate), behind the real
  // app: signed cards about the demo Help Center, as customers type them, four at a time. Each
  // card is read back as the customer sees it (answered, offered a choice, handed over); the
  // share of answers the model wrote (the rest fell back to the extractive answer at the card's
  // 2.5 s budget) comes from the app's own /metrics. Two personalities (test/helpers/model-personas.ts):
  // a credulous model (every article answers), whose measurement lets it settle no unsure card,
  // asked from /readyz on; and an honest one, asked once its measurement (timed here) is done, so
  // the row shows the cost of the unsure cards it settles.
  {
    const paraphrases = readFileSync(new URL("../fixtures/demo-paraphrases.jsonl", import.meta.url), "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as { question: string }).question);
    const questions = [...QUESTIONS, ...paraphrases];
    const demoEmbedder = new OfflineEmbedder();
    const demoKnowledge = new HelpCenterKnowledge({ store: new ChromaStore(chroma.url, demoEmbedder.id), embedder: demoEmbedder, sourceFor: () => demoSource, logger });
    await demoKnowledge.sync("preview");
    const written = async (port: number) => {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      const count = (by: string) => Number(new RegExp(`assistant_answers_total\\{by="${by}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
      return { llm: count("llm"), extractive: count("extractive") };
    };
    const rows: Array<Array<string | number>> = [];
    const measuredIn: string[] = [];
    const settlesFrom = async (port: number) => {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      return /assistant_model_trust\{[^}]*status="measured"[^}]*figure="settles_from"\} (\S+)/.exec(text)?.[1];
    };
    for (const [persona, firstTokenMs, tokensPerSecond] of [["credulous", 500, 80], ["credulous", 800, 50], ["honest", 500, 80]] as const) {
      const hosted = await startPersonaModel(persona, { firstTokenMs, tokensPerSecond });
      const appDir = await mkdtemp(path.join(tmpdir(), "assistant-bench-hosted-"));
      const app = await spawnApp({ DATA_DIR: appDir, CHROMA_URL: chroma.url, OPENAI_BASE_URL: hosted.url, OPENAI_API_KEY: "bench", EMBEDDER: "offline", INTERCOM_CLIENT_SECRET: SECRET, LOG_LEVEL: "warn" });
      try {
        await waitFor(async () => ((await fetch(`http://127.0.0.1:${app.port}/readyz`).catch(() => undefined))?.status === 200 ? true : undefined), 120_000, "readyz");
        if (persona === "honest") {
          const [settles, took] = await timed(() => waitFor(() => settlesFrom(app.port), 300_000, "the model's measurement"));
          measuredIn.push(`${persona} at ${firstTokenMs} ms, ${tokensPerSecond} tokens/s: measured ${(took / 1000).toFixed(1)} s after /readyz, ${hosted.calls} calls; settles unsure cards from p ≥ ${Number(settles).toFixed(3)}`);
        }
        const url = `http://127.0.0.1:${app.port}/canvas/messenger/submit`;
        const card = async (question: string) => {
          const payload = Buffer.from(JSON.stringify({ ...fixture("messenger-submit"), workspace_id: "preview", input_values: { question } }));
          const [json, took] = await timed(async () => (await fetch(url, { method: "POST", headers: { "content-type": "application/json", "x-body-signature": canvasSignature(payload, SECRET) }, body: payload })).json());
          return { kind: outcomeOf(json, new Map(), new Map()).kind, took };
        };
        await card(QUESTIONS[0]!);
        const before = await written(app.port);
        const cards: Array<{ kind: string; took: number }> = [];
        let next = 0;
        await Promise.all(Array.from({ length: 4 }, async () => {
          while (next < questions.length) cards.push(await card(questions[next++]!));
        }));
        const after = await written(app.port);
        const llm = after.llm - before.llm;
        const times = cards.map((c) => c.took);
        rows.push([`${persona}, ${firstTokenMs} ms, ${tokensPerSecond} tokens/s`, "card (2.5 s)", questions.length, share(cards, "answer"), share(cards, "choice"), `${((100 * llm) / (cards.filter((c) => c.kind === "answer").length || 1)).toFixed(0)}%`, ms(quantile(times, 0.5)), ms(quantile(times, 0.95))]);
      } finally {
        app.child.kill("SIGTERM");
        await app.exited;
        await rm(appDir, { recursive: true, force: true });
      }
      // A reply in a conversation (webhooks) has its own, longer budget.
      const replies = createAssistant({ knowledge: demoKnowledge, logger, model: new OpenAIChatModel({ baseUrl: hosted.url, model: persona }), policy: DEFAULT_POLICY });
      if (persona === "honest") await replies.trusts!.measure("preview");
      const replied: Array<{ kind: string; took: number; byModel: boolean }> = [];
      for (const question of questions.slice(0, 40)) {
        const [decision, took] = await timed(() => respond({ workspaceId: "preview", message: question, history: [], previousSentiments: [], turnNumber: 1, customer: customerProfile(undefined), timeBudgetMs: DEFAULT_POLICY.reply_time_budget_ms }, replies));
        const kind = decision.action === "answer" ? "answer" : decision.action === "offer_choice" || decision.action === "clarify" ? "choice" : "other";
        replied.push({ kind, took, byModel: decision.action === "answer" && decision.answeredBy === "llm" });
      }
      const replyTimes = replied.map((r) => r.took);
      const byModel = replied.filter((r) => r.byModel).length;
      rows.push([`${persona}, ${firstTokenMs} ms, ${tokensPerSecond} tokens/s`, `conversation reply (${DEFAULT_POLICY.reply_time_budget_ms / 1000} s)`, replied.length, share(replied, "answer"), share(replied, "choice"), `${((100 * byModel) / (replied.filter((r) => r.kind === "answer").length || 1)).toFixed(0)}%`, ms(quantile(replyTimes, 0.5)), ms(quantile(replyTimes, 0.95))]);
      await hosted.close();
    }
    table(`A hosted model, simulated (one model call per card; ${QUESTIONS.length} questions and ${paraphrases.length} paraphrases about the demo Help Center, 4 cards at a time)`, ["model", "path (budget)", "messages", "answered", "offered a choice", "answers the model wrote", "p50", "p95"], rows);
    for (const line of measuredIn) console.log(`\nThe model's measurement: ${line}.`);
  }

  // The report over a month of a busy workspace: 1,000,000 generated events (125,000
  // conversations) over 30 days, computed in the database; on PGlite always, and on Postgres when
  // BENCH_DATABASE_URL (or TEST_DATABASE_URL) names one.
  const reportRows: Array<Array<string | number>> = [];
  const reportDir = await mkdtemp(path.join(tmpdir(), "assistant-bench-report-"));
  const postgresUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  for (const [name, open] of [
    ["PGlite (embedded)", () => openDatabase({ dataDir: reportDir })],
    ...(postgresUrl ? [["Postgres", () => openDatabase({ url: postgresUrl, dataDir: reportDir })] as const] : []),
  ] as const) {
    const db = await open();
    try {
      const [, generateMs] = await timed(() => generateEventLog(db, "bench-report", 1_000_000));
      const period = { from: new Date(Date.now() - 30 * 86_400_000 - 60_000), to: new Date(Date.now() + 60_000) };
      const times: number[] = [];
      let conversations = 0;
      for (let run = 0; run < 3; run++) {
        const [report, took] = await timed(() => reportOf(db, "bench-report", period));
        conversations = report.conversations;
        times.push(took);
      }
      reportRows.push([name, `1,000,000 (${conversations.toLocaleString("en")} conversations)`, `${(generateMs / 1000).toFixed(1)} s`, `${(Math.min(...times) / 1000).toFixed(2)} s`, `${(Math.max(...times) / 1000).toFixed(2)} s`]);
      await db.query("DELETE FROM events WHERE workspace_id = 'bench-report'");
    } finally {
      await db.close();
    }
  }
  table("The report over 30 days of a busy workspace (figures, articles and content gaps; 3 runs)", ["database", "events", "generated in", "fastest", "slowest"], reportRows);
  await rm(reportDir, { recursive: true, force: true });

  // Where the memory goes: each part loaded alone in a process of its own, once collected.
  const parts = execFileSync(process.execPath, ["--expose-gc", "--import", "tsx", "test/bench/memory-parts.ts", chroma.url], { encoding: "utf8", maxBuffer: 2 ** 24 })
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as { part: string; heapMiB: number; rssMiB: number; articles?: number | string; passages?: number; vectors?: false });
  const mib = (value: number) => (Number.isFinite(value) ? `${value.toFixed(1)} MiB` : "–");
  const partRows = parts.map((entry) => [entry.part + (entry.passages ? ` (${entry.passages.toLocaleString("en")} passages)` : ""), mib(entry.heapMiB), mib(entry.rssMiB)]);
  const indexOf = (articles: number, vectors = true) => parts.find((entry) => entry.articles === articles && (entry.vectors ?? true) === vectors)!;
  const demoIndex = parts.find((entry) => entry.articles === "demo")!;
  const fitHeld = parts.find((entry) => entry.part.startsWith("fit of the demo's"))!;
  partRows.push(
    ["grows per 1,000 articles (the index without vectors, 10,000 less 1,000, / 9)", mib((indexOf(10000).heapMiB - indexOf(1000, false).heapMiB) / 9), mib((indexOf(10000).rssMiB - indexOf(1000, false).rssMiB) / 9)],
    ["the vectors a Help Center of 1,000 articles holds (up to 2,000 passages; larger ones are searched in Chroma)", mib(indexOf(1000).heapMiB - indexOf(1000, false).heapMiB), mib(indexOf(1000).rssMiB - indexOf(1000, false).rssMiB)],
    ["grows per connected workspace the size of the demo (index and fit)", mib(demoIndex.heapMiB + fitHeld.heapMiB), mib(demoIndex.rssMiB + fitHeld.rssMiB)],
  );
  table("Where the memory goes: each part loaded alone in a process of its own, after garbage collection", ["part", "V8 heap + external", "resident"], partRows);

  // Start-up of the real app, and its memory once ready: the first start creates the embedded
  // database and Chroma's files; a restart finds them.
  /** Resident MiB of each process of the tree under `pid`, itself included. */
  const tree = (pid: number) => {
    const rows = execFileSync("ps", ["-e", "-o", "pid=,ppid=,rss="]).toString().trim().split("\n").map((line) => line.trim().split(/\s+/).map(Number) as [number, number, number]);
    const out = new Map<number, number>();
    const walk = (parent: number) => {
      for (const [child, of, rss] of rows) if (of === parent && !out.has(child)) (out.set(child, rss / 1024), walk(child));
    };
    out.set(pid, (rows.find(([id]) => id === pid)?.[2] ?? 0) / 1024);
    walk(pid);
    return out;
  };
  const gauges = async (port: number) => {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const gauge = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)`, "m").exec(text)?.[1]) / 2 ** 20;
    return { heapUsed: gauge("nodejs_heap_size_used_bytes"), heapTotal: gauge("nodejs_heap_size_total_bytes"), external: gauge("nodejs_external_memory_bytes"), arrayBuffers: gauge("nodejs_array_buffers_bytes") };
  };
  // Three rounds of a first start and a restart, each round in a new DATA_DIR: one build's resident
  // set varies by tens of MiB from one start to the next, so each figure is the median of three,
  // with the range beside it.
  const ROUNDS = 3;
  const runs = ["first start (empty DATA_DIR)", "restart"] as const;
  type Figures = { readyS: number; rss2: number; rss30: number; chroma: number; tree2: number; processes: number };
  const measured = new Map<string, Figures[]>(runs.map((run) => [run, []]));
  const breakdownRows: Array<Array<string | number>> = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const startDir = await mkdtemp(path.join(tmpdir(), "assistant-bench-start-"));
    for (const run of runs) {
      const started = performance.now();
      const proc = await spawnApp({ DATA_DIR: startDir });
      await waitFor(async () => ((await fetch(`http://127.0.0.1:${proc.port}/readyz`).catch(() => undefined))?.status === 200 ? true : undefined), 60_000, "readyz");
      const readyMs = performance.now() - started;
      const chromaPid = Number(/"pid":(\d+)/.exec(proc.output())?.[1]);
      const seen: Array<[string, Map<number, number>, Awaited<ReturnType<typeof gauges>>]> = [];
      for (const [when, wait] of [["2 s after ready", 2000], ["30 s after ready", 28_000]] as const) {
        await new Promise((resolve) => setTimeout(resolve, wait));
        seen.push([when, tree(proc.child.pid!), await gauges(proc.port)]);
      }
      const [atReady, later] = [seen[0]![1], seen[1]![1]];
      const sum = (processes: Map<number, number>) => [...processes.values()].reduce((total, rss) => total + rss, 0);
      measured.get(run)!.push({ readyS: readyMs / 1000, rss2: atReady.get(proc.child.pid!)!, rss30: later.get(proc.child.pid!)!, chroma: atReady.get(chromaPid) ?? Number.NaN, tree2: sum(atReady), processes: atReady.size });
      if (round === 1) {
        for (const [when, processes, memory] of seen) {
          breakdownRows.push([`${run}, ${when}`, `${processes.get(proc.child.pid!)!.toFixed(0)} MiB`, `${memory.heapUsed.toFixed(0)} / ${memory.heapTotal.toFixed(0)} MiB`, `${memory.external.toFixed(0)} MiB`, `${memory.arrayBuffers.toFixed(0)} MiB`, Number.isFinite(chromaPid) ? `${(processes.get(chromaPid) ?? 0).toFixed(0)} MiB` : "n/a"]);
        }
      }
      proc.child.kill("SIGTERM");
      await proc.exited;
    }
    await rm(startDir, { recursive: true, force: true });
  }
  /** The median of the rounds, and their range. */
  const spread = (values: number[], unit: string, digits = 0) => {
    const sorted = [...values].sort((a, b) => a - b);
    const fixed = (value: number) => (Number.isFinite(value) ? value.toFixed(digits) : "n/a");
    return `${fixed(sorted[Math.floor(sorted.length / 2)]!)} ${unit} (${fixed(sorted[0]!)}–${fixed(sorted.at(-1)!)})`;
  };
  const startRows = runs.map((run) => {
    const rounds = measured.get(run)!;
    const of = (field: keyof Figures) => rounds.map((figures) => figures[field]);
    return [run, spread(of("readyS"), "s", 1), spread(of("rss2"), "MiB"), spread(of("rss30"), "MiB"), spread(of("chroma"), "MiB"), `${spread(of("tree2"), "MiB")}, ${rounds[0]!.processes} processes`];
  });
  table(`Start-up and memory at rest (npm start: demo Help Center, embedded Chroma and PGlite; the median of ${ROUNDS} rounds, their range in brackets)`, ["run", "to ready", "app RSS 2 s after", "app RSS 30 s after", "embedded Chroma RSS", "process tree 2 s after"], startRows);
  table("The app's memory at rest, first round (from its /metrics; external memory is mostly PGlite's WebAssembly memory)", ["when", "app RSS", "V8 heap used / total", "external", "array buffers", "Chroma child RSS"], breakdownRows);
  if (values.markdown) rewriteSection(values.markdown, "npm run bench", printout.lines.join("\n"));
} finally {
  await openai.close();
  await chroma.stop();
  await rm(dir, { recursive: true, force: true });
}
process.exit(0);
