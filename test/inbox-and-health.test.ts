import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CanvasResponse } from "../canvas/responses.ts";
import { fixture, startTestApp, type TestApp } from "./helpers/app.ts";

type Json = Record<string, any>;
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

describe("Inbox app", () => {
  it("shows what the assistant would do with the customer's last message", async () => {
    const json = await (await app.canvas("/canvas/inbox/initialize", fixture("inbox-initialize"))).json();
    expect(CanvasResponse.safeParse(json).success).toBe(true);
    const components: Json[] = json.canvas.content.components;
    expect(components.find((c) => c.type === "data-table")?.items).toEqual([
      { type: "field-value", field: "Customer", value: "Maria Lopez" },
      { type: "field-value", field: "Conversation", value: "25000000123" },
      { type: "field-value", field: "Last message", value: "I was charged twice for my plan this month" },
      { type: "field-value", field: "Intent", value: expect.stringMatching(/^(faq question|urgent problem|human request) \(offline\)$/) },
    ]);
    expect(components.some((c) => c.type === "text" && /^The assistant (would answer|would hand over|is not sure enough)/.test(c.text))).toBe(true);
    expect(components.find((c) => c.id === "query")).toMatchObject({ type: "input" });
    expect(components.some((c) => c.type === "text" && /^Answer decisions: (fitted on this Help Center|the built-in prior).*Brier \d\.\d{3}\.$/.test(c.text))).toBe(true);
  });

  it("suggests a reply with its sources and their match for a search", async () => {
    const json = await (await app.canvas("/canvas/inbox/submit", { ...fixture("inbox-submit"), input_values: { query: "How do I turn on two-factor authentication?" } })).json();
    expect(CanvasResponse.safeParse(json).success).toBe(true);
    const components: Json[] = json.canvas.content.components;
    expect(components.some((c) => c.type === "text" && /Suggested reply/.test(c.text))).toBe(true);
    const items = components.find((c) => c.type === "list")?.items as Json[];
    expect(items[0]).toMatchObject({ title: "Turn on two-factor authentication", subtitle: expect.stringMatching(/^Match \d+%$/), action: { type: "url" } });
  });

  it("says when the policy would hand over, and why", async () => {
    const body = { ...fixture("inbox-submit"), input_values: { query: "I want to speak to a human" } };
    const json = await (await app.canvas("/canvas/inbox/submit", body)).json();
    const verdict = json.canvas.content.components.find((c: Json) => c.type === "text" && /would hand over/.test(c.text));
    expect(verdict?.text).toMatch(/explicit request: said "speak to a human"\), priority high/);
  });
});

describe("health", () => {
  it("reports the process up on /healthz", async () => {
    expect(await (await fetch(`${app.url}/healthz`)).json()).toEqual({ status: "ok" });
  });

  it("reports ready once the Help Center is loaded", async () => {
    await app.canvas("/canvas/inbox/submit", fixture("inbox-submit"));
    const response = await fetch(`${app.url}/readyz`);
    expect(response.status).toBe(200);
  });

  it("answers 503 with the reason when a dependency is down", async () => {
    const down = await startTestApp({ readiness: async () => ({ ready: false, reason: "Chroma is not reachable at http://127.0.0.1:9" }) });
    try {
      const response = await fetch(`${down.url}/readyz`);
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ status: "not ready", reason: "Chroma is not reachable at http://127.0.0.1:9" });
    } finally {
      await down.close();
    }
  });
});
