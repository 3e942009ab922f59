// The setup's evidence: facts the app records as it runs (a signed call verified or rejected, a
// webhook topic received, the last outcome of each Intercom capability, the last sync) so the
// console's Setup page and `npm run doctor` say what works from what was seen, on every instance
// alike. Facts are coalesced in memory and written in one statement every few seconds: a card
// records its call without waiting on the database.
import type { Logger } from "../logger.ts";
import type { Database } from "../storage/database.ts";
import { storableJson } from "../storage/storable.ts";

/** Where what no workspace can be named for is recorded. */
export const APP_WIDE = "";

export type Detail = Record<string, unknown>;

export interface EvidenceFact {
  workspaceId: string;
  fact: string;
  firstSeen: Date;
  lastSeen: Date;
  seen: number;
  /** The last occurrence's details. */
  detail: Detail;
}

/** What the edges and adapters are given: they record, they never read. */
export interface EvidenceSink {
  saw(workspaceId: string, fact: string, detail?: Detail): void;
}

/** Facts written per statement; a flush with more writes several. */
const BATCH = 200;

export class SetupEvidence implements EvidenceSink {
  private pending = new Map<string, EvidenceFact>();
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Database,
    private readonly options: { logger: Logger; lingerMs?: number; now?: () => Date },
  ) {}

  saw(workspaceId: string, fact: string, detail: Detail = {}): void {
    const at = this.options.now?.() ?? new Date();
    const key = `${workspaceId}\u0000${fact}`;
    const known = this.pending.get(key);
    if (known) {
      known.lastSeen = at;
      known.seen++;
      known.detail = { ...known.detail, ...detail };
    } else this.pending.set(key, { workspaceId, fact, firstSeen: at, lastSeen: at, seen: 1, detail });
    this.timer ??= setTimeout(() => void this.flush(), this.options.lingerMs ?? 3000).unref();
  }

  /** Writes what was seen since the last flush; a failed write is logged and its facts kept for the next. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const facts = [...this.pending.values()];
    this.pending = new Map();
    this.writing = this.writing.then(async () => {
      for (let start = 0; start < facts.length; start += BATCH) {
        const batch = facts.slice(start, start + BATCH);
        try {
          await this.write(batch);
        } catch (error) {
          this.options.logger.warn({ err: error, facts: batch.length }, "could not record the setup's evidence; trying again with the next");
          for (const fact of batch) {
            const key = `${fact.workspaceId}\u0000${fact.fact}`;
            if (!this.pending.has(key)) this.pending.set(key, fact);
          }
        }
      }
    });
    return this.writing;
  }

  private async write(facts: EvidenceFact[]): Promise<void> {
    await this.db.query(
      `INSERT INTO setup_evidence AS known (workspace_id, fact, first_seen, last_seen, seen, detail)
       SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::bigint[], $6::jsonb[])
       ON CONFLICT (workspace_id, fact) DO UPDATE SET
         first_seen = LEAST(known.first_seen, excluded.first_seen),
         last_seen = GREATEST(known.last_seen, excluded.last_seen),
         seen = known.seen + excluded.seen,
         detail = CASE WHEN excluded.last_seen >= known.last_seen THEN known.detail || excluded.detail ELSE known.detail END`,
      [
        facts.map((fact) => fact.workspaceId),
        facts.map((fact) => fact.fact),
        facts.map((fact) => fact.firstSeen.toISOString()),
        facts.map((fact) => fact.lastSeen.toISOString()),
        facts.map((fact) => fact.seen),
        facts.map((fact) => storableJson(fact.detail)),
      ],
    );
  }

  /** Everything recorded for the workspace and app-wide, this instance's unwritten facts included. */
  async factsOf(workspaceId: string): Promise<EvidenceFact[]> {
    await this.flush();
    return readEvidence(this.db, workspaceId);
  }

  /** Forgets facts that no longer hold (a problem fixed by hand, e.g. parked jobs retried). */
  async forget(workspaceId: string, fact: string): Promise<void> {
    await this.flush();
    await this.db.query("DELETE FROM setup_evidence WHERE workspace_id = $1 AND fact = $2", [workspaceId, fact]);
  }
}

/** The recorded facts of a workspace and the app-wide ones, read by any instance or by `npm run doctor`. */
export async function readEvidence(db: Database, workspaceId: string): Promise<EvidenceFact[]> {
  const rows = await db.query<{ workspace_id: string; fact: string; first_seen: Date | string; last_seen: Date | string; seen: string | number; detail: Detail }>(
    "SELECT workspace_id, fact, first_seen, last_seen, seen, detail FROM setup_evidence WHERE workspace_id IN ($1, $2)",
    [workspaceId, APP_WIDE],
  );
  return rows.map((row) => ({ workspaceId: row.workspace_id, fact: row.fact, firstSeen: new Date(row.first_seen), lastSeen: new Date(row.last_seen), seen: Number(row.seen), detail: row.detail ?? {} }));
}

/** The workspaces the app has recorded anything for. */
export async function workspacesWithEvidence(db: Database): Promise<string[]> {
  const rows = await db.query<{ workspace_id: string }>("SELECT DISTINCT workspace_id FROM setup_evidence WHERE workspace_id <> $1 ORDER BY workspace_id", [APP_WIDE]);
  return rows.map((row) => row.workspace_id);
}
