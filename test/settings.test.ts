// Per-workspace settings: the policy file is the default, each workspace's overrides sit on top,
// every change is audited, and another instance uses a change within seconds. Two workspaces
// with different settings get different cards, triggers and routes through the real endpoints.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { createAssistant } from "../server/assistant/create-assistant.ts";
import { respond } from "../server/assistant/assistant.ts";
import { OpenAIChatModel } from "../server/assistant/chat-model.ts";
import { customerProfile } from "../server/assistant/context.ts";
import { startFakeOpenAI } from "./helpers/fake-openai.ts";
import { DEFAULT_POLICY } from "../server/assistant/policy.ts";
import { enqueueHandoff } from "../server/handoff/escalations.ts";
import { HANDOFF_JOB, handoffHandler } from "../server/handoff/handoff.ts";
import { BotIdentity } from "../server/intercom/bot-identity.ts";
import { createIntercomClient } from "../server/intercom/client.ts";
import { createLogger } from "../server/logger.ts";
import { SETTINGS_CACHE_MS, WorkspaceSettings } from "../server/settings/workspace-settings.ts";
import type { Database } from "../server/storage/database.ts";
import { JobQueue, Worker } from "../server/storage/queue.ts";
import { fixture, startTestApp, testKnowledge, type TestApp } from "./helpers/app.ts";
import { BACKENDS, openTestDatabase } from "./helpers/databases.ts";
import { startFakeIntercom, type FakeIntercom } from "./helpers/fake-intercom.ts";

const ALPHA = "ecahpwf5";
const BETA = "wsbeta22";
const FILE_POLICY = { ...DEFAULT_POLICY, company_name: "Tallybook", help_center_name: "Tallybook Help Center" };
const logger = createLogger("silent");

describe.each(BACKENDS)("on %s", (backend) => {
  let cleanup: () => Promise<void>;
  let db: Database;
  let settings: WorkspaceSettings;

  beforeAll(async () => {
    ({ db, cleanup } = await openTestDatabase(backend));
  });
  afterAll(async () => cleanup());
  beforeEach(async () => {
    await db.query("DELETE FROM workspace_settings");
    await db.query("DELETE FROM settings_audit");
    settings = new WorkspaceSettings({ db, defaults: FILE_POLICY, logger });
  });

  it("starts from the policy file, keeps each workspace's changes to itself, and returns a setting to the default", async () => {
    expect(await settings.policyFor(ALPHA)).toEqual(FILE_POLICY);
    const changed = await settings.update(ALPHA, { set: { tone: "warm and very brief", max_turns_before_escalate: 4 } }, "admin 4412783 (Sam)");
    expect(changed.sort()).toEqual(["max_turns_before_escalate", "tone"]);
    expect(await settings.policyFor(ALPHA)).toMatchObject({ tone: "warm and very brief", max_turns_before_escalate: 4, company_name: "Tallybook" });
    expect(await settings.policyFor(BETA)).toEqual(FILE_POLICY);

    expect(await settings.update(ALPHA, { reset: ["tone"] }, "admin 4412783 (Sam)")).toEqual(["tone"]);
    expect(await settings.policyFor(ALPHA)).toMatchObject({ tone: FILE_POLICY.tone, max_turns_before_escalate: 4 });
    expect(await settings.overridesOf(ALPHA)).toEqual({ max_turns_before_escalate: 4 });
  });

  it("refuses a change the policy schema refuses, and changes nothing", async () => {
    await expect(settings.update(ALPHA, { set: { max_turns_before_escalate: 0 } }, "admin 1")).rejects.toBeInstanceOf(ZodError);
    await expect(settings.update(ALPHA, { set: { not_a_setting: true } as never }, "admin 1")).rejects.toBeInstanceOf(ZodError);
    expect(await settings.policyFor(ALPHA)).toEqual(FILE_POLICY);
    expect(await settings.auditOf(ALPHA)).toEqual([]);
  });

  it("records who changed what, when, from which value to which", async () => {
    await settings.update(ALPHA, { set: { escalation_triggers: ["speak to the manager"] } }, "admin 4412783 (Sam)");
    await settings.update(ALPHA, { set: { escalation_triggers: ["speak to the manager"] } }, "admin 4412783 (Sam)");
    await settings.update(ALPHA, { set: { reply_mode: "auto_reply" } }, "operator");
    const audit = await settings.auditOf(ALPHA);
    expect(audit).toMatchObject([
      { setting: "reply_mode", changedBy: "operator", oldValue: "agent_suggestion", newValue: "auto_reply" },
      { setting: "escalation_triggers", changedBy: "admin 4412783 (Sam)", oldValue: FILE_POLICY.escalation_triggers, newValue: ["speak to the manager"] },
    ]);
    expect(audit[0]!.changedAt.getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(await settings.auditOf(BETA)).toEqual([]);
  });

  it("is used by another instance within seconds of the change", async () => {
    const other = new WorkspaceSettings({ db, defaults: FILE_POLICY, logger });
    expect((await other.policyFor(ALPHA)).tone).toBe(FILE_POLICY.tone);
    const changedAt = Date.now();
    await settings.update(ALPHA, { set: { tone: "formal" } }, "admin 1");
    let seenAfter = Infinity;
    while (Date.now() - changedAt < 10_000) {
      if ((await other.policyFor(ALPHA)).tone === "formal") {
        seenAfter = Date.now() - changedAt;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(seenAfter).toBeLessThanOrEqual(SETTINGS_CACHE_MS + 500);
  });

  it("has the model write in each workspace's own tone", async () => {
    const openai = await startFakeOpenAI();
    openai.chat = () => ({ content: JSON.stringify({ intent: "faq_question", needs_human: false, answerable: true, cited: ["8800104"], answer: "Go to Invoices > Recurring." }) });
    try {
      const knowledge = testKnowledge();
      await Promise.all([ALPHA, BETA].map((workspaceId) => knowledge.load(workspaceId)));
      const assistant = createAssistant({ knowledge, logger, settings, model: new OpenAIChatModel({ baseUrl: openai.url, model: "gpt-test" }) });
      await settings.update(ALPHA, { set: { tone: "cheerful and full of exclamation marks" } }, "admin 1");
      for (const workspaceId of [ALPHA, BETA]) {
        await respond({ workspaceId, message: "How do I set up recurring invoices?", history: [], previousSentiments: [], turnNumber: 1, customer: customerProfile(undefined) }, assistant);
      }
      const systems = openai.requests.filter((request) => request.path === "/v1/chat/completions").map((request) => (request.body.messages as Array<{ role: string; content: string }>)[0]!.content);
      expect(systems).toHaveLength(2);
      expect(systems[0]).toContain("Tone: cheerful and full of exclamation marks.");
      expect(systems[1]).toContain(`Tone: ${FILE_POLICY.tone}.`);
    } finally {
      await openai.close();
    }
  });

  describe("two workspaces with different settings", () => {
    let intercom: FakeIntercom;
    let app: TestApp;
    let queue: JobQueue;
    let worker: Worker;
    // The app's own accessor: changes made through it are seen at once (another one's after its cache time).
    let shared: WorkspaceSettings;

    beforeAll(async () => {
      intercom = await startFakeIntercom({ workspaceId: ALPHA });
      intercom.teams.push({ id: "team-alpha", name: "Alpha support" }, { id: "team-beta", name: "Beta support" });
      const client = createIntercomClient({ token: "fake-access-token", baseUrl: intercom.url });
      queue = new JobQueue(db, { leaseMs: 60_000, maxAttempts: 3, backoffMs: () => 0 });
      shared = new WorkspaceSettings({ db, defaults: FILE_POLICY, logger });
      const knowledge = testKnowledge();
      const assistant = createAssistant({ knowledge, logger, settings: shared });
      worker = new Worker(queue, { [HANDOFF_JOB]: handoffHandler({ clientFor: () => client, bot: new BotIdentity(), settings: shared, db, logger }) }, logger);
      app = await startTestApp({ assistant, knowledge, workspaces: [ALPHA, BETA], onEscalation: enqueueHandoff(queue) });
    });
    afterAll(async () => {
      await app.close();
      await intercom.close();
    });

    let conversation = 26_000_000_000;
    /** Each card in a conversation of its own: one escalation per conversation, turn and reason. */
    const cardFor = async (workspaceId: string, question?: string) => {
      const submit = fixture("messenger-submit");
      const body = question ? { ...submit, workspace_id: workspaceId, context: { ...submit.context, conversation_id: ++conversation }, input_values: { question } } : { ...fixture("messenger-initialize"), workspace_id: workspaceId };
      const json = await (await app.canvas(question ? "/canvas/messenger/submit" : "/canvas/messenger/initialize", body)).json();
      return (json.canvas.content.components as Array<{ text?: string }>).map((component) => component.text ?? "").join("\n");
    };

    it("gives each its own wording, triggers, hand-off team and note", async () => {
      await shared.update(ALPHA, { set: { help_center_name: "Alpha Docs", escalation_triggers: ["pineapple protocol"], routing: { rules: [], default_team_id: "team-alpha" } } }, "admin 1");
      await shared.update(BETA, { set: { help_center_name: "Beta Knowledge Base", routing: { rules: [], default_team_id: "team-beta" } } }, "admin 2");

      expect(await cardFor(ALPHA)).toContain("Alpha Docs");
      expect(await cardFor(BETA)).toContain("Beta Knowledge Base");

      // Alpha's own trigger hands over in Alpha only.
      expect(await cardFor(ALPHA, "how do I set up recurring invoices? pineapple protocol")).toMatch(/passing (your question|this conversation) to the team/);
      expect(await cardFor(BETA, "how do I set up recurring invoices? pineapple protocol")).not.toMatch(/passing (your question|this conversation) to the team/);

      await worker.drain();
      intercom.requests.length = 0;
      await cardFor(BETA, "I want to talk to a human");
      await worker.drain();
      await cardFor(ALPHA, "I want to talk to a human");
      await worker.drain();
      const assigned = intercom.requests.filter((request) => request.method === "POST" && /\/parts$/.test(request.path) && (request.body as { message_type?: string }).message_type === "assignment");
      expect(assigned.map((request) => (request.body as { assignee_id: string }).assignee_id)).toEqual(["team-beta", "team-alpha"]);
      // Each workspace's handoff note says where its conversation went.
      const notes = intercom.requests.filter((request) => request.method === "POST" && (request.body as { message_type?: string }).message_type === "note").map((request) => String((request.body as { body: string }).body));
      expect(notes).toHaveLength(2);
      expect(notes[0]).toContain("Assigned to team Beta support");
      expect(notes[1]).toContain("Assigned to team Alpha support");
    });
  });
});
