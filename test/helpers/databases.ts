// The storage tests run on every database the app supports: the embedded PGlite always, and a real
// Postgres when TEST_DATABASE_URL names one (.ci/run starts Debian's postgresql for it). Each test
// file gets a database of its own, so files can run side by side.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { openDatabase, type Database } from "../../server/storage/database.ts";

export type Backend = "pglite" | "postgres";

export const BACKENDS: Backend[] = process.env.TEST_DATABASE_URL ? ["pglite", "postgres"] : ["pglite"];

/** `env`: what points the app's command-line tools at the same database. */
export async function openTestDatabase(backend: Backend): Promise<{ db: Database; env: { DATA_DIR: string; DATABASE_URL: string }; cleanup(): Promise<void> }> {
  if (backend === "pglite") {
    const dir = await mkdtemp(path.join(tmpdir(), "assistant-db-"));
    const db = await openDatabase({ dataDir: dir });
    return { db, env: { DATA_DIR: dir, DATABASE_URL: "" }, cleanup: async () => (await db.close().catch(() => undefined), await rm(dir, { recursive: true, force: true })) };
  }
  const adminUrl = process.env.TEST_DATABASE_URL!;
  const name = `assistant_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const db = await openDatabase({ url: url.toString(), dataDir: "" });
  return {
    db,
    env: { DATA_DIR: "", DATABASE_URL: url.toString() },
    async cleanup() {
      await db.close();
      const dropper = new pg.Client({ connectionString: adminUrl });
      await dropper.connect();
      await dropper.query(`DROP DATABASE IF EXISTS ${name}`);
      await dropper.end();
    },
  };
}
