// One SQL database behind one small interface: PGlite (Postgres in-process, files in DATA_DIR) by
// default, a real Postgres through `pg` when DATABASE_URL is set. Same schema, same queries.
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { createDatabase } from "./pglite-template.mjs";
import { migrate } from "./migrate.ts";
import { storableText } from "./storable.ts";

export interface Sql {
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
}

export interface Database extends Sql {
  readonly kind: "pglite" | "postgres";
  transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * Every text parameter made storable on its way in, so a value holding a NUL or a lone surrogate
 * (an id, a key, a name from a webhook) is written and looked up as the same text instead of
 * failing the query; one place, so no caller can forget it.
 */
function storableParams(params: unknown[]): unknown[] {
  return params.map((param) => (typeof param === "string" ? storableText(param) : Array.isArray(param) ? param.map((item) => (typeof item === "string" ? storableText(item) : item)) : param));
}

/**
 * Postgres's default buffer cache (128MB) is sized for a server with many clients; in PGlite it
 * sits in the app's WebAssembly memory, which never shrinks, and this app's embedded tables are a
 * few megabytes (files the operating system caches anyway). 16MB took ~100 MiB off the app's
 * memory at rest (npm run bench).
 */
const PGLITE_SHARED_BUFFERS = "16MB";

async function openPglite(dir: string): Promise<Database> {
  await mkdir(dir, { recursive: true });
  // A first start opens a copy of a database created once (pglite-template.mjs), as a restart would.
  if (!existsSync(path.join(dir, "PG_VERSION"))) await createDatabase(dir);
  const db = await PGlite.create(dir, { startParams: [...PGlite.defaultStartParams, "-c", `shared_buffers=${PGLITE_SHARED_BUFFERS}`] });
  const query = async <T>(text: string, params: unknown[] = []) => (await db.query<T>(text, storableParams(params))).rows;
  return {
    kind: "pglite",
    query,
    transaction: (work) => db.transaction((tx) => work({ query: async <T>(text: string, params: unknown[] = []) => (await tx.query<T>(text, storableParams(params))).rows })),
    close: () => db.close(),
  };
}

function openPostgres(url: string): Database {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  const run = (client: pg.Pool | pg.PoolClient) => async <T>(text: string, params: unknown[] = []) => (await client.query(text, storableParams(params))).rows as T[];
  return {
    kind: "postgres",
    query: run(pool),
    async transaction(work) {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        const result = await work({ query: run(client) });
        await client.query("COMMIT");
        return result;
      } catch (error) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

/** Opens the database and brings its schema up to date. */
export async function openDatabase(options: { url?: string; dataDir: string }): Promise<Database> {
  const db = options.url ? openPostgres(options.url) : await openPglite(path.join(options.dataDir, "pglite"));
  await migrate(db);
  return db;
}
