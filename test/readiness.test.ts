// Ready means calibrated: a newly started app answers /readyz 200 only once every connected
// workspace's Help Center is synced and its answer decisions are fitted on it, and a card that
// arrives before then says the Help Center is still being read, then a person will help.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { canvasSignature } from "../server/intercom/signature.ts";
import { fixture } from "./helpers/app.ts";
import { intercomArticle, intercomCollection, startFakeIntercom, type FakeIntercom } from "./helpers/fake-intercom.ts";
import { spawnApp, waitFor, type AppProcess } from "./helpers/process.ts";

const SECRET = "readiness-client-secret";
const TOPICS = [
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

describe("/readyz and the first cards of a newly started app", () => {
  let intercom: FakeIntercom;
  let app: AppProcess;
  let dataDir: string;
  let release: () => void;
  const workspaceId = `ready${randomBytes(3).toString("hex")}`;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), "assistant-readiness-"));
    intercom = await startFakeIntercom({
      workspaceId,
      collections: [intercomCollection({ id: "10", name: "Billing" })],
      articles: TOPICS.map(([title, body], i) => intercomArticle({ id: String(801 + i), title, body: `<p>${body}</p>` })),
    });
    // The workspace's Help Center answers only when the test says so: a slow first sync.
    intercom.articlesHeld = new Promise<void>((resolve) => (release = resolve));
    app = await spawnApp({
      DATA_DIR: dataDir,
      CHROMA_URL: inject("chromaUrl"),
      INTERCOM_CLIENT_SECRET: SECRET,
      INTERCOM_ACCESS_TOKEN: "fake-access-token",
      INTERCOM_API_BASE_URL: intercom.url,
    });
  }, 60_000);

  afterAll(async () => {
    release?.();
    app?.child.kill("SIGTERM");
    await app?.exited;
    await intercom?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const readyz = async () => {
    const response = await fetch(`http://127.0.0.1:${app.port}/readyz`).catch(() => undefined);
    return response && { status: response.status, body: (await response.json()) as { status: string; reason?: string } };
  };
  const cardText = async (question: string) => {
    const raw = JSON.stringify({ ...fixture("messenger-submit"), workspace_id: workspaceId, input_values: { question } });
    const response = await fetch(`http://127.0.0.1:${app.port}/canvas/messenger/submit`, { method: "POST", headers: { "content-type": "application/json", "x-body-signature": canvasSignature(raw, SECRET) }, body: raw });
    const components = ((await response.json()) as { canvas: { content: { components: Array<{ text?: string; label?: string }> } } }).canvas.content.components;
    return components.map((component) => component.text ?? component.label ?? "").join("\n");
  };
  const calibratedFor = (id: string) =>
    app
      .output()
      .split("\n")
      .some((line) => line.startsWith("{") && (JSON.parse(line) as { msg?: string; workspaceId?: string }).msg === "answer decisions calibrated on the help center" && JSON.parse(line).workspaceId === id);

  it("is not ready while a connected workspace is being read, and its cards say so", async () => {
    const before = await waitFor(async () => {
      if (app.child.exitCode !== null) throw new Error(`the app exited:\n${app.output()}`);
      const answer = await readyz();
      return answer?.body.reason?.includes(workspaceId) ? answer : undefined;
    }, 60_000, "/readyz to name the workspace being read");
    expect(before).toEqual({ status: 503, body: { status: "not ready", reason: expect.stringMatching(new RegExp(`still reading the Help Center of .*${workspaceId}`)) } });
    expect(await cardText("How do I reset my password?")).toMatch(/I'm still reading the Help Center.*a person will help you/);
  }, 90_000);

  it("is ready once the workspace is synced and fitted, and the first card after it answers from the Help Center", async () => {
    release();
    await waitFor(async () => ((await readyz())?.status === 200 ? true : undefined), 60_000, "/readyz 200");
    // Ready came after the fit, not before it.
    expect(calibratedFor(workspaceId)).toBe(true);
    const text = await cardText("How do I reset my password?");
    expect(text).toContain("Reset your password");
    expect(text).not.toMatch(/still reading/);
  }, 90_000);
});
