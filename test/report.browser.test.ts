// The report page in a real browser (Debian's Chromium): the figures shown match the stored
// events, the charts render, and without the token there is nothing to see.
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EventLog } from "../server/metrics/events.ts";
import type { Database } from "../server/storage/database.ts";
import { startTestApp, testKnowledge, type TestApp } from "./helpers/app.ts";
import { LearnedQuestions } from "../server/learning/learned-questions.ts";
import { createLogger } from "../server/logger.ts";
import { CHROMIUM, runBrowserTests } from "./helpers/browser.ts";
import { openTestDatabase } from "./helpers/databases.ts";
import { startFakeIntercom, type FakeIntercom } from "./helpers/fake-intercom.ts";
import { ArticleDrafts } from "../server/flows/article-drafts.ts";
import { Calibrations, memoryCalibrationStore } from "../server/answer-decision/calibrations.ts";
import { BotIdentity } from "../server/intercom/bot-identity.ts";
import { createIntercomClient } from "../server/intercom/client.ts";
import { DEFAULT_POLICY, fixedPolicy } from "../server/assistant/policy.ts";

const TOKEN = "report-browser-token-0123456789";
let browser: Browser;
let app: TestApp;
let db: Database;
let cleanup: () => Promise<void>;
let intercom: FakeIntercom;

const day = (daysAgo: number, minutes = 0) => new Date(Date.now() - (daysAgo + 1) * 86_400_000 + minutes * 60_000);

beforeAll(async () => {
  if (!runBrowserTests()) return;
  ({ db, cleanup } = await openTestDatabase("pglite"));
  const log = new EventLog(db);
  const articles = [
    { id: "8800104", title: "Set up recurring invoices", url: "https://help.tallybook.example/en/articles/8800104" },
    { id: "8800115", title: "Turn on two-factor authentication", url: "https://help.tallybook.example/en/articles/8800115" },
  ];
  // Two weeks of traffic: most questions answered, some handed over, a few unanswerable.
  let n = 0;
  for (let d = 13; d >= 0; d--) {
    for (let i = 0; i < 6; i++) {
      const key = `c${n++}`;
      const record = (kind: Parameters<EventLog["record"]>[0]["kind"], data: Record<string, unknown>, minutes: number) =>
        log.record({ workspaceId: "ecahpwf5", conversationKey: key, kind, data, at: day(d, i * 20 + minutes) });
      await record("customer_message", {}, 0);
      if (i === 5) {
        await record("escalation", { reason: i % 2 ? "low_confidence" : "explicit_request", question: ["Do you support payroll?", "Can I run payroll for my staff?"][d % 2] }, 1);
        if (d < 2) await record("admin_reply", { reply: "Tallybook does not run payroll. Most of our customers use a payroll service and import its totals as expenses." }, 5);
        continue;
      }
      await record("bot_answer", { confidence: 0.9, by: "extractive", articles: [articles[i % 2]!] }, 1);
      if (i < 3) await record("feedback", { helpful: true, articles: [articles[i % 2]!.id] }, 2);
      if (i === 4) await record("escalation", { reason: "explicit_request" }, 3);
      if (i === 0) await record("rating", { rating: 5 }, 30);
      if (i === 4) await record("rating", { rating: 3 }, 40);
    }
  }
  // What the team taught: one question waiting for review, one removed.
  await db.query(
    `INSERT INTO learned_questions (workspace_id, article_key, question, question_key, source, conversation_id, status) VALUES
     ('ecahpwf5', '8800104', 'bill my retainer clients automatically', 'automat bill client retain', 'teammate', '25000000777', 'pending'),
     ('ecahpwf5', '8800115', 'second login step', 'login second step', 'customers', NULL, 'removed')`,
  );
  const knowledge = testKnowledge();
  const logger = createLogger("silent");
  intercom = await startFakeIntercom({ workspaceId: "ecahpwf5" });
  const client = createIntercomClient({ token: "fake-access-token", baseUrl: intercom.url });
  const drafts = new ArticleDrafts({ db, knowledge, calibrations: new Calibrations({ knowledge, store: memoryCalibrationStore(), logger }), clientFor: () => client, bot: new BotIdentity(), settings: fixedPolicy(DEFAULT_POLICY), logger });
  app = await startTestApp({ db, adminToken: TOKEN, knowledge, learned: new LearnedQuestions({ db, index: knowledge, logger }), drafts });
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"] });
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
  await intercom?.close();
  await cleanup();
});

describe.skipIf(!runBrowserTests())("report page", () => {
  it("shows the stored figures and renders its charts", async () => {
    const context = await browser.newContext({ httpCredentials: { username: "admin", password: TOKEN }, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
    page.on("requestfailed", (request) => problems.push(`request failed: ${request.url()} ${request.failure()?.errorText}`));
    page.on("response", (response) => void (response.status() >= 400 && problems.push(`${response.status()} ${response.url()}`)));
    await page.goto(`${app.url}/report?workspace=ecahpwf5`, { waitUntil: "domcontentloaded" });
    const ready = await page.waitForFunction(() => document.body.dataset.chartsReady === "true", undefined, { timeout: 20_000 }).then(() => true, () => false);
    expect(ready, problems.join("\n")).toBe(true);
    const figure = (label: string) => page.locator(`[data-figure="${label}"]`).textContent();
    expect(await figure("Conversations")).toBe("84");
    expect(await figure("Involvement")).toBe("100.0%");
    // 14 days × 6 conversations: one escalated outright and one handed over after an answer each day.
    expect(await figure("Deflection")).toBe(`${((100 * 56) / 84).toFixed(1)}%`);
    expect(await figure("CSAT, bot only")).toBe("5.00");
    expect(await figure("CSAT, handed over")).toBe("3.00");
    expect(await page.locator("#gaps").textContent()).toContain("payroll");
    const drawn = await page.evaluate(() => {
      const canvas = document.getElementById("rates") as HTMLCanvasElement;
      const pixels = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height).data;
      let painted = 0;
      for (let i = 3; i < pixels.length; i += 4) if (pixels[i]! > 0) painted++;
      return painted;
    });
    expect(drawn).toBeGreaterThan(1000);
    if (process.env.REPORT_SCREENSHOT_PATH) await page.screenshot({ path: process.env.REPORT_SCREENSHOT_PATH, fullPage: true });
    await context.close();
  });

  it("lets an admin approve a learned question, then remove it, from the table", async () => {
    const context = await browser.newContext({ httpCredentials: { username: "admin", password: TOKEN } });
    const page = await context.newPage();
    await page.goto(`${app.url}/report?workspace=ecahpwf5`, { waitUntil: "domcontentloaded" });
    const row = () => page.locator("#learned-questions tr", { hasText: "bill my retainer clients automatically" });
    expect(await row().getAttribute("data-status")).toBe("pending");
    expect(await row().textContent()).toContain("Set up recurring invoices");
    expect(await page.locator("#learned-questions tr", { hasText: "second login step" }).getByRole("button").count()).toBe(0);

    await row().getByRole("button", { name: "Approve" }).click();
    await page.waitForURL(/#learned$/);
    expect(await row().getAttribute("data-status")).toBe("active");
    await row().getByRole("button", { name: "Remove" }).click();
    await page.waitForURL(/#learned$/);
    await expect.poll(() => row().getAttribute("data-status")).toBe("removed");
    expect(await row().getByRole("button").count()).toBe(0);
    await context.close();
  });

  it("shows how teammates answered a content gap, and creates a draft article in Intercom from it", async () => {
    const context = await browser.newContext({ httpCredentials: { username: "admin", password: TOKEN } });
    const page = await context.newPage();
    await page.goto(`${app.url}/report?workspace=ecahpwf5`, { waitUntil: "domcontentloaded" });
    const row = page.locator("#gaps tr", { hasText: "payroll" });
    expect(await row.locator("blockquote").first().textContent()).toContain("Tallybook does not run payroll.");
    expect(await page.locator("#draft-articles").textContent()).toContain("No draft yet");

    await row.getByRole("button", { name: /Create a draft article in Intercom/ }).click();
    await page.waitForURL(/draft=created#gaps$/);
    expect(await page.getByRole("status").textContent()).toContain("The draft article was created in Intercom.");
    expect(await row.textContent()).toContain("Draft created:");
    expect(await row.getByRole("button").count()).toBe(0);
    expect(await page.locator("#draft-articles").textContent()).toContain("teammates' replies, as they are");

    const created = intercom.requests.filter((request) => request.method === "POST" && request.path === "/articles");
    expect(created).toHaveLength(1);
    expect(created[0]!.body).toMatchObject({ state: "draft", author_id: 991267460, title: expect.stringMatching(/payroll/i) });
    expect((created[0]!.body as { body: string }).body).toContain("Most of our customers use a payroll service");
    await context.close();
  });

  it("answers 401 without the token, asking the browser for it", async () => {
    const context = await browser.newContext();
    const response = await context.request.get(`${app.url}/report`);
    expect(response.status()).toBe(401);
    expect(response.headers()["www-authenticate"]).toMatch(/^Basic realm=/);
    await context.close();
  });
});
