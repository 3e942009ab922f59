// The event log the metrics are computed from. Cards and webhooks both write to it, per
// workspace and per conversation; an event with a dedupe key (a webhook's notification id) is
// written once.
import { z } from "zod";
import type { Database } from "../storage/database.ts";

export const EventKind = z.enum([
  "customer_message",
  "bot_answer",
  "bot_clarify",
  "escalation",
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
  record(event: MetricsEvent): Promise<void>;
}

export class EventLog implements EventSink {
  constructor(
    private readonly db: Database,
    private readonly onRecorded: (event: MetricsEvent) => void = () => undefined,
  ) {}

  async record(event: MetricsEvent): Promise<void> {
    const rows = await this.db.query(
      `INSERT INTO events (workspace_id, conversation_key, kind, at, data, dedupe_key) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (workspace_id, dedupe_key) DO NOTHING RETURNING id`,
      [event.workspaceId, event.conversationKey, event.kind, event.at ?? new Date(), JSON.stringify(event.data ?? {}), event.dedupeKey ?? null],
    );
    if (rows.length) this.onRecorded(event);
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

export async function eventsOfConversation(db: Database, workspaceId: string, conversationKey: string): Promise<StoredEvent[]> {
  const rows = await db.query<StoredEvent>("SELECT conversation_key, kind, at, data FROM events WHERE workspace_id = $1 AND conversation_key = $2 ORDER BY at, id", [workspaceId, conversationKey]);
  return rows.map((row) => ({ ...row, at: new Date(row.at) }));
}
