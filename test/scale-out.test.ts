// Two app instances on one Postgres and one Chroma, as docs/operations.md's "Several instances"
// runs them: a burst of webhooks split between them is processed exactly once, both answer from the
// same Help Center, and a sync run by one is served by the other within seconds. Needs a real Postgres
// (TEST_DATABASE_URL, which .ci/run provides); skipped without one.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { canvasSignature, webhookSignature } from "../server/intercom/signature.ts";
import { fixture } from "./helpers/app.ts";
import { intercomArticle, intercomCollection, startFakeIntercom, type FakeIntercom } from "./helpers/fake-intercom.ts";
import { spawnApp, waitFor, type AppProcess } from "./helpers/process.ts";
import { signInWithToken } from "./helpers/console-session.ts";

const adminUrl = process.env.TEST_DATABASE_URL;
const SECRET = "scale-out-client-secret";
const ADMIN = "scale-out-admin-token-0123";

describe.skipIf(!adminUrl)("two instances, one Postgres, one Chroma", () => {
  let intercom: FakeIntercom;
  const instances: AppProcess[] = [];
  let databaseName: string;
  const dirs: string[] = [];
  const workspaceId = `scale${randomBytes(3).toString("hex")}`;

  beforeAll(async () => {
    databaseName = `assistant_scale_${randomBytes(4).toString("hex")}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${databaseName}`);
    await admin.end();
    const url = new URL(adminUrl!);
    url.pathname = `/${databaseName}`;
    intercom = await startFakeIntercom({
      workspaceId,
      collections: [intercomCollection({ id: "10", name: "Billing" })],
      articles: [intercomArticle({ id: "701", title: "Pay by bank transfer", body: "<p>Yearly plans can be paid by bank transfer within 30 days.</p>" })],
    });
    // Customers' picks count at once here: the test stands in for the confirmation window's wait.
    const config = path.join(await mkdtemp(path.join(tmpdir(), "assistant-scale-config-")), "policy.json");
    dirs.push(path.dirname(config));
    await writeFile(config, JSON.stringify({ customer_pick_confirm_minutes: 0 }));
    for (let i = 0; i < 2; i++) {
      const dir = await mkdtemp(path.join(tmpdir(), `assistant-scale-${i}-`));
      dirs.push(dir);
      instances.push(
        await spawnApp({
          DATA_DIR: dir,
          DATABASE_URL: url.toString(),
          CHROMA_URL: inject("chromaUrl"),
          INTERCOM_CLIENT_SECRET: SECRET,
          INTERCOM_ACCESS_TOKEN: "fake-access-token",
          INTERCOM_API_BASE_URL: intercom.url,
          ADMIN_TOKEN: ADMIN,
          ASSISTANT_CONFIG: config,
        }),
      );
    }
    for (const app of instances) {
      await waitFor(async () => {
        if (app.child.exitCode !== null) throw new Error(`an instance exited:\n${app.output()}`);
        return (await fetch(`http://127.0.0.1:${app.port}/readyz`).catch(() => undefined))?.status === 200 ? true : undefined;
      }, 90_000, "readyz");
    }
  }, 150_000);

  afterAll(async () => {
    for (const app of instances) app.child.kill("SIGTERM");
    await Promise.all(instances.map((app) => app.exited));
    await intercom?.close();
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`);
    await admin.end();
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  type Card = { canvas: { content: { components: Array<{ id?: string; label?: string; action?: { type: string } }> } } };
  /** A signed card submit, as the fixture's contact in its conversation unless told otherwise. */
  async function submit(app: AppProcess, fields: Record<string, unknown>, who: { contact?: string; conversation?: number } = {}) {
    const template = fixture("messenger-submit");
    const body = { ...template, workspace_id: workspaceId, user: { ...template.user, id: who.contact ?? template.user.id }, context: { ...template.context, conversation_id: who.conversation ?? template.context.conversation_id }, ...fields };
    const raw = JSON.stringify(body);
    const response = await fetch(`http://127.0.0.1:${app.port}/canvas/messenger/submit`, { method: "POST", headers: { "content-type": "application/json", "x-body-signature": canvasSignature(raw, SECRET) }, body: raw });
    return (await response.json()) as Card;
  }
  const ask = (app: AppProcess, question: string, who: { contact?: string; conversation?: number } = {}) => submit(app, { input_values: { question } }, who);

  it("processes a burst of webhooks split between the instances exactly once", async () => {
    const sends: Array<Promise<Response>> = [];
    for (let i = 0; i < 30; i++) {
      const body = fixture("webhook-conversation-user-created");
      body.app_id = workspaceId;
      body.id = `notif-burst-${i}`;
      body.data.item.id = `77000${i}`;
      const raw = JSON.stringify(body);
      // Every notification is delivered twice, once to each instance: a retry landing elsewhere.
      for (const app of instances) {
        sends.push(fetch(`http://127.0.0.1:${app.port}/webhooks/intercom`, { method: "POST", headers: { "content-type": "application/json", "x-hub-signature": webhookSignature(raw, SECRET) }, body: raw }));
      }
    }
    expect((await Promise.all(sends)).every((response) => response.status === 200)).toBe(true);
    const notes = () => intercom.requests.filter((r) => r.method === "POST" && /^\/conversations\/77000\d+\/reply$/.test(r.path));
    await waitFor(() => (notes().length >= 30 ? true : undefined), 60_000, "30 notes");
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(notes()).toHaveLength(30);
    expect(new Set(notes().map((r) => r.path)).size).toBe(30);
  }, 90_000);

  it("answers from the same Help Center on both, and a sync run by one reaches the other within seconds", async () => {
    for (const app of instances) {
      const card = await ask(app, "Can I pay by bank transfer?");
      expect(card.canvas.content.components.find((c) => c.action?.type === "url")?.label).toBe("Pay by bank transfer");
    }
    intercom.articles.push(intercomArticle({ id: "702", title: "Receipts for your subscription", body: "<p>Download every receipt for your subscription from Billing history.</p>" }));
    const synced = await fetch(`http://127.0.0.1:${instances[0]!.port}/admin/sync?workspace=${workspaceId}`, { method: "POST", headers: { authorization: `Bearer ${ADMIN}` } });
    expect(await synced.json()).toMatchObject({ synced: 1 });
    const started = Date.now();
    await waitFor(async () => {
      const card = await ask(instances[1]!, "Where do I download receipts for my subscription?");
      return card.canvas.content.components.some((c) => c.label === "Receipts for your subscription") ? true : undefined;
    }, 20_000, "the other instance to serve the new article");
    console.log(`second instance served the new article ${Date.now() - started} ms after the sync`);
  }, 60_000);

  it("uses on one instance, within seconds, what a teammate's reply taught the other", async () => {
    const question = "how can I settle the annual fee offline";
    const shows = (card: Awaited<ReturnType<typeof ask>>) => card.canvas.content.components.some((c) => c.label === "Pay by bank transfer");
    expect(shows(await ask(instances[1]!, question))).toBe(false);
    const deliver = async (app: AppProcess, body: Record<string, any>) => {
      const raw = JSON.stringify(body);
      const response = await fetch(`http://127.0.0.1:${app.port}/webhooks/intercom`, { method: "POST", headers: { "content-type": "application/json", "x-hub-signature": webhookSignature(raw, SECRET) }, body: raw });
      expect(response.status).toBe(200);
    };
    const asked = fixture("webhook-conversation-user-created");
    Object.assign(asked, { app_id: workspaceId, id: "notif-learn-asked" });
    Object.assign(asked.data.item, { id: "78000001", source: { ...asked.data.item.source, body: `<p>${question}</p>` } });
    await deliver(instances[0]!, asked);
    await waitFor(() => (intercom.requests.some((r) => r.method === "POST" && r.path === "/conversations/78000001/reply") ? true : undefined), 30_000, "the assistant's suggestion");

    const replied = fixture("webhook-conversation-admin-replied");
    Object.assign(replied, { app_id: workspaceId, id: "notif-learn-replied" });
    Object.assign(replied.data.item, { id: "78000001", source: { ...replied.data.item.source, body: `<p>${question}</p>` } });
    replied.data.item.conversation_parts.conversation_parts[0].body = `<p>Yes! See <a href="https://help.fake.example/en/articles/701-pay-by-bank-transfer">Pay by bank transfer</a>.</p>`;
    await deliver(instances[0]!, replied);
    const started = Date.now();
    await waitFor(async () => (shows(await ask(instances[1]!, `${question}?`)) ? true : undefined), 30_000, "the other instance to use the learned question");
    console.log(`second instance used the learned question ${Date.now() - started} ms after the teammate's reply was delivered`);
  }, 90_000);

  it("uses on one instance, within 5 s, the answer decisions the other fitted", async () => {
    const figures = async (app: AppProcess) => {
      const text = await (await fetch(`http://127.0.0.1:${app.port}/metrics`)).text();
      return text
        .split("\n")
        .filter((line) => line.startsWith("assistant_calibration{") && line.includes(`workspace="${workspaceId}"`))
        .sort()
        .join("\n");
    };
    // Grown past the size a fit needs, the Help Center is synced and fitted by the first instance.
    const topics = ["Reset your password", "Export your invoices", "Invite a teammate", "Change your plan", "Turn on two-factor authentication", "Connect your bank account", "Delete a client", "Set up recurring invoices"];
    topics.forEach((title, i) => intercom.articles.push(intercomArticle({ id: String(720 + i), title, body: `<p>${title}: open Settings and follow the steps on the page.</p>` })));
    await ask(instances[0]!, "How do I export my invoices?");
    expect(await figures(instances[0]!)).toContain('kind="prior"');
    const synced = await fetch(`http://127.0.0.1:${instances[0]!.port}/admin/sync?workspace=${workspaceId}`, { method: "POST", headers: { authorization: `Bearer ${ADMIN}` } });
    expect(synced.status).toBe(200);
    const fitted = await figures(instances[0]!);
    expect(fitted).toContain('kind="fitted"');
    const started = Date.now();
    await waitFor(async () => {
      await ask(instances[1]!, "How do I export my invoices?");
      return (await figures(instances[1]!)) === fitted ? true : undefined;
    }, 20_000, "the other instance to use the new fit");
    const took = Date.now() - started;
    console.log(`second instance used the new fit ${took} ms after it was made`);
    expect(took).toBeLessThan(5000);
  }, 60_000);
  it("uses on one instance, within 10 s, a question two customers taught through the other by picking its article", async () => {
    // Offered a choice led by another article, both customers pick "Pay by bank transfer".
    const question = "transfer money for the subscription";
    const answersWith = (card: Card, title: string) => card.canvas.content.components.some((c) => c.id === "helpful") && card.canvas.content.components.find((c) => c.action?.type === "url")?.label === title;
    for (const [contact, conversation] of [["scale-contact-a", 79000001], ["scale-contact-b", 79000002]] as const) {
      const offered = await ask(instances[0]!, question, { contact, conversation });
      const choice = offered.canvas.content.components.find((c) => c.id?.startsWith("choice_") && c.label === "Pay by bank transfer");
      expect(choice, JSON.stringify(offered.canvas.content.components.map((c) => c.label ?? c.id))).toBeDefined();
      await submit(instances[0]!, { component_id: choice!.id, input_values: {}, current_canvas: offered.canvas }, { contact, conversation });
    }
    const started = Date.now();
    await waitFor(async () => (answersWith(await ask(instances[1]!, question), "Pay by bank transfer") ? true : undefined), 20_000, "the other instance to answer from what customers taught");
    const took = Date.now() - started;
    console.log(`second instance answered from the customer-learned question ${took} ms after the second pick`);
    expect(took).toBeLessThan(10_000);
  }, 60_000);

  it("reads the team's history once between them, whichever instance an admin asks", async () => {
    const now = Math.floor(Date.now() / 1000);
    for (let i = 0; i < 40; i++) {
      intercom.conversations.set(String(43000 + i), {
        type: "conversation",
        id: String(43000 + i),
        state: "closed",
        updated_at: now - i * 600,
        source: { type: "conversation", body: `<p>${i % 2 ? "can I wire the money for the yearly plan" : "pay the annual invoice from my bank account"}</p>`, author: { type: "user", id: `c${i}` } },
        conversation_parts: { type: "conversation_part.list", conversation_parts: [{ type: "conversation_part", id: `p${i}`, part_type: "comment", body: '<p>See <a href="https://help.fake.example/en/articles/701">this</a>.</p>', author: { type: "admin", id: "4412783" } }], total_count: 1 },
      });
    }
    const cookies = await Promise.all(instances.map(async (app) => (await signInWithToken(`http://127.0.0.1:${app.port}`, ADMIN)).cookie));
    const csrfOf = async (app: AppProcess, cookie: string) => /name="_csrf" value="([^"]+)"/.exec(await (await fetch(`http://127.0.0.1:${app.port}/console/history`, { headers: { cookie } })).text())![1]!;
    const csrfs = await Promise.all(instances.map((app, i) => csrfOf(app, cookies[i]!)));
    const asked = await Promise.all(
      instances.map((app, i) => fetch(`http://127.0.0.1:${app.port}/console/history/start`, { method: "POST", headers: { cookie: cookies[i]!, "content-type": "application/x-www-form-urlencoded" }, body: `_csrf=${encodeURIComponent(csrfs[i]!)}` })),
    );
    expect(asked.map((response) => response.status).sort()).toEqual([200, 409]);
    await waitFor(async () => ((await (await fetch(`http://127.0.0.1:${instances[1]!.port}/console/history`, { headers: { cookie: cookies[1]! } })).text()).includes("<h2>Done</h2>") ? true : undefined), 60_000, "the history to be read");
    const reads = intercom.requests.filter((request) => request.method === "GET" && /^\/conversations\/43\d{3}$/.test(request.path)).map((request) => request.path);
    expect(reads).toHaveLength(40);
    expect(new Set(reads).size).toBe(40);
  }, 90_000);
});
