// A realistic set of conversations replayed through signed cards and webhooks, then every figure
// of the report checked, on PGlite and on a real Postgres; plus /report, its CSVs and /metrics.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAssistant } from "../server/assistant/create-assistant.ts";
import { DEFAULT_POLICY } from "../server/assistant/policy.ts";
import { BotIdentity } from "../server/intercom/bot-identity.ts";
import { createIntercomClient } from "../server/intercom/client.ts";
import { createLogger } from "../server/logger.ts";
import { EventLog } from "../server/metrics/events.ts";
import { AppMetrics } from "../server/metrics/prometheus.ts";
import { contentGaps, type Report } from "../server/metrics/report.ts";
import { reportOf } from "../server/metrics/report-query.ts";
import type { Database } from "../server/storage/database.ts";
import { JobQueue, Worker } from "../server/storage/queue.ts";
import { WEBHOOK_JOB, webhookHandler } from "../server/webhooks/process.ts";
import { fixture, startTestApp, testKnowledge, type TestApp } from "./helpers/app.ts";
import { BACKENDS, openTestDatabase } from "./helpers/databases.ts";
import { startFakeIntercom, type FakeIntercom } from "./helpers/fake-intercom.ts";

const TOKEN = "report-admin-token-0123456789";
type Json = Record<string, any>;

describe.each(BACKENDS)("on %s", (backend) => {
  let db: Database;
  let cleanup: () => Promise<void>;
  let intercom: FakeIntercom;
  let app: TestApp;
  let worker: Worker;
  let report: Report;
  let events: EventLog;
  const logger = createLogger("silent");
  const knowledge = testKnowledge();

  const card = async (conversation: number | undefined, componentId: string, question?: string, previous?: Json) => {
    const body: Json = {
      ...fixture("messenger-submit"),
      component_id: componentId,
      input_values: question ? { question } : {},
      context: conversation === undefined ? { location: "home", locale: "en" } : { conversation_id: conversation, location: "conversation", locale: "en" },
      ...(previous ? { current_canvas: previous.canvas } : {}),
    };
    return (await app.canvas("/canvas/messenger/submit", body)).json() as Promise<Json>;
  };
  const webhook = async (name: string, conversationId: string, extra: Json = {}) => {
    const body = fixture(name);
    body.id = `${body.id}-${conversationId}`;
    body.data.item.id = conversationId;
    Object.assign(body.data.item, extra);
    expect((await app.webhook(body)).status).toBe(200);
  };

  beforeAll(async () => {
    ({ db, cleanup } = await openTestDatabase(backend));
    intercom = await startFakeIntercom({ workspaceId: "ecahpwf5" });
    const queue = new JobQueue(db, { leaseMs: 60_000, maxAttempts: 3, backoffMs: () => 0 });
    const metrics = new AppMetrics({ queue });
    events = new EventLog(db, (event) => metrics.observe(event));
    const assistant = createAssistant({ knowledge, logger, policy: DEFAULT_POLICY });
    const client = createIntercomClient({ token: "fake-access-token", baseUrl: intercom.url });
    worker = new Worker(
      queue,
      { [WEBHOOK_JOB]: webhookHandler({ assistant, clientFor: () => client, directoryFor: () => undefined, bot: new BotIdentity(), queue, db, logger, freshness: { changed: () => undefined, traffic: () => undefined }, events }) },
      logger,
    );
    app = await startTestApp({ assistant, knowledge, queue, events, db, metrics, adminToken: TOKEN });

    // 1001: answered, then "That helped".
    const a1 = await card(1001, "ask", "How do I set up recurring invoices for a retainer client?");
    await card(1001, "helpful", undefined, a1);
    // 1002: two answers, then a hand-off asked for at the third question.
    const b1 = await card(1002, "ask", "How do I turn on two-factor authentication?");
    const b2 = await card(1002, "ask", "How do I reset my password?", b1);
    await card(1002, "ask", "I want to talk to a real person", b2);
    // 1003: a hand-off on the first message.
    await card(1003, "ask", "Please cancel my account");
    // 1005: answered, then closed by Intercom with no teammate reply, and rated 5.
    await card(1005, "ask", "How do I reset my password?");
    // 1006: a question the Help Center cannot answer.
    await card(1006, "ask", "Which dinosaurs lived in the Jurassic?");
    // 1004: handled by a teammate only (agent-suggestion mode), rated 1.
    await webhook("webhook-conversation-user-created", "1004");
    await webhook("webhook-conversation-admin-replied", "1004");
    await webhook("webhook-conversation-rating-added", "1004", { conversation_rating: { rating: 1, remark: "Too slow" } });
    await webhook("webhook-conversation-rating-added", "1005", { conversation_rating: { rating: 5, remark: "Great" } });
    const close = async (conversationId: string) => {
      const closed = fixture("webhook-conversation-user-created");
      closed.id = `notif_close_${conversationId}`;
      closed.topic = "conversation.admin.closed";
      closed.data.item.id = conversationId;
      await app.webhook(closed);
    };
    await close("1005");
    // 1007: answered and closed, then reopened by the customer writing again.
    await card(1007, "ask", "How do I connect my bank account?");
    await close("1007");
    await worker.drain();
    await webhook("webhook-conversation-user-replied", "1007");
    await worker.drain();
    // Cards do not wait for their events to be written; the report reads what is stored.
    await events.flush();

    const period = { from: new Date(Date.now() - 86_400_000), to: new Date(Date.now() + 60_000) };
    report = await reportOf(db, "ecahpwf5", period);
  });
  afterAll(async () => {
    await app.close();
    await intercom.close();
    await cleanup();
  });

  it("counts conversations and the assistant's involvement", () => {
    expect(report.conversations).toBe(7);
    expect(report.involved).toBe(6);
    expect(report.rates.involvement).toBeCloseTo(6 / 7);
  });

  it("computes answer, deflection and resolution rates as defined", () => {
    expect(report.rates.answer).toBeCloseTo(4 / 6);
    expect(report.rates.deflection).toBeCloseTo(3 / 6);
    // 1001 (helped) and 1005 (closed, no teammate); 1007 was reopened after its close.
    expect(report.rates.resolution).toBeCloseTo(2 / 6);
  });

  it("breaks escalations down by reason", () => {
    expect(report.escalationsByReason).toEqual({
      explicit_request: { count: 2, rate: 2 / 6 },
      low_confidence: { count: 1, rate: 1 / 6 },
    });
  });

  it("splits CSAT between bot-only and handed-over conversations", () => {
    expect(report.csat).toEqual({ botOnly: 5, handedOver: 1, botOnlyCount: 1, handedOverCount: 1 });
    expect(report.medians.firstResponseSeconds).not.toBeNull();
    expect(report.medians.resolutionSeconds).not.toBeNull();
  });

  it("lists the questions it could not answer as content gaps, and ranks articles", () => {
    expect(report.contentGaps).toEqual([{ topic: expect.stringContaining("dinosaur"), count: 1, examples: ["Which dinosaurs lived in the Jurassic?"], answers: [] }]);
    const recurring = report.articles.find((article) => article.title === "Set up recurring invoices");
    expect(recurring).toMatchObject({ cited: 1, helped: 1, handedOverAfter: 0 });
    const twoFactor = report.articles.find((article) => article.title === "Turn on two-factor authentication");
    expect(twoFactor).toMatchObject({ cited: 1, handedOverAfter: 1 });
  });

  it("serves the report page only with the admin token, with the same figures", async () => {
    expect((await fetch(`${app.url}/report?workspace=ecahpwf5`)).status).toBe(401);
    const page = await fetch(`${app.url}/report?workspace=ecahpwf5`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('data-figure="Deflection">50.0%');
    expect(html).toContain('data-figure="CSAT, bot only">5.00');
    expect(html).toContain("Which dinosaurs lived in the Jurassic?");
    const basic = await fetch(`${app.url}/report?workspace=ecahpwf5`, { headers: { authorization: `Basic ${Buffer.from(`admin:${TOKEN}`).toString("base64")}` } });
    expect(basic.status).toBe(200);
    expect((await fetch(`${app.url}/report?from=yesterday`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(400);
  });

  it("exports the tables as CSV", async () => {
    const csv = await (await fetch(`${app.url}/report/articles.csv?workspace=ecahpwf5`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
    expect(csv.split("\r\n")[0]).toBe('"article_id","title","url","cited","helped","handed_over_after"');
    expect(csv).toContain('"Set up recurring invoices"');
  });

  it("shows the agent the metrics of the conversation at hand in the Inbox app", async () => {
    const body = fixture("inbox-initialize");
    body.conversation.id = "1002";
    const json = await (await app.canvas("/canvas/inbox/initialize", body)).json();
    const tables = (json.canvas.content.components as Json[]).filter((c) => c.type === "data-table");
    const rows = Object.fromEntries(tables[1]!.items.map((item: Json) => [item.field, item.value]));
    expect(rows).toMatchObject({ "Customer messages": "3", "Handed over": "yes: explicit request, at message 3" });
    expect(rows["Mean answer confidence"]).toMatch(/^\d+%$/);
  });

  it("exposes Prometheus metrics", async () => {
    const text = await (await fetch(`${app.url}/metrics`)).text();
    expect(text).toMatch(/assistant_answers_total\{by="extractive"\} [1-9]/);
    expect(text).toMatch(/assistant_escalations_total\{reason="explicit_request"\} 2/);
    expect(text).toMatch(/http_requests_total\{route="\/canvas\/messenger\/submit",status="200"\} \d+/);
    expect(text).toMatch(/queue_jobs\{status="done"\} \d+/);
  });
});

describe("content gaps", () => {
  it("are named with the customers' own words, not the stems they are grouped by", () => {
    const gaps = contentGaps([
      { question: "How much does it cost?", conversation: "1" },
      { question: "Does it cost money to pay with bitcoin?", conversation: "2" },
      { question: "what does the monthly cost include", conversation: "3" },
    ] as Parameters<typeof contentGaps>[0]);
    expect(gaps).toHaveLength(1);
    expect(gaps[0]!.topic).toMatch(/^cost · /);
    expect(gaps[0]!.topic).not.toMatch(/\bdoe\b|\bdoes\b|monei|pai\b/);
  });
});
