import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../server/storage/database.ts";
import { JobQueue } from "../server/storage/queue.ts";
import { fixture, startTestApp, testKnowledge, type TestApp } from "./helpers/app.ts";

const TOKEN = "admin-token-0123456789abcdef";
let app: TestApp;
let db: Database;
let dir: string;
let queue: JobQueue;
const knowledge = testKnowledge();

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "assistant-admin-"));
  db = await openDatabase({ dataDir: dir });
  queue = new JobQueue(db, { leaseMs: 1000, maxAttempts: 1, backoffMs: () => 0 });
  app = await startTestApp({ adminToken: TOKEN, queue, knowledge });
});
afterAll(async () => {
  await app.close();
  await db.close();
  await rm(dir, { recursive: true, force: true });
});

const admin = (pathAndQuery: string, init: RequestInit = {}, token = TOKEN) =>
  fetch(`${app.url}/admin${pathAndQuery}`, { ...init, headers: { authorization: `Bearer ${token}` } });

describe("admin endpoints", () => {
  it("refuses requests without the admin token", async () => {
    expect((await fetch(`${app.url}/admin/sync?workspace=ecahpwf5`, { method: "POST" })).status).toBe(401);
    expect((await admin("/sync?workspace=ecahpwf5", { method: "POST" }, "wrong-token-0123456789abcd")).status).toBe(401);
  });

  it("syncs a Help Center on demand and says what changed", async () => {
    const workspace = `adm${Date.now().toString(36)}`;
    const first = await admin(`/sync?workspace=${workspace}`, { method: "POST" });
    expect(await first.json()).toMatchObject({ workspace, unchanged: 0, errors: [] });
    const second = await (await admin(`/sync?workspace=${workspace}`, { method: "POST" })).json();
    expect(second).toMatchObject({ synced: 0, removed: 0 });
    expect(second.unchanged).toBeGreaterThanOrEqual(40);
  });

  it("names the failing field of a bad request", async () => {
    expect(await (await admin("/sync?workspace=../x", { method: "POST" })).json()).toEqual({ error: "workspace: a workspace id is required (?workspace=…)" });
  });

  it("lists parked jobs with their error", async () => {
    await queue.enqueue({ workspaceId: "ecahpwf5", kind: "handoff", dedupeKey: "k1", payload: {} });
    const [job] = await queue.claim(1);
    await queue.fail(job!, new Error("Intercom refused the request (404)"));
    const { parked } = await (await admin("/jobs/parked?workspace=ecahpwf5")).json();
    expect(parked).toEqual([expect.objectContaining({ kind: "handoff", last_error: "Intercom refused the request (404)", status: "parked" })]);
  });
});

describe("inbox Sync now", () => {
  it("starts a sync and says so at once", async () => {
    const body = { ...fixture("inbox-submit"), component_id: "sync_now" };
    const json = await (await app.canvas("/canvas/inbox/submit", body)).json();
    expect(json.canvas.content.components.some((c: { text?: string }) => /Syncing the Help Center now/.test(c.text ?? ""))).toBe(true);
    // The sync the button started is still running: joining it shows it happened, and that it ends.
    expect(await knowledge.sync("ecahpwf5")).toMatchObject({ errors: [] });
  });
});
