// The Setup page in a real browser (Debian's Chromium): the operator signs in and lands on it while
// something needs them, reads each line's colour, evidence and fix, retries a parked job from it,
// and finds the same header and navigation on the Setup, Settings and Report pages.
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAssistant } from "../server/assistant/create-assistant.ts";
import { DEFAULT_POLICY } from "../server/assistant/policy.ts";
import { ConsoleSessions } from "../server/console/sessions.ts";
import { createIntercomClient } from "../server/intercom/client.ts";
import { createLogger } from "../server/logger.ts";
import { WorkspaceSettings } from "../server/settings/workspace-settings.ts";
import { SetupEvidence } from "../server/setup/evidence.ts";
import { recordIntercomCall, recordSync } from "../server/setup/record.ts";
import { setupStatus } from "../server/setup/setup-status.ts";
import type { Database } from "../server/storage/database.ts";
import { GiveUp, JobQueue } from "../server/storage/queue.ts";
import { fixture, startTestApp, testKnowledge, type TestApp } from "./helpers/app.ts";
import { CHROMIUM, runBrowserTests } from "./helpers/browser.ts";
import { openTestDatabase } from "./helpers/databases.ts";
import { startFakeIntercom, type FakeIntercom } from "./helpers/fake-intercom.ts";

const TOKEN = "setup-browser-token-0123456789";
const WORKSPACE = "ecahpwf5";
let browser: Browser;
let app: TestApp;
let db: Database;
let cleanup: () => Promise<void>;
let intercom: FakeIntercom;

beforeAll(async () => {
  if (!runBrowserTests()) return;
  ({ db, cleanup } = await openTestDatabase("pglite"));
  const logger = createLogger("silent");
  intercom = await startFakeIntercom({ workspaceId: WORKSPACE });
  const settings = new WorkspaceSettings({ db, defaults: { ...DEFAULT_POLICY, company_name: "Tallybook" }, logger });
  const knowledge = testKnowledge();
  const evidence = new SetupEvidence(db, { logger });
  const queue = new JobQueue(db);
  app = await startTestApp({
    knowledge,
    db,
    queue,
    assistant: createAssistant({ knowledge, logger, settings }),
    evidence: { sink: evidence, known: (id) => id === WORKSPACE },
    console: {
      sessions: new ConsoleSessions(db, "setup-browser-secret-0123456789"),
      settings,
      directoryFor: () => undefined,
      operator: { token: TOKEN, workspaceId: WORKSPACE },
      setup: {
        status: (workspaceId) => setupStatus(workspaceId, { db, queue, factsOf: (id) => evidence.factsOf(id), publicUrl: "https://assistant.example.com" }),
        retry: (workspaceId, jobId) => queue.retry(workspaceId, jobId),
      },
    },
  });

  // What a workspace halfway through its setup has shown the app: cards and webhooks arrive (one
  // request with a bad signature among them, no rating yet), tagging is refused, a hand-off parked.
  expect((await app.canvas("/canvas/messenger/initialize", fixture("messenger-initialize"))).status).toBe(200);
  for (const name of ["webhook-ping", "webhook-conversation-user-created", "webhook-conversation-admin-replied"]) expect((await app.webhook(fixture(name))).status).toBe(200);
  expect((await app.canvas("/canvas/messenger/submit", fixture("messenger-submit"), { secret: "not-the-client-secret" })).status).toBe(401);
  intercom.refused = [/^POST \/tags$/];
  const client = createIntercomClient({ token: "fake-access-token", baseUrl: intercom.url, onCall: (call) => recordIntercomCall(evidence, WORKSPACE, call) });
  await client.admins.identify();
  await expect(client.tags.create({ name: "assistant: explicit request" })).rejects.toThrow();
  await recordSync(evidence, knowledge, logger, WORKSPACE, { summary: await knowledge.sync(WORKSPACE) });
  await queue.enqueue({ workspaceId: WORKSPACE, kind: "handoff", dedupeKey: "25000000123:1:explicit_request", payload: {} });
  const [claimed] = await queue.claim(10);
  await queue.fail(claimed!, new GiveUp("Intercom refused the request (403)"));

  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"] });
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
  await intercom?.close();
  await cleanup?.();
});

describe.skipIf(!runBrowserTests())("setup page", () => {
  it("opens first while a line is red, says what to do, retries a parked job, and shares the console's header", async () => {
    const context = await browser.newContext({ viewport: { width: 1180, height: 900 } });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on("pageerror", (error) => problems.push(error.message));
    await page.goto(`${app.url}/console`);
    await page.getByLabel("Admin token").fill(TOKEN);
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/console\/setup$/);

    const line = (title: string) => page.getByRole("region", { name: new RegExp(`^${title}: `) });
    expect(await line("Signatures").getAttribute("data-status")).toBe("amber");
    expect(await line("Signatures").textContent()).toContain("Some requests fail while others pass");
    expect(await line("Topics").getAttribute("data-status")).toBe("red");
    expect(await line("Topics").textContent()).toContain("conversation.rating.added");
    expect(await line("Tag conversations").getAttribute("data-status")).toBe("red");
    expect(await line("Tag conversations").textContent()).toContain("“Write tags”");
    expect(await line("Sync").getAttribute("data-status")).toBe("green");
    expect(await line("Parked jobs").getAttribute("data-status")).toBe("red");
    if (process.env.SETUP_SCREENSHOT_PATH) await page.screenshot({ path: process.env.SETUP_SCREENSHOT_PATH, fullPage: true });

    await line("Parked jobs").getByRole("button", { name: "Retry" }).click();
    expect(await page.getByRole("status").textContent()).toMatch(/Job #\d+ is back in line/);
    expect(await line("Parked jobs").getAttribute("data-status")).toBe("green");

    const header = async () => ({ box: await page.locator("header").boundingBox(), nav: await page.getByRole("navigation", { name: "Console" }).getByRole("link").allTextContents(), signOut: await page.getByRole("button", { name: "Sign out" }).boundingBox() });
    const onSetup = await header();
    await page.getByRole("link", { name: "Settings" }).click();
    await page.waitForURL(/\/console\/settings$/);
    expect(await header()).toEqual(onSetup);
    await page.getByRole("link", { name: "Report" }).click();
    await page.waitForFunction(() => document.body.dataset.chartsReady === "true", undefined, { timeout: 20_000 });
    expect(await header()).toEqual(onSetup);
    expect(onSetup.nav).toEqual(["Setup", "Settings", "Report"]);
    expect(problems).toEqual([]);
    await context.close();
  });
});
