// The event log the metrics are computed from. Cards and webhooks both write to it, per
// workspace and per conversation; an event with a dedupe key (a webhook's notification id) is
// written once.
import { z } from "zod";
import type { Database } from "../storage/database.ts";
import { storableJson, storableText } from "../storage/storable.ts";

export const EventKind = z.enum([
  "customer_message",
  "bot_answer",
  "bot_clarify",
  /** "Is it one of these?": the likely articles offered, none sure enough to answer from. */
  "bot_choice",
  /** The customer picked one of the articles a choice offered. */
  "choice_picked",
  "escalation",
  /** A suggestion posted to the agents as a note (agent-suggestion mode): not an answer the customer saw. */
  "bot_suggestion",
  "feedback",
  "admin_reply",
  "closed",
  "rating",
]);
export type EventKind = z.infer<typeof EventKind>;

export interface MetricsEvent {
  workspaceId: string;
  /** The Intercom conversation id, or `contact:<id>` for a card with no conversation yet. */
  conversationKey: string;
  kind: EventKind;
  data?: Record<string, unknown>;
  at?: Date;
  dedupeKey?: string;
}

export interface EventSink {
  /** Resolves once the event is stored. */
  record(event: MetricsEvent): Promise<void>;
}

/** Most rows one INSERT carries (six parameters each, well under Postgres' 65,535). */
const MAX_BATCH = 500;

interface Pending {
  event: MetricsEvent & { at: Date };
  done: () => void;
  failed: (error: unknown) => void;
}

/**
 * Writes events in batches: an event waits up to `lingerMs` for others, and they go in one INSERT.
 * Under load a statement costs far more than a row (the embedded database runs on the app's own
 * thread), so one statement per event was a fifth of a card's CPU. `record` resolves once its
 * event is stored; a card does not wait for that before answering, and `flush` (at shutdown) writes
 * what is still waiting. Each event keeps the time it happened, not the time it was written.
 */
export class EventLog implements EventSink {
  private queue: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Database,
    private readonly onRecorded: (event: MetricsEvent) => void = () => undefined,
    private readonly lingerMs = 20,
  ) {}

  record(event: MetricsEvent): Promise<void> {
    return new Promise((done, failed) => {
      // Stored as Postgres can hold them, and matched against what comes back in that same form.
      const stored = { ...event, workspaceId: storableText(event.workspaceId), conversationKey: storableText(event.conversationKey), at: event.at ?? new Date() };
      if (event.dedupeKey !== undefined) stored.dedupeKey = storableText(event.dedupeKey);
      this.queue.push({ event: stored, done, failed });
      if (this.queue.length >= MAX_BATCH) void this.flush();
      else this.timer ??= setTimeout(() => void this.flush(), this.lingerMs);
    });
  }

  /** Writes every event recorded so far; resolves when they are stored (or refused). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.queue.splice(0, this.queue.length);
    // Batches are written one after another, so events land in the order they were recorded.
    this.writing = this.writing.then(async () => {
      for (let start = 0; start < batch.length; start += MAX_BATCH) {
        const part = batch.slice(start, start + MAX_BATCH);
        try {
          await this.write(part);
        } catch {
          // One event the database refuses must not take its batch with it: each is tried alone.
          for (const pending of part) await this.write([pending]).catch(pending.failed);
        }
      }
    });
    return this.writing;
  }

  private async write(batch: Pending[]): Promise<void> {
    const inserted = await this.insert(batch.map((pending) => pending.event));
    batch.forEach((pending, i) => {
      if (inserted[i]) this.onRecorded(pending.event);
      pending.done();
    });
  }

  /** One INSERT for the batch; for each event, whether it was new (not a duplicate notification). */
  private async insert(events: Array<MetricsEvent & { at: Date }>): Promise<boolean[]> {
    const params: unknown[] = [];
    const rows = events.map((event) => {
      params.push(event.workspaceId, event.conversationKey, event.kind, event.at, storableJson(event.data ?? {}), event.dedupeKey ?? null);
      const at = params.length - 6;
      return `($${at + 1}, $${at + 2}, $${at + 3}, $${at + 4}, $${at + 5}, $${at + 6})`;
    });
    const stored = await this.db.query<{ workspace_id: string; dedupe_key: string | null }>(
      `INSERT INTO events (workspace_id, conversation_key, kind, at, data, dedupe_key) VALUES ${rows.join(", ")}
       ON CONFLICT (workspace_id, dedupe_key) DO NOTHING RETURNING workspace_id, dedupe_key`,
      params,
    );
    // Rows without a dedupe key are always new; of the others, the first of each key that came back.
    const fresh = new Set(stored.flatMap((row) => (row.dedupe_key === null ? [] : [JSON.stringify([row.workspace_id, row.dedupe_key])])));
    return events.map((event) => event.dedupeKey === undefined || fresh.delete(JSON.stringify([event.workspaceId, event.dedupeKey])));
  }
}

export interface StoredEvent {
  conversation_key: string;
  kind: EventKind;
  at: Date;
  data: Record<string, any>;
}

export async function eventsBetween(db: Database, workspaceId: string, from: Date, to: Date): Promise<StoredEvent[]> {
  const rows = await db.query<StoredEvent>(
    "SELECT conversation_key, kind, at, data FROM events WHERE workspace_id = $1 AND at >= $2 AND at < $3 ORDER BY at, id",
    [workspaceId, from, to],
  );
  return rows.map((row) => ({ ...row, at: new Date(row.at) }));
}

/**
 * A conversation's events, oldest first. A real conversation has tens; the first thousand are read,
 * so a runaway one (a loop, a replayed card) cannot make the Inbox app slow.
 */
export async function eventsOfConversation(db: Database, workspaceId: string, conversationKey: string, limit = 1000): Promise<StoredEvent[]> {
  const rows = await db.query<StoredEvent>("SELECT conversation_key, kind, at, data FROM events WHERE workspace_id = $1 AND conversation_key = $2 ORDER BY at, id LIMIT $3", [
    workspaceId,
    conversationKey,
    limit,
  ]);
  return rows.map((row) => ({ ...row, at: new Date(row.at) }));
}
