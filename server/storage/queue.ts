// The durable job queue on the database. A job is written (deduplicated by its key) before the
// caller is told "accepted"; workers claim due jobs with FOR UPDATE SKIP LOCKED and a lease, so a
// job is handled by one instance at a time and a crashed instance's jobs come back when the lease
// runs out. Failures retry with exponential backoff; a job that keeps failing is parked, with its
// error, for an admin to see.
import { randomUUID } from "node:crypto";
import type { Logger } from "../logger.ts";
import type { Database, Sql } from "./database.ts";
import { storableJson } from "./storable.ts";

export interface Job<P = Record<string, unknown>> {
  id: string;
  workspace_id: string;
  kind: string;
  dedupe_key: string;
  payload: P;
  progress: Record<string, unknown>;
  attempts: number;
  last_error: string | null;
  status: "pending" | "running" | "done" | "parked" | "cancelled";
  updated_at: Date | string;
}

export interface QueueOptions {
  /** How long a claimed job is reserved before another worker may take it over. */
  leaseMs: number;
  maxAttempts: number;
  /** Delay before retry n (1-based). */
  backoffMs: (attempt: number) => number;
}

export const DEFAULT_QUEUE: QueueOptions = {
  leaseMs: 60_000,
  maxAttempts: 8,
  backoffMs: (attempt) => Math.min(15 * 60_000, 2000 * 2 ** (attempt - 1)),
};

/** Thrown by a handler to be retried no sooner than `afterMs` (e.g. Intercom's rate-limit reset). */
export class RetryLater extends Error {
  constructor(
    message: string,
    readonly afterMs: number,
  ) {
    super(message);
  }
}

/** Thrown by a handler when retrying cannot help (e.g. the conversation no longer exists): park now. */
export class GiveUp extends Error {}

export class JobQueue {
  constructor(
    readonly db: Database,
    readonly options: QueueOptions = DEFAULT_QUEUE,
  ) {}

  /** Writes a job unless one with the same key exists; `created` says which. `runAfterMs` delays it. */
  async enqueue(job: { workspaceId: string; kind: string; dedupeKey: string; payload: unknown; runAfterMs?: number }, sql: Sql = this.db): Promise<{ id: string; created: boolean }> {
    const [row] = await sql.query<{ id: string }>(
      `INSERT INTO jobs (workspace_id, kind, dedupe_key, payload, run_at) VALUES ($1, $2, $3, $4, now() + ($5::int * interval '1 millisecond'))
       ON CONFLICT (workspace_id, kind, dedupe_key) DO NOTHING RETURNING id`,
      [job.workspaceId, job.kind, job.dedupeKey, storableJson(job.payload), Math.max(0, Math.round(job.runAfterMs ?? 0))],
    );
    if (row) return { id: String(row.id), created: true };
    const [existing] = await sql.query<{ id: string }>("SELECT id FROM jobs WHERE workspace_id = $1 AND kind = $2 AND dedupe_key = $3", [job.workspaceId, job.kind, job.dedupeKey]);
    return { id: String(existing!.id), created: false };
  }

  /** Takes up to `limit` due jobs (new, retrying, or abandoned by a crashed worker), of the given kinds only or all but them. */
  async claim(limit: number, kinds: { only?: string[]; except?: string[] } = {}): Promise<Job[]> {
    return this.db.query<Job>(
      `UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_until = now() + ($2::int * interval '1 millisecond'), updated_at = now()
       WHERE id IN (
         SELECT id FROM jobs
         WHERE ((status = 'pending' AND run_at <= now()) OR (status = 'running' AND locked_until < now()))
           AND ($3::text[] IS NULL OR kind = ANY($3::text[])) AND NOT (kind = ANY($4::text[]))
         ORDER BY run_at, id
         FOR UPDATE SKIP LOCKED
         LIMIT $1)
       RETURNING id::text, workspace_id, kind, dedupe_key, payload, progress, attempts, last_error, status, updated_at`,
      [limit, this.options.leaseMs, kinds.only ?? null, kinds.except ?? []],
    );
  }

  /**
   * Hands back jobs left 'running' by a process that died. Only for the embedded database, which
   * one process owns: with a shared Postgres, other instances' jobs are alive and their leases say
   * when they are not.
   */
  async releaseAbandoned(): Promise<number> {
    if (this.db.kind !== "pglite") return 0;
    const rows = await this.db.query("UPDATE jobs SET status = 'pending', locked_until = NULL, run_at = now() WHERE status = 'running' RETURNING id");
    return rows.length;
  }

  /** Records that a step of a job is done, so a retry does not do it again. */
  async saveProgress(id: string, progress: Record<string, unknown>): Promise<void> {
    await this.db.query("UPDATE jobs SET progress = $2, updated_at = now() WHERE id = $1", [id, storableJson(progress)]);
  }

  /** Marks a job done, unless an admin cancelled it meanwhile. */
  async complete(id: string): Promise<void> {
    await this.db.query("UPDATE jobs SET status = 'done', locked_until = NULL, last_error = NULL, updated_at = now() WHERE id = $1 AND status <> 'cancelled'", [id]);
  }

  /** A long job's slice is over: it goes back in line (its tries counted afresh), to go on from its saved progress. */
  async reschedule(id: string, afterMs: number): Promise<void> {
    await this.db.query(
      "UPDATE jobs SET status = 'pending', attempts = 0, locked_until = NULL, last_error = NULL, run_at = now() + ($2::int * interval '1 millisecond'), updated_at = now() WHERE id = $1 AND status = 'running'",
      [id, Math.max(0, Math.round(afterMs))],
    );
  }

  /** Cancels the workspace's pending or running jobs of a kind; a running one stops at its next check. Returns how many. */
  async cancel(workspaceId: string, kind: string): Promise<number> {
    const rows = await this.db.query("UPDATE jobs SET status = 'cancelled', locked_until = NULL, updated_at = now() WHERE workspace_id = $1 AND kind = $2 AND status IN ('pending', 'running') RETURNING id", [workspaceId, kind]);
    return rows.length;
  }

  /** Whether a job is still meant to run (not cancelled, not done). */
  async isActive(id: string): Promise<boolean> {
    const [row] = await this.db.query<{ status: string }>("SELECT status FROM jobs WHERE id = $1", [id]);
    return row?.status === "pending" || row?.status === "running";
  }

  /** The workspace's newest job of a kind, whatever its state. */
  async latest(workspaceId: string, kind: string): Promise<(Job & { created_at: Date | string }) | undefined> {
    const [row] = await this.db.query<Job & { created_at: Date | string }>(
      "SELECT id::text, workspace_id, kind, dedupe_key, payload, progress, attempts, last_error, status, updated_at, created_at FROM jobs WHERE workspace_id = $1 AND kind = $2 ORDER BY id DESC LIMIT 1",
      [workspaceId, kind],
    );
    return row;
  }

  /** Schedules a retry, or parks the job when it has failed too often. Returns the new status. */
  async fail(job: Job, error: unknown): Promise<"pending" | "parked"> {
    const message = error instanceof Error ? error.message : String(error);
    if (job.attempts >= this.options.maxAttempts || error instanceof GiveUp) {
      await this.db.query("UPDATE jobs SET status = 'parked', locked_until = NULL, last_error = $2, updated_at = now() WHERE id = $1 AND status <> 'cancelled'", [job.id, message]);
      return "parked";
    }
    const delay = error instanceof RetryLater ? Math.max(error.afterMs, this.options.backoffMs(job.attempts)) : this.options.backoffMs(job.attempts);
    await this.db.query(
      "UPDATE jobs SET status = 'pending', locked_until = NULL, last_error = $2, run_at = now() + ($3::int * interval '1 millisecond'), updated_at = now() WHERE id = $1 AND status <> 'cancelled'",
      [job.id, message, Math.round(delay)],
    );
    return "pending";
  }

  async parked(workspaceId?: string): Promise<Job[]> {
    return this.db.query<Job>(
      `SELECT id::text, workspace_id, kind, dedupe_key, payload, progress, attempts, last_error, status, updated_at FROM jobs
       WHERE status = 'parked' AND ($1::text IS NULL OR workspace_id = $1) ORDER BY updated_at DESC LIMIT 100`,
      [workspaceId ?? null],
    );
  }

  /** Puts a parked job of the workspace back in line, with its attempts counted afresh; false when there is none. */
  async retry(workspaceId: string, id: string): Promise<boolean> {
    if (!/^\d+$/.test(id)) return false;
    try {
      const rows = await this.db.query(
        "UPDATE jobs SET status = 'pending', attempts = 0, run_at = now(), locked_until = NULL, updated_at = now() WHERE id = $1 AND workspace_id = $2 AND status = 'parked' RETURNING id",
        [id, workspaceId],
      );
      return rows.length > 0;
    } catch (error) {
      // A job that runs once at a time per workspace (a history reading) while another is under way.
      if ((error as { code?: string }).code === "23505") return false;
      throw error;
    }
  }

  /** How long the workspace's oldest due job has waited to be carried out; undefined when none waits. */
  async oldestWaitingMs(workspaceId: string): Promise<number | undefined> {
    const [row] = await this.db.query<{ ms: string | null }>(
      "SELECT (extract(epoch FROM now() - min(run_at)) * 1000)::bigint::text AS ms FROM jobs WHERE workspace_id = $1 AND status = 'pending' AND run_at <= now()",
      [workspaceId],
    );
    return row?.ms == null ? undefined : Math.max(0, Number(row.ms));
  }

  async counts(): Promise<Record<string, number>> {
    const rows = await this.db.query<{ status: string; n: string }>("SELECT status, count(*)::text AS n FROM jobs GROUP BY status");
    return Object.fromEntries(rows.map((row) => [row.status, Number(row.n)]));
  }
}

/** What a handler may answer instead of finishing: its slice of a long job is over, the rest runs after this delay. */
export interface Continue {
  continueAfterMs: number;
}

export type JobHandler = (job: Job, context: { saveProgress(progress: Record<string, unknown>): Promise<void> }) => Promise<void | Continue>;

/** Polls the queue and runs each job's handler; stops cleanly, leaving unfinished jobs to be resumed. */
export class Worker {
  readonly id = randomUUID();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly queue: JobQueue,
    private readonly handlers: Record<string, JobHandler>,
    private readonly logger: Logger,
    private readonly options: { pollMs: number; batch: number; kinds?: { only?: string[]; except?: string[] } } = { pollMs: 500, batch: 10 },
  ) {}

  /** Runs one batch; resolves with how many jobs it handled. */
  async tick(): Promise<number> {
    const jobs = await this.queue.claim(this.options.batch, this.options.kinds);
    await Promise.all(
      jobs.map(async (job) => {
        const handler = this.handlers[job.kind];
        try {
          if (!handler) throw new Error(`no handler for job kind ${job.kind}`);
          let progress = job.progress;
          const outcome = await handler(job, {
            saveProgress: async (next) => {
              progress = { ...progress, ...next };
              await this.queue.saveProgress(job.id, progress);
            },
          });
          if (outcome) await this.queue.reschedule(job.id, outcome.continueAfterMs);
          else await this.queue.complete(job.id);
        } catch (error) {
          const status = await this.queue.fail(job, error);
          this.logger[status === "parked" ? "error" : "warn"]({ jobId: job.id, kind: job.kind, attempt: job.attempts, err: error }, status === "parked" ? "job parked after repeated failures" : "job failed; will retry");
        }
      }),
    );
    return jobs.length;
  }

  /** Handles due jobs until none is left (for tests and the command line). */
  async drain(): Promise<void> {
    while ((await this.tick()) > 0);
  }

  start(): void {
    const loop = async () => {
      if (this.stopped) return;
      this.running = this.tick()
        .then(() => undefined)
        .catch((error) => this.logger.error({ err: error }, "queue poll failed"));
      await this.running;
      if (!this.stopped) this.timer = setTimeout(() => void loop(), this.options.pollMs);
    };
    void loop();
  }

  /** Stops polling and waits for the jobs in hand to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}
