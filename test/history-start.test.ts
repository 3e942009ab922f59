// Day one: a private app's first start reads the team's past conversations without a click, the
// console's History page follows it, and a run killed half way (the process gone mid-request)
// resumes where it stopped on the next start, reading no finished conversation twice.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { intercomArticle, intercomCollection, startFakeIntercom, type FakeIntercom } from "./helpers/fake-intercom.ts";
import { spawnApp, waitFor, type AppProcess } from "./helpers/process.ts";
import { signInWithToken } from "./helpers/console-session.ts";

const SECRET = "history-client-secret-0123";
const ADMIN = "history-admin-token-0123456789";
const NOW = Math.floor(Date.now() / 1000);
const ARTICLES = [
  ["Pay by bank transfer", "Yearly plans can be paid by bank transfer within 30 days of the invoice."],
  ["Reset your password", "Click Forgot password on the sign-in page and follow the link we email you."],
  ["Export your invoices", "Open Billing, choose Export and download every invoice as a CSV file."],
  ["Invite a teammate", "Go to Settings, Team, and send an invitation to your colleague's email address."],
  ["Change your plan", "Upgrade or downgrade from the Plans page; the price changes on the next invoice."],
  ["Turn on two-factor authentication", "In Security settings, scan the QR code with an authenticator app."],
  ["Connect your bank account", "Link your bank under Integrations to import transactions every night."],
  ["Delete a client", "Open the client's page and choose Delete; their invoices are archived."],
  ["Set up recurring invoices", "Create an invoice, tick Repeat, and pick how often it is sent."],
] as const;
/** Customers' words, and the article (by Intercom id) the teammate linked in reply. */
const ASKED: Array<[string, string]> = [
  ["i forgot my login, what now", "902"],
  ["cant get into my account anymore", "902"],
  ["locked out, need a new password", "902"],
  ["how can I wire the money for the annual plan", "901"],
  ["can I pay the yearly invoice from my bank", "901"],
];

/** 60 closed conversations: a customer's question, then a teammate's reply linking the right article. */
function history(workspaceId: string) {
  const conversations = new Map<string, Record<string, unknown>>();
  for (let i = 0; i < 60; i++) {
    const [question, article] = ASKED[i % ASKED.length]!;
    conversations.set(String(41000 + i), {
      type: "conversation",
      id: String(41000 + i),
      state: "closed",
      updated_at: NOW - i * 3600,
      source: { type: "conversation", body: `<p>${question}</p>`, author: { type: "user", id: `c${i}` } },
      conversation_parts: {
        type: "conversation_part.list",
        conversation_parts: [{ type: "conversation_part", id: `p${i}`, part_type: "comment", body: `<p>See <a href="https://help.fake.example/en/articles/${article}">this article</a>.</p>`, author: { type: "admin", id: "4412783" } }],
        total_count: 1,
      },
      app_id: workspaceId,
    });
  }
  return conversations;
}

describe("reading the team's history from the first start", () => {
  const workspaceId = "hist1ws";
  let intercom: FakeIntercom;
  let app: AppProcess | undefined;
  const dirs: string[] = [];
  let config: string;

  const start = async (dataDir: string) => {
    app = await spawnApp({ DATA_DIR: dataDir, CHROMA_URL: inject("chromaUrl"), INTERCOM_CLIENT_SECRET: SECRET, INTERCOM_ACCESS_TOKEN: "fake-access-token", INTERCOM_API_BASE_URL: intercom.url, ADMIN_TOKEN: ADMIN, EMBEDDER: "offline", ASSISTANT_CONFIG: config });
    return app;
  };
  const signIn = async (started: AppProcess) => (await signInWithToken(`http://127.0.0.1:${started.port}`, ADMIN)).cookie;
  const historyPage = async (started: AppProcess) => (await fetch(`http://127.0.0.1:${started.port}/console/history`, { headers: { cookie: await signIn(started) } })).text();
  const figure = (html: string, label: string) => new RegExp(`<td>${label}</td><td>([^<]*)</td>`).exec(html)?.[1];
  const finds = () => intercom.requests.filter((request) => request.method === "GET" && /^\/conversations\/\d+$/.test(request.path)).map((request) => request.path.split("/")[2]!);

  beforeAll(async () => {
    intercom = await startFakeIntercom({
      workspaceId,
      collections: [intercomCollection({ id: "10", name: "Account" })],
      articles: ARTICLES.map(([title, body], i) => intercomArticle({ id: String(901 + i), title, body: `<p>${body}</p>` })),
    });
    const dir = await mkdtemp(path.join(tmpdir(), "assistant-history-config-"));
    dirs.push(dir);
    config = path.join(dir, "policy.json");
    await writeFile(config, JSON.stringify({ history: { days: 90, max_conversations: 5000, requests_per_second: 40 } }));
  });
  afterAll(async () => {
    app?.child.kill("SIGKILL");
    await app?.exited;
    await intercom.close();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it("learns from the fake history on its first start, without a click, and shows it on the History page", async () => {
    intercom.conversations = history(workspaceId);
    const dataDir = await mkdtemp(path.join(tmpdir(), "assistant-history-"));
    dirs.push(dataDir);
    const started = await start(dataDir);
    const page = await waitFor(async () => {
      if (started.child.exitCode !== null) throw new Error(`the app exited:\n${started.output()}`);
      const html = await historyPage(started).catch(() => "");
      return html.includes("<h2>Done</h2>") ? html : undefined;
    }, 90_000, "the history to be read");
    expect(figure(page, "Conversations read")).toBe("60 of 60");
    expect(figure(page, "Questions learned")).toBe(String(ASKED.length));
    expect(figure(page, "Teammate replies linking an article")).toBe("60");
    expect(new Set(finds()).size).toBe(60);
    expect(started.logField("finished reading the team's past conversations", "learned")).toBe(ASKED.length);
    // The forecast: each first message asked again, beside the article the team linked; row by row in a CSV.
    expect(page).toContain("It measures agreement with the");
    // Each of the 5 wordings was taught by the first of 12 conversations asking it: the 11 others are answered from the team's article.
    const agreeing = /<tr id="outcome-answered_agreeing"><td>Answered directly, with the article the team linked[\s\S]*?<\/td><td>(\d+) \(\d+%\)<\/td><td>(\d+) \(\d+%\)<\/td><\/tr>/.exec(page);
    expect(Number(agreeing?.[2])).toBeGreaterThanOrEqual(55);
    expect(Number(agreeing?.[1])).toBeLessThan(Number(agreeing?.[2]));
    const csv = await fetch(`http://127.0.0.1:${started.port}/console/report/forecast.csv`, { headers: { cookie: await signIn(started) } });
    expect(csv.status).toBe(200);
    const lines = (await csv.text()).trimEnd().split("\r\n");
    expect(lines[0]).toBe('"conversation","question","team","team_articles","team_reply","before_action","before_articles","before_outcome","after_action","after_articles","after_outcome"');
    expect(lines).toHaveLength(61);
    started.child.kill("SIGTERM");
    await started.exited;
    app = undefined;
  }, 150_000);

  it("resumes a run killed half way where it stopped, reading no finished conversation twice", async () => {
    intercom.conversations = history(workspaceId);
    intercom.requests.length = 0;
    const dataDir = await mkdtemp(path.join(tmpdir(), "assistant-history-"));
    dirs.push(dataDir);
    let release!: () => void;
    const reached = new Promise<void>((resolve) => (intercom.heldRead = { id: "41030", until: new Promise<void>((done) => (release = done)), reached: resolve }));
    const first = await start(dataDir);
    await reached;
    first.child.kill("SIGKILL");
    await first.exited;
    release();
    intercom.heldRead = undefined;
    const readBefore = finds();
    expect(readBefore.length).toBeGreaterThan(20);
    expect(readBefore.at(-1)).toBe("41030");

    const second = await start(dataDir);
    const page = await waitFor(async () => {
      if (second.child.exitCode !== null) throw new Error(`the app exited:\n${second.output()}`);
      const html = await historyPage(second).catch(() => "");
      return html.includes("<h2>Done</h2>") ? html : undefined;
    }, 90_000, "the history to be read");
    expect(figure(page, "Conversations read")).toBe("60 of 60");
    const counts = new Map<string, number>();
    for (const id of finds()) counts.set(id, (counts.get(id) ?? 0) + 1);
    expect(counts.size).toBe(60);
    // Only the read the kill cut short (Intercom's answer never arrived) is read again.
    expect([...counts].filter(([, count]) => count > 1)).toEqual([["41030", 2]]);
  }, 180_000);
});
