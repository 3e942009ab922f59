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
  it("shows the conversation's customer and a Help Center search", async () => {
    const json = await (await app.canvas("/canvas/inbox/initialize", fixture("inbox-initialize"))).json();
    expect(CanvasResponse.safeParse(json).success).toBe(true);
    const components: Json[] = json.canvas.content.components;
    expect(components.find((c) => c.type === "data-table")?.items).toEqual([
      { type: "field-value", field: "Customer", value: "Maria Lopez" },
      { type: "field-value", field: "Conversation", value: "25000000123" },
    ]);
    expect(components.find((c) => c.id === "query")).toMatchObject({ type: "input" });
  });

  it("suggests a reply with its sources and their match", async () => {
    const json = await (await app.canvas("/canvas/inbox/submit", fixture("inbox-submit"))).json();
    expect(CanvasResponse.safeParse(json).success).toBe(true);
    const components: Json[] = json.canvas.content.components;
    expect(components.some((c) => c.type === "text" && /Suggested reply/.test(c.text))).toBe(true);
    const items = components.find((c) => c.type === "list")?.items as Json[];
    expect(items[0]).toMatchObject({ title: "Refunds for Tallybook subscriptions", subtitle: expect.stringMatching(/^Match \d+%$/), action: { type: "url" } });
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
