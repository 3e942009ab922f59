// The queue's promises, on every supported database: a job is written once per key, two instances
// never take the same job, failures back off, and a job that keeps failing is parked.
import { readdirSync } from "node:fs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createLogger } from "../server/logger.ts";
import { openDatabase, type Database } from "../server/storage/database.ts";
import { migrate } from "../server/storage/migrate.ts";
import { JobQueue, Worker } from "../server/storage/queue.ts";
import { BACKENDS, openTestDatabase } from "./helpers/databases.ts";

describe.each(BACKENDS)("on %s", (backend) => {
  let db: Database;
  let cleanup: () => Promise<void>;
  const logger = createLogger("silent");

  beforeAll(async () => {
    ({ db, cleanup } = await openTestDatabase(backend));
  });
  afterAll(() => cleanup());
  beforeEach(async () => {
    await db.query("DELETE FROM jobs");
  });

  it("migrates once: running the migrations again changes nothing", async () => {
    expect(await migrate(db)).toEqual([]);
    const versions = await db.query<{ version: number }>("SELECT version FROM schema_migrations ORDER BY version");
    // Every migration file, each recorded once.
    const files = readdirSync(new URL("../server/storage/migrations/", import.meta.url)).filter((file) => file.endsWith(".sql"));
    expect(versions.map((row) => row.version)).toEqual(files.map((file) => Number.parseInt(file, 10)).sort((a, b) => a - b));
    expect(versions.length).toBeGreaterThanOrEqual(12);
  });

  it("keeps one job per key", async () => {
    const queue = new JobQueue(db);
    expect(await queue.enqueue({ workspaceId: "w1", kind: "webhook", dedupeKey: "n1", payload: { a: 1 } })).toMatchObject({ created: true });
    expect(await queue.enqueue({ workspaceId: "w1", kind: "webhook", dedupeKey: "n1", payload: { a: 2 } })).toMatchObject({ created: false });
    expect(await queue.enqueue({ workspaceId: "w2", kind: "webhook", dedupeKey: "n1", payload: { a: 3 } })).toMatchObject({ created: true });
    expect(await queue.counts()).toEqual({ pending: 2 });
  });

  it("never gives the same job to two workers running side by side", async () => {
    const queue = new JobQueue(db);
    for (let i = 0; i < 60; i++) await queue.enqueue({ workspaceId: "w1", kind: "work", dedupeKey: `k${i}`, payload: { i } });
    const seen: number[] = [];
    const handler = async (job: { payload: { i: number } }) => {
      await new Promise((resolve) => setTimeout(resolve, 2));
      seen.push(job.payload.i);
    };
    const one = new Worker(queue, { work: handler as never }, logger, { pollMs: 10, batch: 5 });
    const two = new Worker(new JobQueue(db), { work: handler as never }, logger, { pollMs: 10, batch: 5 });
    await Promise.all([one.drain(), two.drain()]);
    expect(seen).toHaveLength(60);
    expect(new Set(seen).size).toBe(60);
    expect(await queue.counts()).toEqual({ done: 60 });
  });

  it("retries a failing job after a backoff, then parks it with its error", async () => {
    const queue = new JobQueue(db, { leaseMs: 60_000, maxAttempts: 3, backoffMs: () => 0 });
    await queue.enqueue({ workspaceId: "w1", kind: "flaky", dedupeKey: "f", payload: {} });
    let calls = 0;
    const worker = new Worker(queue, { flaky: async () => void (calls++, (() => { throw new Error(`attempt ${calls} failed`); })()) }, logger);
    await worker.drain();
    expect(calls).toBe(3);
    const [parked] = await queue.parked();
    expect(parked).toMatchObject({ status: "parked", attempts: 3, last_error: "attempt 3 failed" });
  });

  it("remembers a job's finished steps across attempts", async () => {
    const queue = new JobQueue(db, { leaseMs: 60_000, maxAttempts: 3, backoffMs: () => 0 });
    await queue.enqueue({ workspaceId: "w1", kind: "steps", dedupeKey: "s", payload: {} });
    const done: string[] = [];
    let failOnce = true;
    const worker = new Worker(
      queue,
      {
        steps: async (job, { saveProgress }) => {
          if (!job.progress.first) {
            done.push("first");
            await saveProgress({ first: true });
          }
          if (failOnce) {
            failOnce = false;
            throw new Error("between steps");
          }
          done.push("second");
        },
      },
      logger,
    );
    await worker.drain();
    expect(done).toEqual(["first", "second"]);
  });
});

describe("opening the embedded database", () => {
  it("keeps its data across a close and a reopen", async () => {
    const { mkdtemp, rm } = await import("node:fs/promises");
    const { tmpdir } = await import("node:os");
    const path = await import("node:path");
    const dir = await mkdtemp(path.join(tmpdir(), "assistant-reopen-"));
    try {
      const first = await openDatabase({ dataDir: dir });
      await new JobQueue(first).enqueue({ workspaceId: "w1", kind: "k", dedupeKey: "kept", payload: {} });
      await first.close();
      const second = await openDatabase({ dataDir: dir });
      expect(await new JobQueue(second).counts()).toEqual({ pending: 1 });
      await second.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("makes every new database a copy of one template, and two databases never share their data", async () => {
    const { existsSync, readFileSync } = await import("node:fs");
    const { mkdtemp, rm } = await import("node:fs/promises");
    const { tmpdir } = await import("node:os");
    const path = await import("node:path");
    const { templateDir } = await import("../server/storage/pglite-template.mjs");
    const [a, b] = [await mkdtemp(path.join(tmpdir(), "assistant-copy-")), await mkdtemp(path.join(tmpdir(), "assistant-copy-"))];
    try {
      const first = await openDatabase({ dataDir: a });
      expect(existsSync(path.join(templateDir(), "PG_VERSION"))).toBe(true);
      // Another PGlite version (an upgrade) is another template: one made by an older version is never copied.
      const { version } = JSON.parse(readFileSync(new URL("../node_modules/@electric-sql/pglite/package.json", import.meta.url), "utf8")) as { version: string };
      expect(path.basename(templateDir())).toBe(`pglite-template-${version}`);
      await new JobQueue(first).enqueue({ workspaceId: "w1", kind: "k", dedupeKey: "only-in-a", payload: {} });
      const second = await openDatabase({ dataDir: b });
      expect(await new JobQueue(second).counts()).toEqual({});
      expect(await new JobQueue(first).counts()).toEqual({ pending: 1 });
      await Promise.all([first.close(), second.close()]);
    } finally {
      await Promise.all([a, b].map((dir) => rm(dir, { recursive: true, force: true })));
    }
  });
});
