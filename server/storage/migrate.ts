// Versioned migrations: server/storage/migrations/NNN_name.sql, applied in order, once, in one
// transaction. An advisory lock keeps two instances starting together from racing.
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Database } from "./database.ts";

const DIR = fileURLToPath(new URL("./migrations/", import.meta.url));
const LOCK = 727_364_001;

export async function migrate(db: Database): Promise<number[]> {
  const files = readdirSync(DIR).filter((file) => /^\d+_.+\.sql$/.test(file)).sort();
  // Everything under the lock, the bookkeeping table included: two instances creating it at the
  // same moment would otherwise collide in Postgres's catalog.
  return db.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock($1)", [LOCK]);
    await tx.query("CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())");
    const done = new Set((await tx.query<{ version: number }>("SELECT version FROM schema_migrations")).map((row) => row.version));
    const applied: number[] = [];
    for (const file of files) {
      const version = Number(file.split("_")[0]);
      if (done.has(version)) continue;
      for (const statement of readFileSync(DIR + file, "utf8").split(/;\s*$/m).map((part) => part.trim()).filter(Boolean)) {
        await tx.query(statement);
      }
      await tx.query("INSERT INTO schema_migrations (version) VALUES ($1)", [version]);
      applied.push(version);
    }
    return applied;
  });
}
