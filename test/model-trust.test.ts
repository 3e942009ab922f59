// The configured model is trusted only as far as it was measured on the workspace's own Help
// Center: real probes put to real OpenAI-compatible servers with a personality, the measurement
// stored as the app stores it, and the cards read back from respond().
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Calibrations, memoryCalibrationStore } from "../server/answer-decision/calibrations.ts";
import { databaseModelTrustStore, memoryModelTrustStore, type ModelTrustStore } from "../server/answer-decision/model-trusts.ts";
import { trustOf, type ProbeOutcome } from "../server/answer-decision/model-trust.ts";
import { respond } from "../server/assistant/assistant.ts";
import { answerSupport } from "../server/assistant/answer-support.ts";
import { OpenAIChatModel } from "../server/assistant/chat-model.ts";
import { customerProfile } from "../server/assistant/context.ts";
import { createAssistant } from "../server/assistant/create-assistant.ts";
import { createLogger } from "../server/logger.ts";
import { fixture, testKnowledge } from "./helpers/app.ts";
import { BACKENDS, openTestDatabase } from "./helpers/databases.ts";
import { startFakeOpenAI } from "./helpers/fake-openai.ts";
import { startPersonaModel, type Persona, type PersonaModel } from "./helpers/model-personas.ts";
import { startTestApp } from "./helpers/app.ts";
import { ConsoleSessions } from "../server/console/sessions.ts";
import { WorkspaceSettings } from "../server/settings/workspace-settings.ts";
import { DEFAULT_POLICY } from "../server/assistant/policy.ts";
import { signInWithToken } from "./helpers/console-session.ts";

const WORKSPACE = fixture("messenger-submit").workspace_id as string;
const logger = createLogger("silent");
const knowledge = testKnowledge();
const calibrations = new Calibrations({ knowledge, store: memoryCalibrationStore(), logger });
/** Articles close, none sure (the demo, offline embedder): the card offers a choice without a model. */
const UNSURE = "can my accountant log in";
/** The article that answers it (its accountant access), one of those offered. */
const ACCOUNTANT_ARTICLE = "8800140";
const servers: PersonaModel[] = [];

beforeAll(async () => {
  await knowledge.sync(WORKSPACE);
  await calibrations.refit(WORKSPACE);
}, 120_000);
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

async function persona(name: Persona) {
  const server = await startPersonaModel(name, { oracle: new Map([[UNSURE, ACCOUNTANT_ARTICLE]]) });
  servers.push(server);
  return server;
}

/** Sixty probes: enough for the rule's ten claims, fewer than the app's hundred to keep the suite short. */
function assistantWith(url: string, options: { name?: string; store?: ModelTrustStore; probes?: number } = {}) {
  return createAssistant({ knowledge, calibrations, logger, model: new OpenAIChatModel({ baseUrl: url, model: options.name ?? "persona" }), trustStore: options.store ?? memoryModelTrustStore(), probeLimits: { probes: options.probes ?? 60, concurrency: 8, budgetMs: 60_000 } });
}

const ask = (assistant: ReturnType<typeof assistantWith>, message: string) =>
  respond({ workspaceId: WORKSPACE, message, history: [], previousSentiments: [], turnNumber: 1, customer: customerProfile(fixture("messenger-submit").contact) }, assistant);

describe("measuring the model on the workspace's own Help Center", () => {
  it("offers the choice until the model is measured, whatever the model claims", async () => {
    const assistant = assistantWith((await persona("honest")).url);
    expect(await assistant.trusts!.trustFor(WORKSPACE)).toBeUndefined();
    expect(await ask(assistant, UNSURE)).toMatchObject({ action: "offer_choice" });
  });

  it("a credulous model, once measured, settles no choice: its claims were wrong too often", async () => {
    const server = await persona("credulous");
    const assistant = assistantWith(server.url);
    const trust = await assistant.trusts!.measure(WORKSPACE);
    expect(trust).toMatchObject({ status: "measured", settleFrom: null, refusalsHonoured: false });
    expect(trust.falseAnswerRate).toBeGreaterThan(0.9);
    expect(trust.probes.answerable + trust.probes.unanswerable + trust.probes.elsewhere).toBe(60);
    const calls = server.calls;
    expect(await ask(assistant, UNSURE)).toMatchObject({ action: "offer_choice" });
    // Its claim could settle nothing, so the card did not wait for it: one short classification at most.
    expect(server.calls - calls).toBeLessThanOrEqual(1);
  });

  it("an honest model, once measured, turns the choice into an answer from the article it cites", async () => {
    const assistant = assistantWith((await persona("honest")).url);
    const trust = await assistant.trusts!.measure(WORKSPACE);
    expect(trust.status).toBe("measured");
    expect(trust.settleFrom).not.toBeNull();
    expect(trust.falseAnswerRate).toBeLessThan(0.3);
    expect(trust.refusalsHonoured).toBe(true);
    const decision = await ask(assistant, UNSURE);
    expect(decision).toMatchObject({ action: "answer", answeredBy: "llm" });
    expect(decision.action === "answer" && decision.sources[0]!.articleId).toBe(ACCOUNTANT_ARTICLE);
  });

  it("a model that is down fails its measurement, and the band stays closed until a sync measures it again", async () => {
    const server = await persona("honest");
    const url = server.url;
    await server.close();
    const assistant = assistantWith(url, { probes: 20 });
    const trust = await assistant.trusts!.measure(WORKSPACE);
    expect(trust).toMatchObject({ status: "failed", settleFrom: null });
    expect(trust.probes.failed).toBe(trust.probes.answerable + trust.probes.unanswerable + trust.probes.elsewhere);
    expect(await ask(assistant, UNSURE)).toMatchObject({ action: "offer_choice" });
    expect(await assistant.trusts!.due(WORKSPACE, trust.helpCenterVersion)).toBe(true);
  });

  it("measures again when the model changes, and not when it is the same model on the same fit", async () => {
    const store = memoryModelTrustStore();
    const first = assistantWith((await persona("credulous")).url, { store, name: "small-model" });
    const measured = await first.trusts!.measure(WORKSPACE);
    expect(await first.trusts!.due(WORKSPACE, measured.helpCenterVersion)).toBe(false);
    const second = assistantWith((await persona("honest")).url, { store, name: "bigger-model" });
    expect(await second.trusts!.trustFor(WORKSPACE)).toBeUndefined();
    await second.trusts!.refresh(WORKSPACE, measured.helpCenterVersion);
    const remeasured = await second.trusts!.trustFor(WORKSPACE);
    expect(remeasured?.model).toBe("bigger-model");
    expect(remeasured?.settleFrom).not.toBeNull();
  });

  describe.each(BACKENDS)("with the %s database", (backend) => {
    it("a second instance settles choices on the first one's measurement, without measuring", async () => {
      const { db, cleanup } = await openTestDatabase(backend);
      try {
        const server = await persona("honest");
        await assistantWith(server.url, { store: databaseModelTrustStore(db) }).trusts!.measure(WORKSPACE);
        const calls = server.calls;
        const other = assistantWith(server.url, { store: databaseModelTrustStore(db) });
        expect(await ask(other, UNSURE)).toMatchObject({ action: "answer", answeredBy: "llm" });
        expect(server.calls - calls).toBe(1);
      } finally {
        await cleanup();
      }
    });
  });
});

describe("an answer is checked against what it cites", () => {
  const SURE = "How do I set up recurring invoices for a retainer client?";

  it("falls back to the extractive answer when the model's answer states a number the cited passage does not hold", async () => {
    const openai = await startFakeOpenAI();
    try {
      const assistant = assistantWith(openai.url);
      const reply = (answer: string) => ({ content: JSON.stringify({ intent: "faq_question", needs_human: false, answerable: true, cited: ["8800104"], answer }) });
      openai.chat = () => reply("Go to Invoices > Recurring and click New recurring invoice, then choose how often: weekly, monthly, quarterly or yearly.");
      expect(await ask(assistant, SURE)).toMatchObject({ action: "answer", answeredBy: "llm" });
      openai.chat = () => reply("Go to Invoices > Recurring and click New recurring invoice, then choose how often: every 45 days at most.");
      const decision = await ask(assistant, SURE);
      expect(decision).toMatchObject({ action: "answer", answeredBy: "extractive" });
      expect(decision.action === "answer" && decision.text).not.toContain("45");
      expect(assistant.stats.fallbacks.unsupported).toBe(1);
    } finally {
      await openai.close();
    }
  });
});

describe("the console shows the measurement", () => {
  it("says the model is not measured yet, measures it on 'Measure again', and shows what it found", async () => {
    const ADMIN_TOKEN = "operator-admin-token-0123456789";
    const { db, cleanup } = await openTestDatabase("pglite");
    const assistant = assistantWith((await persona("honest")).url, { name: "honest-model", store: databaseModelTrustStore(db) });
    const app = await startTestApp({
      knowledge,
      assistant,
      console: { sessions: new ConsoleSessions(db, "console-secret-0123"), settings: new WorkspaceSettings({ db, defaults: DEFAULT_POLICY, logger }), directoryFor: () => undefined, trusts: assistant.trusts!, operator: { token: ADMIN_TOKEN, workspaceId: WORKSPACE } },
    });
    try {
      const { cookie } = await signInWithToken(app.url, ADMIN_TOKEN);
      const page = async () => (await fetch(`${app.url}/console/settings`, { headers: { cookie } })).text();
      const before = await page();
      expect(before).toContain("honest-model");
      expect(before).toContain("Not measured yet.");
      const csrf = /name="_csrf" value="([^"]+)"/.exec(before)![1]!;
      const measuring = await fetch(`${app.url}/console/model/measure`, { method: "POST", headers: { cookie }, body: new URLSearchParams({ _csrf: csrf }) });
      expect(await measuring.text()).toContain("Measuring the model on your Help Center");
      let after = await page();
      for (let tries = 0; tries < 100 && !after.includes('id="model-trust"'); tries++) {
        await new Promise((resolve) => setTimeout(resolve, 300));
        after = await page();
      }
      expect(after).toMatch(/Says the articles answer when they do not<\/th><td>0% of \d+ questions/);
      expect(after).toMatch(/Settles "Is it one of these\?" cards<\/th><td>Yes, when the article it cites is at least \d+% likely/);
    } finally {
      await app.close();
      await cleanup();
    }
  }, 60_000);
});

describe("what an answer may state", () => {
  const passage = { title: "Tallybook plans and pricing", text: "Solo costs 9 EUR per month for one user. Team costs 29 EUR per month for up to 5 users. Connect Stripe or PayPal to get paid online.", locale: "en" };
  const check = (answer: string, language: "en" | "fr" = "en") => answerSupport(answer, { passages: [passage], question: "how much is the team plan", names: ["Maria", "Tallybook"], language });

  it("holds an answer in the passage's words, with its own numbered steps", () => {
    expect(check("Hi Maria, the Team plan costs 29 EUR per month for up to 5 users.")).toEqual({ share: 1, unsupported: [] });
    expect(check("1. Connect Stripe.\n2. Get paid online.").unsupported).toEqual([]);
  });

  it("names every number, price, link and product the passage does not hold", () => {
    expect(check("The Team plan costs 39 EUR per month.").unsupported).toEqual(["39"]);
    expect(check("Connect QuickBooks to get paid online.").unsupported).toEqual(["QuickBooks"]);
    expect(check("Connect Stripe or Square to get paid online.").unsupported).toEqual(["Square"]);
    expect(check("See https://pricing.example/plans for the Team plan.").unsupported).toEqual(["https://pricing.example/plans"]);
  });

  it("checks an answer in another language on what survives translation alone", () => {
    expect(check("Le forfait Team coûte 29 EUR par mois, jusqu'à 5 utilisateurs.", "fr")).toEqual({ share: undefined, unsupported: [] });
    expect(check("Le forfait Team coûte 19 EUR par mois.", "fr").unsupported).toEqual(["19"]);
  });
});

describe("the unsure band's rule, from the probes' outcomes", () => {
  const claim = (p: number, right: boolean, unsure = p < 0.5): ProbeOutcome => ({ kind: right ? "answerable" : "unanswerable", verdict: "claimed", confidence: p, citedRight: right, unsure });
  const refusal = (p: number): ProbeOutcome => ({ kind: "unanswerable", verdict: "refused", confidence: p, citedRight: false, unsure: true });
  const about = { modelKey: "m", model: "m", helpCenterVersion: "v", seconds: 1, calls: 90 };
  const sure = Array.from({ length: 40 }, (_, i) => claim(0.6 + i / 100, true));
  const refusals = Array.from({ length: 30 }, (_, i) => refusal(0.05 + i / 100));

  it("trusts a model that is right on the sure questions but only half the time on the unsure ones for nothing below the answer threshold", () => {
    const unsure = Array.from({ length: 20 }, (_, i) => claim(0.05 + i / 50, i % 2 === 0));
    expect(trustOf([...sure, ...unsure, ...refusals], about, 0.5).settleFrom).toBeNull();
  });

  it("trusts a model whose claims were right wherever retrieval was, down to the least likely article it was measured on", () => {
    const unsure = Array.from({ length: 20 }, (_, i) => claim(0.05 + i / 50, true));
    expect(trustOf([...sure, ...unsure, ...refusals], about, 0.5).settleFrom).toBeCloseTo(0.05);
  });
});
