// Versioned migrations: server/storage/migrations/NNN_name.sql, applied in order, each in its own
// transaction, once. An advisory lock keeps two instances starting together from racing.
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Database } from "./database.ts";

const DIR = fileURLToPath(new URL("./migrations/", import.meta.url));
const LOCK = 727_364_001;

export async function migrate(db: Database): Promise<number[]> {
  await db.query("CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())");
  const files = readdirSync(DIR).filter((file) => /^\d+_.+\.sql$/.test(file)).sort();
  const applied: number[] = [];
  for (const file of files) {
    const version = Number(file.split("_")[0]);
    const done = await db.transaction(async (tx) => {
      await tx.query("SELECT pg_advisory_xact_lock($1)", [LOCK]);
      const [existing] = await tx.query("SELECT 1 FROM schema_migrations WHERE version = $1", [version]);
      if (existing) return false;
      for (const statement of readFileSync(DIR + file, "utf8").split(/;\s*$/m).map((part) => part.trim()).filter(Boolean)) {
        await tx.query(statement);
      }
      await tx.query("INSERT INTO schema_migrations (version) VALUES ($1)", [version]);
      return true;
    });
    if (done) applied.push(version);
  }
  return applied;
}
