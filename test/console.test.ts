// The admin console, through real HTTP against a local Intercom: admins sign in with Intercom's
// OAuth (GET /me names them and their workspace), see and change only their own workspace's
// settings, with CSRF-protected forms, sessions that end on sign-out and on uninstall, and
// rate-limited sign-in; a private app's operator signs in with ADMIN_TOKEN.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createAssistant } from "../server/assistant/create-assistant.ts";
import { DEFAULT_POLICY } from "../server/assistant/policy.ts";
import { ConsoleSessions, SESSION_COOKIE } from "../server/console/sessions.ts";
import { issueState } from "../server/http/oauth.ts";
import { intercomDirectory } from "../server/intercom/directory.ts";
import { createIntercomClient } from "../server/intercom/client.ts";
import { TokenSealer, WorkspaceTokens } from "../server/intercom/token-store.ts";
import { createLogger } from "../server/logger.ts";
import { WorkspaceSettings } from "../server/settings/workspace-settings.ts";
import { LearnedQuestions } from "../server/learning/learned-questions.ts";
import { EventLog } from "../server/metrics/events.ts";
import { fixture } from "./helpers/app.ts";
import type { Database } from "../server/storage/database.ts";
import { startTestApp, testKnowledge, type TestApp } from "./helpers/app.ts";
import { openTestDatabase } from "./helpers/databases.ts";
import { startFakeIntercom, type FakeIntercom } from "./helpers/fake-intercom.ts";

const CLIENT_SECRET = "oauth-client-secret-0123";
const ADMIN_TOKEN = "operator-admin-token-0123456789";
const logger = createLogger("silent");

let intercom: FakeIntercom;
let db: Database;
let cleanup: () => Promise<void>;
let tokens: WorkspaceTokens;
let settings: WorkspaceSettings;
let app: TestApp;
let privateApp: TestApp;
let learned: LearnedQuestions;

beforeAll(async () => {
  intercom = await startFakeIntercom({ workspaceId: "wsalpha1" });
  intercom.teams.push({ id: "team-1", name: "Billing" }, { id: "team-2", name: "Support" });
  intercom.segments.push("Active", "Trial");
  ({ db, cleanup } = await openTestDatabase("pglite"));
  tokens = new WorkspaceTokens(db, new TokenSealer("a-very-long-token-encryption-key-0123456789"));
  settings = new WorkspaceSettings({ db, defaults: DEFAULT_POLICY, logger });
  const knowledge = testKnowledge();
  const assistant = createAssistant({ knowledge, logger, settings });
  const client = createIntercomClient({ token: "fake-access-token", baseUrl: intercom.url });
  const common = { sessions: new ConsoleSessions(db, CLIENT_SECRET), settings, directoryFor: () => intercomDirectory(client) };
  learned = new LearnedQuestions({ db, index: knowledge, logger });
  app = await startTestApp({
    knowledge,
    assistant,
    db,
    learned,
    publicUrl: "https://assistant.example.com",
    console: {
      ...common,
      publicUrl: "https://assistant.example.com",
      oauth: { clientId: "client-123", clientSecret: CLIENT_SECRET, publicUrl: "https://assistant.example.com", apiBaseUrl: intercom.url, authorizeUrl: "https://app.intercom.com/oauth", tokens },
    },
  });
  privateApp = await startTestApp({ knowledge, assistant, console: { ...common, operator: { token: ADMIN_TOKEN, workspaceId: "wsprivate" } } });
});
afterAll(async () => {
  await app.close();
  await privateApp.close();
  await intercom.close();
  await cleanup();
});
beforeEach(() => {
  intercom.workspaceId = "wsalpha1";
});

/** An admin of the fake Intercom's workspace goes through "Sign in with Intercom"; returns their cookie. */
async function signIn(target = app): Promise<{ cookie: string; setCookie: string }> {
  const start = await fetch(`${target.url}/console/signin`, { redirect: "manual" });
  expect(start.status).toBe(302);
  const authorize = new URL(start.headers.get("location")!);
  expect(authorize.searchParams.get("redirect_uri")).toBe("https://assistant.example.com/console/callback");
  const back = await fetch(`${target.url}/console/callback?code=good-code&state=${encodeURIComponent(authorize.searchParams.get("state")!)}`, { redirect: "manual" });
  expect(back.status).toBe(303);
  expect(back.headers.get("location")).toBe("/console/settings");
  const setCookie = back.headers.get("set-cookie")!;
  return { cookie: setCookie.split(";")[0]!, setCookie };
}

const get = (path: string, cookie?: string, target = app) => fetch(`${target.url}${path}`, { headers: cookie ? { cookie } : {}, redirect: "manual" });
const post = (path: string, fields: Record<string, string>, cookie?: string, target = app) =>
  fetch(`${target.url}${path}`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", ...(cookie ? { cookie } : {}) }, body: new URLSearchParams(fields).toString(), redirect: "manual" });
const csrfOf = async (cookie: string, target = app) => /name="_csrf" value="([^"]+)"/.exec(await (await get("/console/settings", cookie, target)).text())![1]!;

/** The settings form as the page shows it, with some fields changed. */
async function settingsForm(cookie: string, changes: Record<string, string>, target = app): Promise<Record<string, string>> {
  const html = await (await get("/console/settings", cookie, target)).text();
  const form = html.slice(html.indexOf('action="/console/settings"'), html.indexOf("</form>", html.indexOf('action="/console/settings"')));
  const fields: Record<string, string> = {};
  for (const [, name, value] of form.matchAll(/<input type="(?:text|number|hidden)"[^>]*name="([^"]+)" value="([^"]*)"/g)) fields[name!] = value!.replaceAll("&quot;", '"').replaceAll("&#x27;", "'").replaceAll("&amp;", "&");
  for (const [, name, value] of form.matchAll(/<textarea[^>]*name="([^"]+)"[^>]*>([^<]*)<\/textarea>/g)) fields[name!] = value!.replaceAll("&quot;", '"').replaceAll("&#x27;", "'").replaceAll("&amp;", "&");
  for (const [, name, options] of form.matchAll(/<select[^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/select>/g)) fields[name!] = /<option value="([^"]*)" selected>/.exec(options!)?.[1] ?? "";
  if (/name="sentiment_monitoring" checked/.test(form)) fields.sentiment_monitoring = "on";
  return { ...fields, ...changes };
}

describe("signing in", () => {
  it("signs an admin in with Intercom into their own workspace, with a session cookie a script cannot read", async () => {
    const { cookie, setCookie } = await signIn();
    expect(setCookie).toMatch(new RegExp(`^${SESSION_COOKIE}=`));
    expect(setCookie).toMatch(/; HttpOnly/i);
    expect(setCookie).toMatch(/; Secure/i);
    expect(setCookie).toMatch(/; SameSite=Lax/i);
    expect(setCookie).toMatch(/; Expires=/i);
    const page = await (await get("/console/settings", cookie)).text();
    expect(page).toContain("Workspace <b>wsalpha1</b>");
    expect(page).toContain("signed in as Help Center Assistant");
    expect(tokens.get("wsalpha1")).toBe("fake-access-token");
  });

  it("answers 401 without a session, and with a forged or altered cookie", async () => {
    expect((await get("/console/settings")).status).toBe(401);
    const { cookie } = await signIn();
    const [name, value] = cookie.split("=");
    const [id, signature] = value!.split(".");
    expect((await get("/console/settings", `${name}=${id}.${signature!.slice(0, -2)}xx`)).status).toBe(401);
    expect((await get("/console/settings", `${name}=${"A".repeat(id!.length)}.${signature}`)).status).toBe(401);
    expect((await post("/console/settings", { company_name: "Evil" })).status).toBe(401);
  });

  it("refuses a callback without a valid state (the install flow's included), and a code Intercom does not accept", async () => {
    expect((await get("/console/callback?code=good-code&state=123.abc.def")).status).toBe(400);
    expect((await get(`/console/callback?code=good-code&state=${encodeURIComponent(issueState(CLIENT_SECRET, Date.now(), "install"))}`)).status).toBe(400);
    const start = await fetch(`${app.url}/console/signin`, { redirect: "manual" });
    const state = new URL(start.headers.get("location")!).searchParams.get("state")!;
    const refused = await get(`/console/callback?code=bad-code&state=${encodeURIComponent(state)}`);
    expect(refused.status).toBe(502);
    expect(refused.headers.get("set-cookie")).toBeNull();
  });

  it("ends the session on sign-out, so a replayed cookie no longer works", async () => {
    const { cookie } = await signIn();
    expect((await post("/console/signout", { _csrf: await csrfOf(cookie) }, cookie)).status).toBe(303);
    expect((await get("/console/settings", cookie)).status).toBe(401);
  });

  it("ends every session of a workspace that uninstalls the app", async () => {
    const { cookie } = await signIn();
    expect((await get("/console/settings", cookie)).status).toBe(200);
    await tokens.forget("wsalpha1", "fake-access-token");
    expect((await get("/console/settings", cookie)).status).toBe(401);
  });

  it("signs a private app's operator in with ADMIN_TOKEN, for its one workspace only", async () => {
    expect((await post("/console/signin/token", { token: "not-the-token" }, undefined, privateApp)).status).toBe(401);
    const signedIn = await post("/console/signin/token", { token: ADMIN_TOKEN }, undefined, privateApp);
    expect(signedIn.status).toBe(303);
    const cookie = signedIn.headers.get("set-cookie")!.split(";")[0]!;
    expect(signedIn.headers.get("set-cookie")).not.toMatch(/; Secure/i);
    expect(await (await get("/console/settings", cookie, privateApp)).text()).toContain("Workspace <b>wsprivate</b>");
    // The public app has no operator sign-in.
    expect((await post("/console/signin/token", { token: ADMIN_TOKEN })).status).toBe(401);
  });

  it("rate-limits sign-in attempts", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) statuses.push((await post("/console/signin/token", { token: "guess" }, undefined, privateApp)).status);
    expect(statuses.slice(0, 10).every((status) => status === 401)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
  });
});

describe("settings", () => {
  it("saves the workspace's settings from the form (CSRF token required), audits the change, and uses it", async () => {
    const { cookie } = await signIn();
    const form = await settingsForm(cookie, { tone: "warm and brief", team_language: "de", escalation_triggers: "pineapple protocol\ntalk to someone", default_team_id: "team-2", rule_condition_0: "segment", rule_value_0: "Trial", rule_team_0: "team-1" });
    expect(form.company_name).toBe(DEFAULT_POLICY.company_name);

    expect((await post("/console/settings", { ...form, _csrf: "" }, cookie)).status).toBe(403);
    const saved = await post("/console/settings", form, cookie);
    expect(saved.status).toBe(303);
    expect(await settings.policyFor("wsalpha1")).toMatchObject({
      tone: "warm and brief",
      team_language: "de",
      escalation_triggers: ["pineapple protocol", "talk to someone"],
      routing: { default_team_id: "team-2", rules: [{ when: { segment: "Trial" }, team_id: "team-1" }] },
      company_name: DEFAULT_POLICY.company_name,
    });
    // Values equal to the defaults are not overrides.
    expect(Object.keys(await settings.overridesOf("wsalpha1")).sort()).toEqual(["escalation_triggers", "routing", "team_language", "tone"]);

    const page = await (await get("/console/settings?saved=1", cookie)).text();
    expect(page).toContain("Saved.");
    expect(page).toContain('<option value="team-2" selected>Support</option>');
    expect(page).toContain('<option value="Trial">');
    expect(page).toContain('<option value="de" selected>Deutsch</option>');
    const audit = page.slice(page.indexOf('<table id="audit">'));
    expect(audit).toContain("<td>tone</td>");
    expect(audit).toContain("Help Center Assistant (991267460)");

    const tried = await (await post("/console/settings/try", { _csrf: await csrfOf(cookie), question: "pineapple protocol please" }, cookie)).text();
    expect(tried).toMatch(/<output[^>]*>Hand over to a person: explicit request/);
  });

  it("refuses an invalid setting with the reason, and changes nothing", async () => {
    const { cookie } = await signIn();
    const before = await settings.policyFor("wsalpha1");
    const refused = await post("/console/settings", await settingsForm(cookie, { max_turns_before_escalate: "0" }), cookie);
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain("Not saved: max_turns_before_escalate:");
    expect(await settings.policyFor("wsalpha1")).toEqual(before);
  });

  it("keeps each admin to their own workspace: another workspace's session, CSRF token or settings are out of reach", async () => {
    const alpha = await signIn();
    intercom.workspaceId = "wsbeta22";
    const beta = await signIn();
    expect(await (await get("/console/settings", beta.cookie)).text()).toContain("Workspace <b>wsbeta22</b>");

    // Beta's form, with alpha's CSRF token: refused. With its own: only beta changes.
    const betaForm = await settingsForm(beta.cookie, { company_name: "Beta Co" });
    expect((await post("/console/settings", { ...betaForm, _csrf: await csrfOf(alpha.cookie) }, beta.cookie)).status).toBe(403);
    expect((await post("/console/settings", { ...betaForm, workspace: "wsalpha1", workspace_id: "wsalpha1" }, beta.cookie)).status).toBe(303);
    expect((await settings.policyFor("wsbeta22")).company_name).toBe("Beta Co");
    expect((await settings.policyFor("wsalpha1")).company_name).toBe(DEFAULT_POLICY.company_name);
    expect(await (await get("/console/settings", alpha.cookie)).text()).not.toContain("Beta Co");
  });
});

describe("report", () => {
  it("shows the workspace's own report, learned questions and content gaps, whatever the URL or form names", async () => {
    const log = new EventLog(db);
    await log.record({ workspaceId: "wsalpha1", conversationKey: "a1", kind: "escalation", data: { reason: "low_confidence", question: "Do you support payroll in Peru?" } });
    await log.record({ workspaceId: "wsbeta22", conversationKey: "b1", kind: "escalation", data: { reason: "low_confidence", question: "Can I pay with seashells?" } });
    await log.flush();
    await db.query(
      `INSERT INTO learned_questions (workspace_id, article_key, question, question_key, source, status) VALUES
       ('wsbeta22', '8800104', 'bill my retainer clients automatically', 'automat bill client retain', 'teammate', 'pending')`,
    );
    const [beta] = await db.query<{ id: string }>("SELECT id::text FROM learned_questions WHERE workspace_id = 'wsbeta22'");

    expect((await get("/console/report")).status).toBe(401);
    const { cookie } = await signIn();
    for (const path of ["/console/report", "/console/report?workspace=wsbeta22"]) {
      const page = await (await get(path, cookie)).text();
      expect(page).toContain("Workspace <b>wsalpha1</b>");
      expect(page).toContain("payroll in Peru");
      expect(page).not.toContain("seashells");
      expect(page).not.toContain("bill my retainer clients automatically");
      expect(page).toContain('<script src="/console/report/chart.js"></script>');
    }
    const csv = await (await get("/console/report/content-gaps.csv?workspace=wsbeta22", cookie)).text();
    expect(csv).toContain("payroll");
    expect(csv).not.toContain("seashells");

    // Another workspace's learned question: not found, even with this session's own CSRF token.
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await (await get("/console/report", cookie)).text())![1]!;
    expect((await post(`/console/report/learned/${beta!.id}/approve`, { _csrf: csrf, workspace: "wsbeta22" }, cookie)).status).toBe(404);
    expect((await post(`/console/report/learned/${beta!.id}/approve`, { workspace: "wsbeta22" }, cookie)).status).toBe(403);
    expect((await learned.list("wsbeta22"))[0]).toMatchObject({ status: "pending" });
  });

  it("is linked from the Inbox app", async () => {
    const card = await (await app.canvas("/canvas/inbox/initialize", fixture("inbox-initialize"))).json();
    const link = (card.canvas.content.components as Array<{ id?: string; label?: string; action?: { type: string; url?: string } }>).find((component) => component.id === "console");
    expect(link).toMatchObject({ label: "Open the assistant console", action: { type: "url", url: "https://assistant.example.com/console" } });
  });
});
