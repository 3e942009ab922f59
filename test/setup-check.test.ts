// The Setup page and `npm run doctor`, against the app as `npm start` runs it: each red line is
// driven into being the way an admin would meet it (a request signed with another secret, a
// webhook topic left unticked, a token refused tagging and notes, a model slower than the card's
// budget, jobs parked), read on the console's page and from the doctor beside the stopped app, then
// made green again by fixing the cause.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { canvasSignature, webhookSignature } from "../server/intercom/signature.ts";
import { fixture } from "./helpers/app.ts";
import { intercomArticle, intercomCollection, startFakeIntercom, type FakeIntercom } from "./helpers/fake-intercom.ts";
import { startFakeOpenAI, type FakeOpenAI } from "./helpers/fake-openai.ts";
import { spawnApp, waitFor, type AppProcess } from "./helpers/process.ts";
import { signInWithToken } from "./helpers/console-session.ts";

const run = promisify(execFile);
const SECRET = "setup-client-secret-0123";
const ADMIN_TOKEN = "setup-admin-token-0123456789";
const ARTICLES = [
  ["Pay by bank transfer", "Yearly plans can be paid by bank transfer within 30 days of the invoice."],
  ["Delete a client", "Open the client's page and choose Delete; their invoices are archived."],
  ["Set up recurring invoices", "Create an invoice, tick Repeat, and pick how often it is sent."],
  ["Reset your password", "Click Forgot password on the sign-in page and follow the link we email you."],
  ["Export your invoices", "Open Billing, choose Export and download every invoice as a CSV file."],
  ["Invite a teammate", "Go to Settings, Team, and send an invitation to your colleague's email address."],
  ["Change your plan", "Upgrade or downgrade from the Plans page; the price changes on the next invoice."],
  ["Turn on two-factor authentication", "In Security settings, scan the QR code with an authenticator app."],
  ["Connect your bank account", "Link your bank under Integrations to import transactions every night."],
] as const;
/** Every webhook topic the manifest asks for but the rating: the one left unticked. */
const TOPICS_BUT_RATING = ["conversation.user.created", "conversation.user.replied", "conversation.admin.replied", "conversation.admin.assigned", "conversation.admin.closed", "conversation_part.tag.created"];
const cautious = JSON.stringify({ intent: "faq_question", needs_human: false, answerable: false, cited: [], answer: "" });

describe("the Setup page and npm run doctor", () => {
  const workspaceId = `setup${randomBytes(3).toString("hex")}`;
  let intercom: FakeIntercom;
  let model: FakeOpenAI;
  let dataDir: string;
  let app: AppProcess | undefined;
  let notification = 0;

  const env = () => ({
    DATA_DIR: dataDir,
    CHROMA_URL: inject("chromaUrl"),
    DATABASE_URL: "",
    INTERCOM_CLIENT_SECRET: SECRET,
    INTERCOM_ACCESS_TOKEN: "fake-access-token",
    INTERCOM_API_BASE_URL: intercom.url,
    ADMIN_TOKEN,
    OPENAI_BASE_URL: model.url,
    OPENAI_API_KEY: "",
    OPENAI_CHAT_MODEL: "test-model",
    EMBEDDER: "offline",
    MODEL_TRUST_PROBES: "20",
    MODEL_TRUST_BUDGET_SECONDS: "10",
  });
  const start = async () => {
    app = await spawnApp(env());
    const started = app;
    await waitFor(async () => {
      if (started.child.exitCode !== null) throw new Error(`the app exited:\n${started.output()}`);
      const response = await fetch(`http://127.0.0.1:${started.port}/readyz`).catch(() => undefined);
      return response?.status === 200 || undefined;
    }, 90_000, "/readyz 200");
  };
  const stop = async () => {
    app?.child.kill("SIGTERM");
    await app?.exited;
    app = undefined;
  };
  const doctor = async () => {
    const { DATA_DIR, OPENAI_BASE_URL, OPENAI_CHAT_MODEL } = env();
    try {
      const { stdout } = await run("npx", ["tsx", "server/cli/doctor.ts", "--workspace", workspaceId], { env: { ...process.env, DATA_DIR, OPENAI_BASE_URL, OPENAI_CHAT_MODEL, DATABASE_URL: "" } });
      return { code: 0, stdout };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout + failed.stderr };
    }
  };
  const base = () => `http://127.0.0.1:${app!.port}`;
  const card = (question: string, options: { secret?: string; conversation?: number } = {}) => {
    const body = fixture("messenger-submit");
    const raw = JSON.stringify({ ...body, workspace_id: workspaceId, input_values: { question }, context: { ...body.context, conversation_id: options.conversation ?? body.context.conversation_id } });
    const secret = options.secret ?? SECRET;
    return fetch(`${base()}/canvas/messenger/submit`, { method: "POST", headers: { "content-type": "application/json", "x-body-signature": canvasSignature(raw, secret) }, body: raw });
  };
  const webhook = (topic: string, name = "webhook-conversation-user-created") => {
    const raw = JSON.stringify({ ...fixture(name), app_id: workspaceId, topic, id: `notif_setup_${++notification}` });
    return fetch(`${base()}/webhooks/intercom`, { method: "POST", headers: { "content-type": "application/json", "x-hub-signature": webhookSignature(raw, SECRET) }, body: raw });
  };
  /** Signs in with the admin token; where the console lands, and the session's cookie. */
  const signIn = async () => {
    const { cookie, location } = await signInWithToken(base(), ADMIN_TOKEN);
    const landing = await fetch(`${base()}${location}`, { headers: { cookie }, redirect: "manual" });
    return { cookie, landing: landing.status === 303 ? landing.headers.get("location") : location };
  };
  const setupPage = async (cookie: string) => {
    const html = await (await fetch(`${base()}/console/setup`, { headers: { cookie } })).text();
    const lines = Object.fromEntries([...html.matchAll(/<section class="line" id="([^"]+)" data-status="([^"]+)"/g)].map((m) => [m[1]!, m[2]!]));
    return { html, lines };
  };
  const untilLine = (cookie: string, id: string, status: string) => waitFor(async () => ((await setupPage(cookie)).lines[id] === status ? true : undefined), 60_000, `${id} to be ${status}`);

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), "assistant-setup-"));
    intercom = await startFakeIntercom({
      workspaceId,
      collections: [intercomCollection({ id: "10", name: "Account" })],
      articles: ARTICLES.map(([title, body], i) => intercomArticle({ id: String(901 + i), title, body: `<p>${body}</p>` })),
    });
    model = await startFakeOpenAI();
  });

  afterAll(async () => {
    await stop();
    await intercom?.close();
    await model?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("turns a secret that is not the app's red: no signed request ever passed", async () => {
    await start();
    expect((await card("How do I reset my password?", { secret: "another-apps-secret" })).status).toBe(401);
    const { cookie, landing } = await signIn();
    expect(landing).toBe("/console/setup");
    const { html, lines } = await setupPage(cookie);
    expect(lines.signatures).toBe("red");
    expect(html).toContain("INTERCOM_CLIENT_SECRET is not this app&#x27;s client secret");
    expect(html).not.toContain(SECRET);
    // Nothing else is wrong yet: the token, the sync and the calibration are green.
    expect(lines).toMatchObject({ "intercom-token": "green", "help-center-sync": "green", "help-center-calibration": "green", "parked-jobs": "green" });
    await stop();

    const checked = await doctor();
    expect(checked.code).toBe(1);
    expect(checked.stdout).toMatch(/FAIL {2}Signatures: 1 request failed verification .* None ever passed\./);
    expect(checked.stdout).toMatch(/ok {4}Sync: Synced at .*: 9 articles indexed in en\./);
  }, 180_000);

  it("shows a missing topic, refused permissions, a slow model and parked jobs in red", async () => {
    intercom.refused = [/^POST \/conversations\/[^/]+\/tags$/, /^POST \/conversations\/[^/]+\/reply$/];
    model.chat = () => ({ content: cautious, delayMs: 4000 });
    await start();
    const { cookie } = await signIn();
    for (const topic of ["ping", ...TOPICS_BUT_RATING]) expect((await webhook(topic, topic === "ping" ? "webhook-ping" : undefined)).status).toBe(200);
    // A hand-over: tagging is refused (skipped), the note is refused (the job parks).
    expect((await card("I want to talk to a human")).status).toBe(200);
    expect((await card("How do I reset my password?")).status).toBe(200);

    await untilLine(cookie, "parked-jobs", "red");
    await untilLine(cookie, "intercom-tag", "red");
    const { html, lines } = await setupPage(cookie);
    expect(lines).toMatchObject({
      signatures: "green",
      messenger: "green",
      "webhook-topics": "red",
      "intercom-tag": "red",
      "intercom-reply-and-note": "red",
      "model-latency": "red",
      "parked-jobs": "red",
    });
    expect(html).toContain("Not received in the last 7 days: conversation.rating.added");
    expect(html).toContain("The app lacks the permission “Write tags”");
    expect(html).toContain("The app lacks the permission “Write conversations”");
    expect(html).toMatch(/p50 over 2500 ms \(the card stopped waiting\)/);
    expect(html).toMatch(/Intercom refused the request \(403\)/);
    await stop();

    const checked = await doctor();
    expect(checked.code).toBe(1);
    for (const line of ["Topics", "Tag conversations", "Reply and add notes", "test-model: reachable and fast enough", "Parked jobs"]) expect(checked.stdout).toMatch(new RegExp(`FAIL {2}${line}:`));
    expect(checked.stdout).toMatch(/ok {4}Signatures: .*Every request since passed/);
  }, 180_000);

  it("turns every line green again once the causes are fixed", async () => {
    intercom.refused = [];
    model.chat = () => ({ content: cautious });
    await start();
    const { cookie } = await signIn();
    expect((await webhook("conversation.rating.added", "webhook-conversation-rating-added")).status).toBe(200);
    expect((await card("Please let me talk to a person", { conversation: 25000000777 })).status).toBe(200);
    expect((await card("How do I export my invoices?")).status).toBe(200);

    // Each parked job is retried from the page, its cause fixed.
    const parked = await setupPage(cookie);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(parked.html)![1]!;
    const jobs = [...parked.html.matchAll(/action="\/console\/setup\/jobs\/(\d+)\/retry"/g)].map((m) => m[1]!);
    expect(jobs.length).toBeGreaterThan(0);
    for (const job of jobs) {
      const retried = await fetch(`${base()}/console/setup/jobs/${job}/retry`, { method: "POST", headers: { cookie, "content-type": "application/x-www-form-urlencoded" }, body: `_csrf=${encodeURIComponent(csrf)}` });
      expect(retried.status).toBe(200);
      expect(await retried.text()).toContain(`Job #${job} is back in line`);
    }
    expect((await fetch(`${base()}/console/setup/jobs/${jobs[0]}/retry`, { method: "POST", headers: { cookie, "content-type": "application/x-www-form-urlencoded" }, body: `_csrf=${encodeURIComponent(csrf)}` })).status).toBe(404);

    await untilLine(cookie, "parked-jobs", "green");
    await untilLine(cookie, "intercom-tag", "green");
    await untilLine(cookie, "model-trust", "amber");
    const { lines } = await setupPage(cookie);
    expect(Object.entries(lines).filter(([, status]) => status === "red")).toEqual([]);
    expect(lines).toMatchObject({ "webhook-topics": "green", "intercom-reply-and-note": "green", "model-latency": "green", signatures: "green" });
    await stop();

    const checked = await doctor();
    expect(checked.stdout).not.toContain("FAIL");
    expect(checked.code).toBe(0);
  }, 180_000);
});
