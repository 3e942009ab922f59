// Gathers what the Setup page's lines are computed from, for one workspace: the recorded evidence,
// the parked and waiting jobs, the model's measurement and the cards it wrote. Read from the
// database alone, so every instance, and `npm run doctor` beside a stopped app, shows the same.
import type { ModelTrust } from "../answer-decision/model-trust.ts";
import { readManifest } from "../manifest.ts";
import type { Database } from "../storage/database.ts";
import type { JobQueue } from "../storage/queue.ts";
import { setupLines, type SetupLine } from "./checks.ts";
import type { EvidenceFact } from "./evidence.ts";

export interface SetupSources {
  db: Database;
  queue: JobQueue;
  /** The facts of a workspace and the app-wide ones (the running app's include what it has not written yet). */
  factsOf(workspaceId: string): Promise<EvidenceFact[]>;
  /** The app's public address, to name the webhook URL in a fix. */
  publicUrl?: string;
  /** The configured chat model: its name, each workspace's card budget, its measured trust. */
  model?: {
    name: string;
    budgetMsFor(workspaceId: string): Promise<number>;
    trustFor(workspaceId: string): Promise<ModelTrust | undefined>;
    isMeasuring(workspaceId: string): boolean;
  };
  now?: () => Date;
}

/** Decisions of a card or a suggestion, and those the model wrote the answer of. */
async function cardsOfLastDay(db: Database, workspaceId: string): Promise<{ cards: number; writtenByModel: number }> {
  const [row] = await db.query<{ cards: string; by_model: string }>(
    `SELECT count(*)::text AS cards, count(*) FILTER (WHERE kind = 'bot_answer' AND data->>'by' = 'llm')::text AS by_model
     FROM events WHERE workspace_id = $1 AND at > now() - interval '1 day' AND kind IN ('bot_answer', 'bot_choice', 'bot_clarify', 'escalation')`,
    [workspaceId],
  );
  return { cards: Number(row?.cards ?? 0), writtenByModel: Number(row?.by_model ?? 0) };
}

export async function setupStatus(workspaceId: string, sources: SetupSources): Promise<SetupLine[]> {
  const now = sources.now?.() ?? new Date();
  const manifest = readManifest();
  const model = sources.model;
  const [facts, parked, oldestWaitingMs, cards, trust, budgetMs] = await Promise.all([
    sources.factsOf(workspaceId),
    sources.queue.parked(workspaceId),
    sources.queue.oldestWaitingMs(workspaceId),
    model ? cardsOfLastDay(sources.db, workspaceId) : undefined,
    model?.trustFor(workspaceId),
    model?.budgetMsFor(workspaceId),
  ]);
  return setupLines({
    now,
    facts,
    topics: manifest.webhooks.topics,
    webhookUrl: `${sources.publicUrl ?? "https://<your app>"}${manifest.webhooks.endpoint}`,
    ...(model && cards && budgetMs !== undefined ? { model: { name: model.name, budgetMs, ...(trust ? { trust } : {}), measuring: model.isMeasuring(workspaceId), ...cards } } : {}),
    jobs: {
      parked: parked.map((job) => ({ id: job.id, kind: job.kind, attempts: job.attempts, lastError: job.last_error ?? "", parkedAt: new Date(job.updated_at) })),
      ...(oldestWaitingMs === undefined ? {} : { oldestWaitingMs }),
    },
  });
}
