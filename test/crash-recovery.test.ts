// The app as a real process, killed with SIGKILL while it is carrying out a webhook: the
// notification was already in the database, and the next start finishes the job.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { request } from "node:http";
import { canvasSignature, webhookSignature } from "../server/intercom/signature.ts";
import { openDatabase } from "../server/storage/database.ts";
import { fixture } from "./helpers/app.ts";
import { startFakeIntercom, type FakeIntercom } from "./helpers/fake-intercom.ts";
import { spawnApp, waitFor } from "./helpers/process.ts";

const SECRET = "crash-test-client-secret";
let dataDir: string;
let intercom: FakeIntercom;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "assistant-crash-"));
  intercom = await startFakeIntercom({ workspaceId: "ecahpwf5" });
});
afterAll(async () => {
  await intercom.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function start() {
  const app = await spawnApp({
    DATA_DIR: dataDir,
    INTERCOM_CLIENT_SECRET: SECRET,
    INTERCOM_ACCESS_TOKEN: "fake-access-token",
    INTERCOM_API_BASE_URL: intercom.url,
  });
  await waitFor(async () => {
    if (app.child.exitCode !== null) throw new Error(`app exited:\n${app.output()}`);
    const response = await fetch(`http://127.0.0.1:${app.port}/readyz`).catch(() => undefined);
    return response?.status === 200 ? true : undefined;
  }, 30_000, "readyz");
  return app;
}

const noteRequests = () => intercom.requests.filter((request) => request.method === "POST" && request.path === "/conversations/25000000456/reply");

describe("crash recovery", () => {
  it("finishes a webhook after the process was killed in the middle of it", async () => {
    const first = await start();
    intercom.writeDelayMs = 60_000;
    const raw = JSON.stringify(fixture("webhook-conversation-user-created"));
    const accepted = await fetch(`http://127.0.0.1:${first.port}/webhooks/intercom`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-hub-signature": webhookSignature(raw, SECRET) },
      body: raw,
    });
    expect(accepted.status).toBe(200);
    await waitFor(() => (noteRequests().length === 1 ? true : undefined), 20_000, "the note to be in flight");

    first.child.kill("SIGKILL");
    await first.exited;
    intercom.writeDelayMs = 0;

    const second = await start();
    try {
      await waitFor(() => (noteRequests().length === 2 ? true : undefined), 20_000, "the note to be posted after the restart");
      expect(second.output()).toContain("resuming jobs a previous run left unfinished");
      expect(noteRequests()[1]!.body).toMatchObject({ message_type: "note", type: "admin", admin_id: "991267460" });
    } finally {
      second.child.kill("SIGTERM");
      await second.exited;
    }
  }, 90_000);

  it("stores what a card did when stopped while answering a customer who hung up", async () => {
    const app = await start();
    let release = () => undefined as void;
    // The card waits on Intercom for its conversation; meanwhile the customer closes the Messenger and the app is stopped.
    const reached = new Promise<void>((resolve) => (intercom.heldRead = { id: "25000000123", until: new Promise<void>((done) => (release = done)), reached: resolve }));
    const body = JSON.stringify(fixture("messenger-submit"));
    const card = request({ port: app.port, method: "POST", path: "/canvas/messenger/submit", headers: { "content-type": "application/json", "x-body-signature": canvasSignature(body, SECRET) } });
    card.on("error", () => undefined);
    card.end(body);
    try {
      await reached;
      card.destroy();
      app.child.kill("SIGTERM");
      expect(await app.exited).toBe(0);
    } finally {
      intercom.heldRead = undefined;
      release();
    }
    expect(app.output()).not.toContain("could not record a metrics event");
    const db = await openDatabase({ dataDir });
    try {
      const kinds = (await db.query<{ kind: string }>("SELECT kind FROM events WHERE conversation_key = $1 ORDER BY id", ["25000000123"])).map((row) => row.kind);
      // The question, and what the card decided about it (here a hand-over: this workspace's Help Center is the fake Intercom's).
      expect(kinds).toEqual(["customer_message", "escalation"]);
    } finally {
      await db.close();
    }
  }, 60_000);
});
