// Every signed endpoint rejects what Intercom would never send, clearly and without leaking
// why a signature failed or how the server is built.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canvasSignature } from "../server/intercom/signature.ts";
import { SECRET, fixture, startTestApp, type TestApp } from "./helpers/app.ts";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const ENDPOINTS: Array<[string, string]> = [
  ["/canvas/messenger/initialize", "messenger-initialize"],
  ["/canvas/messenger/submit", "messenger-submit"],
  ["/canvas/messenger/configure", "messenger-configure"],
  ["/canvas/messenger/content", "messenger-content"],
  ["/canvas/messenger/sheet", "messenger-sheet"],
  ["/canvas/inbox/initialize", "inbox-initialize"],
  ["/canvas/inbox/submit", "inbox-submit"],
];

async function expectCleanError(response: Response, status: number) {
  expect(response.status).toBe(status);
  const text = await response.text();
  expect(text).not.toMatch(/\bat .*\.(ts|js):\d+|node_modules|Error:/);
  return JSON.parse(text) as { error: string };
}

describe.each(ENDPOINTS)("%s", (path, name) => {
  it("accepts the documented payload when signed", async () => {
    expect((await app.canvas(path, fixture(name))).status).toBe(200);
  });

  it("rejects a request without a signature with an opaque 401 and logs why", async () => {
    const body = await expectCleanError(await app.canvas(path, fixture(name), { signature: null }), 401);
    expect(body).toEqual({ error: "invalid signature" });
    expect(app.logs.join("")).toContain("missing x-body-signature header");
  });

  it("rejects a request signed with another secret", async () => {
    expect(await expectCleanError(await app.canvas(path, fixture(name), { secret: "someone-elses-secret" }), 401)).toEqual({ error: "invalid signature" });
  });

  it("rejects a signed body with one byte changed", async () => {
    const raw = JSON.stringify(fixture(name));
    const response = await fetch(`${app.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-body-signature": canvasSignature(raw, SECRET) },
      body: raw.replace('"ecahpwf5"', '"ecahpwf6"'),
    });
    await expectCleanError(response, 401);
  });

  it("rejects signed bytes that are not JSON with a 400", async () => {
    expect(await expectCleanError(await app.canvas(path, '{"workspace_id": '), 400)).toEqual({ error: "body: not valid JSON" });
  });

  it("rejects a signed body without workspace_id, naming the field", async () => {
    const body = fixture(name);
    delete body.workspace_id;
    expect((await expectCleanError(await app.canvas(path, body), 400)).error).toMatch(/^workspace_id: /);
  });

  it("rejects a workspace id that could not be one", async () => {
    expect((await expectCleanError(await app.canvas(path, { ...fixture(name), workspace_id: "../../etc" }), 400)).error).toMatch(/^workspace_id: must be/);
  });
});

describe("malformed requests", () => {
  it("names a nested field that has the wrong type", async () => {
    const body = { ...fixture("messenger-submit"), input_values: { question: { nested: true } } };
    expect((await expectCleanError(await app.canvas("/canvas/messenger/submit", body), 400)).error).toMatch(/^input_values\.question: /);
  });

  it("answers a contact whose timestamps no date can hold (found by npm run fuzz)", async () => {
    const body = fixture("inbox-submit");
    body.contact.last_seen_at = 8640000000001;
    body.contact.created_at = -1e20;
    expect((await app.canvas("/canvas/inbox/submit", body)).status).toBe(200);
  });

  it("refuses an oversize body with 413 before verifying it", async () => {
    const body = { ...fixture("messenger-submit"), padding: "x".repeat(600 * 1024) };
    expect(await expectCleanError(await app.canvas("/canvas/messenger/submit", body), 413)).toEqual({ error: "body: too large" });
  });

  it("answers unknown paths with a JSON 404", async () => {
    expect((await fetch(`${app.url}/canvas/messenger/unknown`, { method: "POST" })).status).toBe(404);
  });
});

describe("webhooks", () => {
  it("answers Intercom's ping when signed with X-Hub-Signature", async () => {
    const response = await app.webhook(fixture("webhook-ping"));
    expect(response.status).toBe(200);
  });

  it("rejects a notification signed with another secret", async () => {
    expect(await expectCleanError(await app.webhook(fixture("webhook-ping"), { secret: "nope-nope-nope" }), 401)).toEqual({ error: "invalid signature" });
  });

  it("does not accept a canvas-style signature on the webhook route", async () => {
    const response = await app.canvas("/webhooks/intercom", fixture("webhook-ping"));
    await expectCleanError(response, 401);
  });
});
