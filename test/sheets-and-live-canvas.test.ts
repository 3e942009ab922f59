// With a public URL: answers link to a sheet showing the passage used, and the Messenger home card
// is a live canvas listing the articles helping customers right now.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LiveCanvasResponse } from "../canvas/responses.ts";
import { fixture, startTestApp, type TestApp } from "./helpers/app.ts";

type Json = Record<string, any>;
const PUBLIC = "https://assistant.example.com";
let app: TestApp;
const local = (url: string) => url.replace(PUBLIC, app.url);

beforeAll(async () => {
  app = await startTestApp({ publicUrl: PUBLIC });
});
afterAll(() => app.close());

async function answer(question: string): Promise<Json> {
  return (await app.canvas("/canvas/messenger/submit", { ...fixture("messenger-submit"), input_values: { question } })).json();
}

describe("article sheet", () => {
  it("opens the cited article with the passage the answer came from highlighted", async () => {
    const json = await answer("How do I set up recurring invoices for a retainer client?");
    const sheetButton = (json.canvas.content.components as Json[]).find((c) => c.action?.type === "sheet");
    expect(sheetButton).toMatchObject({ label: "Show me where it says this", action: { url: expect.stringMatching(/^https:\/\/assistant\.example\.com\/sheets\/article\?/) } });

    const page = await fetch(local(sheetButton!.action.url), { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "intercom_data=%7B%7D" });
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("frame-ancestors");
    const html = await page.text();
    expect(html).toContain("<h1>Set up recurring invoices</h1>");
    expect(html).toMatch(/<section class="passage used" id="used">\s*<div class="used-label">The answer came from here<\/div>/);
    expect(html).toContain("Send automatically");
  });

  it("speaks the card's language", async () => {
    const submit = fixture("messenger-submit");
    const json = await (await app.canvas("/canvas/messenger/submit", { ...submit, context: { ...submit.context, locale: "fr" }, input_values: { question: "Comment réinitialiser mon mot de passe ?" } })).json();
    const sheetButton = (json.canvas.content.components as Json[]).find((c) => c.action?.type === "sheet");
    expect(sheetButton).toMatchObject({ label: "Montrez-moi où c'est écrit" });
    const html = await (await fetch(local(sheetButton!.action.url))).text();
    expect(html).toContain('<html lang="fr">');
    expect(html).toContain("La réponse vient d’ici");
    expect(html).toContain(">Terminé</button>");
  });

  it("refuses a sheet link whose signature was altered", async () => {
    const json = await answer("How do I set up recurring invoices for a retainer client?");
    const url = new URL(local((json.canvas.content.components as Json[]).find((c) => c.action?.type === "sheet")!.action.url));
    url.searchParams.set("w", "another-workspace");
    expect((await fetch(url)).status).toBe(403);
  });
});

describe("live canvas on the Messenger home", () => {
  it("answers initialize on home with a content_url, then lists the articles cited most", async () => {
    const init = await (await app.canvas("/canvas/messenger/initialize", fixture("messenger-initialize"))).json();
    expect(init.canvas).toEqual({ content_url: `${PUBLIC}/canvas/messenger/content`, stored_data: expect.objectContaining({ v: 1 }) });

    await answer("How do I turn on two-factor authentication?");
    await answer("Where do I set up two-factor authentication with an authenticator app?");
    const live = await (await app.canvas("/canvas/messenger/content", { ...fixture("messenger-content"), canvas: init.canvas })).json();
    expect(LiveCanvasResponse.safeParse(live).success).toBe(true);
    const list = (live.content.components as Json[]).find((c) => c.type === "list");
    expect(list?.items[0]).toMatchObject({ title: "Turn on two-factor authentication", action: { type: "url" } });
  });

  it("keeps a static card inside conversations", async () => {
    const body = { ...fixture("messenger-initialize"), context: { location: "conversation", conversation_id: 1 } };
    const init = await (await app.canvas("/canvas/messenger/initialize", body)).json();
    expect(init.canvas.content.components.length).toBeGreaterThan(0);
  });
});
