// The admin console in a real browser (Debian's Chromium), used from the keyboard and by its
// labels: the operator of a private app signs in with the admin token, changes the workspace's
// tone and routing from the dropdowns, tries a message, sees the change in the audit table, opens
// the report, and signs out.
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAssistant } from "../server/assistant/create-assistant.ts";
import { DEFAULT_POLICY } from "../server/assistant/policy.ts";
import { ConsoleSessions } from "../server/console/sessions.ts";
import { createIntercomClient } from "../server/intercom/client.ts";
import { intercomDirectory } from "../server/intercom/directory.ts";
import { createLogger } from "../server/logger.ts";
import { WorkspaceSettings } from "../server/settings/workspace-settings.ts";
import type { Database } from "../server/storage/database.ts";
import { startTestApp, testKnowledge, type TestApp } from "./helpers/app.ts";
import { CHROMIUM, runBrowserTests } from "./helpers/browser.ts";
import { openTestDatabase } from "./helpers/databases.ts";
import { startFakeIntercom, type FakeIntercom } from "./helpers/fake-intercom.ts";

const TOKEN = "console-browser-token-0123456789";
const WORKSPACE = "ecahpwf5";
let browser: Browser;
let app: TestApp;
let db: Database;
let cleanup: () => Promise<void>;
let intercom: FakeIntercom;
let settings: WorkspaceSettings;

beforeAll(async () => {
  if (!runBrowserTests()) return;
  ({ db, cleanup } = await openTestDatabase("pglite"));
  const logger = createLogger("silent");
  intercom = await startFakeIntercom({ workspaceId: WORKSPACE });
  intercom.teams.push({ id: "team-billing", name: "Billing" }, { id: "team-support", name: "Support" });
  intercom.segments.push("VIP customers");
  const client = createIntercomClient({ token: "fake-access-token", baseUrl: intercom.url });
  settings = new WorkspaceSettings({ db, defaults: { ...DEFAULT_POLICY, company_name: "Tallybook" }, logger });
  const knowledge = testKnowledge();
  app = await startTestApp({
    knowledge,
    db,
    assistant: createAssistant({ knowledge, logger, settings }),
    console: { sessions: new ConsoleSessions(db, "console-browser-secret-0123456789"), settings, directoryFor: () => intercomDirectory(client), operator: { token: TOKEN, workspaceId: WORKSPACE } },
  });
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"] });
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
  await intercom?.close();
  await cleanup?.();
});

describe.skipIf(!runBrowserTests())("admin console", () => {
  it("lets the operator sign in, change the workspace's settings from the keyboard, try them, and sign out", async () => {
    const context = await browser.newContext({ viewport: { width: 1180, height: 900 } });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on("pageerror", (error) => problems.push(error.message));
    await page.goto(`${app.url}/console`);
    await page.getByLabel("Admin token").fill(TOKEN);
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/console\/settings$/);
    expect(await page.locator("header").textContent()).toContain(WORKSPACE);

    await page.getByLabel("Tone").fill("warm, brief, no jargon");
    await page.getByLabel("Trigger phrases").fill("talk to someone\nspeak to the owner");
    await page.getByLabel("Team for hand-overs no rule routes").selectOption({ label: "Support" });
    await page.getByLabel("Rule 0: condition").selectOption("segment");
    await page.getByLabel("Rule 0: value").fill("VIP customers");
    await page.getByLabel("Rule 0: team").selectOption({ label: "Billing" });
    await page.getByRole("button", { name: "Save settings" }).focus();
    await page.keyboard.press("Enter");
    await page.waitForURL(/saved=1$/);
    expect(await page.getByRole("status").textContent()).toContain("Saved.");
    expect(await settings.policyFor(WORKSPACE)).toMatchObject({
      tone: "warm, brief, no jargon",
      escalation_triggers: ["talk to someone", "speak to the owner"],
      routing: { default_team_id: "team-support", rules: [{ when: { segment: "VIP customers" }, team_id: "team-billing" }] },
    });
    expect(await page.locator("#audit").textContent()).toContain("the operator (admin token)");

    await page.getByLabel("A customer's message").fill("can I speak to the owner please");
    await page.getByRole("button", { name: "Try it" }).click();
    await page.waitForURL(/settings\/try#try$/);
    expect(await page.locator("output").textContent()).toContain("Hand over to a person: explicit request");
    if (process.env.CONSOLE_SCREENSHOT_PATH) await page.screenshot({ path: process.env.CONSOLE_SCREENSHOT_PATH, fullPage: true });

    await page.getByRole("link", { name: "Report" }).click();
    await page.waitForFunction(() => document.body.dataset.chartsReady === "true", undefined, { timeout: 20_000 });
    expect(await page.locator("body").textContent()).toContain(`Workspace ${WORKSPACE}`);

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/console$/);
    expect((await page.goto(`${app.url}/console/settings`))!.status()).toBe(401);
    expect(problems).toEqual([]);
    await context.close();
  });
});
