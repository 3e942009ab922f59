// Day one, not week six: when a workspace connects (and when an admin asks), the app reads the
// team's closed conversations of the last days and feeds every teammate reply that links a Help
// Center article to the same learner the webhooks feed, then fits the answer decisions again.
//
// A durable job of the queue, run by a worker of its own so hand-offs never wait behind it: it
// works in slices (its progress saved after every conversation, so a crash or a deploy resumes
// where it stopped and no conversation is read twice), paces its Intercom calls under the policy's
// rate (the SDK waits out a 429 until X-RateLimit-Reset; past its retries the slice ends and the
// job resumes after the reset, read as the hand-offs read it), and runs once at a time per workspace across instances (a unique
// index on the running job). An admin can cancel it. Nothing of a conversation is kept beyond what
// learning keeps.
import type { IntercomClient } from "intercom-client";
import { z } from "zod";
import type { AssistantDeps } from "../assistant/assistant.ts";
import type { PolicySource } from "../assistant/policy.ts";
import { learnedChunkId } from "../knowledge/chroma-store.ts";
import { htmlToText } from "../knowledge/html-text.ts";
import type { KnowledgeBase, ArticleView } from "../knowledge/knowledge-base.ts";
import type { Logger } from "../logger.ts";
import type { Database } from "../storage/database.ts";
import { RetryLater, type Continue, type Job, type JobHandler, type JobQueue } from "../storage/queue.ts";
import { classifyIntercomError } from "../handoff/handoff.ts";
import { dryRun, rowsWithoutAfter, saveAfter, saveForecast, withoutLearned, type TeamOutcome } from "./forecast.ts";
import { PastConversation, readConversation, type SkipReason } from "./history.ts";
import { questionKey, type LearnedQuestions } from "./learned-questions.ts";
import { learnFromTeammateReply } from "./teammate-replies.ts";

export const HISTORY_JOB = "history_backfill";

/** Conversations per search page (Intercom allows up to 150). */
const PAGE_SIZE = 50;
/** How long one slice works before handing the worker back (well inside the queue's lease). */
const SLICE_MS = 20_000;
/** The answer decisions are fitted again every this many questions learned, and at the end. */
const REFIT_EVERY = 300;

export const HistoryProgress = z.object({
  /** Unix seconds: conversations updated after this are read (fixed when the run starts). */
  since: z.number().int().optional(),
  /** The search page being read, by Intercom's cursor (absent: the first page). */
  cursor: z.string().nullable().default(null),
  /** Conversations of the current page already read. */
  doneInPage: z.number().int().default(0),
  /** What the search says it will list (capped at the policy's maximum). */
  total: z.number().int().nullable().default(null),
  read: z.number().int().default(0),
  /** Teammate replies that linked one of the workspace's articles, and those that linked none. */
  linked: z.number().int().default(0),
  unlinked: z.number().int().default(0),
  learned: z.number().int().default(0),
  learnedAtLastFit: z.number().int().default(0),
  notFound: z.number().int().default(0),
  skipped: z.record(z.string(), z.number().int()).default({}),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  /** Why the run ended early, in an admin's words (learning off, no access). */
  stopped: z.string().optional(),
  /** Milliseconds spent reading, to tell the time left. */
  busyMs: z.number().default(0),
  /** "forecast": the reading is done, and the assistant is asked again with what it taught. */
  phase: z.enum(["reading", "forecast"]).default("reading"),
  forecastDone: z.number().int().default(0),
});
export type HistoryProgress = z.infer<typeof HistoryProgress>;

export interface HistoryRun {
  state: "running" | "done" | "cancelled" | "failed";
  progress: HistoryProgress;
  /** Seconds left at the pace so far, while running. */
  secondsLeft: number | null;
  error: string | null;
  startedAt: Date;
}

export interface BackfillDeps {
  db: Database;
  queue: JobQueue;
  clientFor(workspaceId: string): IntercomClient | undefined;
  knowledge: Pick<KnowledgeBase, "articles">;
  learned: LearnedQuestions;
  settings: PolicySource;
  /** Fits the workspace's answer decisions again with what was learned. */
  refit(workspaceId: string): Promise<unknown>;
  /** The assistant, asked in a dry run what it would have done with each first message (the forecast); none, no forecast. */
  assistant?: AssistantDeps;
  logger: Logger;
  now?: () => number;
}

const statusOf = (error: unknown) => (error as { statusCode?: number })?.statusCode;

/** Waits between Intercom calls so the run stays under its rate, whatever the calls cost. */
function pacer(perSecond: number) {
  const gapMs = 1000 / perSecond;
  let next = 0;
  return async () => {
    const wait = next - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    next = Math.max(Date.now(), next) + gapMs;
  };
}

export class HistoryBackfill {
  constructor(private readonly deps: BackfillDeps) {}

  /**
   * Starts a run for the workspace; `once` names a start that happens at most once ever (the
   * install's). False when one is already pending or running, or that start already happened.
   */
  async start(workspaceId: string, once?: string): Promise<boolean> {
    try {
      const { created } = await this.deps.queue.enqueue({ workspaceId, kind: HISTORY_JOB, dedupeKey: once ?? `run:${(this.deps.now ?? Date.now)()}`, payload: {} });
      if (created) this.deps.logger.info({ workspaceId, once }, "reading the team's past conversations");
      return created;
    } catch (error) {
      // The unique index on the running job: another start, on this instance or another, won.
      if ((error as { code?: string }).code === "23505") return false;
      throw error;
    }
  }

  async cancel(workspaceId: string): Promise<boolean> {
    return (await this.deps.queue.cancel(workspaceId, HISTORY_JOB)) > 0;
  }

  /** The workspace's latest run, as the console and the terminal show it. */
  async latest(workspaceId: string): Promise<HistoryRun | undefined> {
    const job = await this.deps.queue.latest(workspaceId, HISTORY_JOB);
    if (!job) return undefined;
    const progress = HistoryProgress.parse(job.progress);
    const state = job.status === "cancelled" ? "cancelled" : job.status === "parked" ? "failed" : job.status === "done" ? "done" : "running";
    const perConversationMs = progress.read ? progress.busyMs / progress.read : null;
    const left = progress.total === null ? null : Math.max(0, progress.total - progress.read);
    return {
      state,
      progress,
      secondsLeft: state === "running" && perConversationMs !== null && left !== null ? Math.round((left * perConversationMs) / 1000) : null,
      error: job.last_error,
      startedAt: new Date(job.created_at),
    };
  }

  handler(): JobHandler {
    return (job, context) => this.slice(job, context.saveProgress);
  }

  private async slice(job: Job, save: (progress: Record<string, unknown>) => Promise<void>): Promise<void | Continue> {
    const { deps } = this;
    const now = deps.now ?? Date.now;
    const workspaceId = job.workspace_id;
    const progress = HistoryProgress.parse(job.progress);
    const saveProgress = () => save(progress);
    const policy = await deps.settings.policyFor(workspaceId);
    const client = deps.clientFor(workspaceId);
    const finish = async (stopped?: string) => {
      if (stopped) progress.stopped = stopped;
      progress.finishedAt = new Date(now()).toISOString();
      await saveProgress();
      if (progress.learned > progress.learnedAtLastFit) await this.refit(workspaceId, progress, saveProgress);
      deps.logger.info({ workspaceId, read: progress.read, learned: progress.learned, linked: progress.linked, skipped: progress.skipped, stopped }, "finished reading the team's past conversations");
    };
    if (!client) return finish("the workspace is not connected to Intercom");
    if (policy.learning === "off") return finish("learning is off in the settings");
    if (progress.phase === "forecast") return this.forecastAfter(job, progress, saveProgress, finish);
    /** The reading is over: with an assistant to ask, the forecast's "after" comes next, with what it taught. */
    const readingDone = async (): Promise<void | Continue> => {
      if (!deps.assistant) return finish();
      progress.phase = "forecast";
      await this.refit(workspaceId, progress, saveProgress);
      return { continueAfterMs: 0 };
    };

    progress.startedAt ??= new Date(now()).toISOString();
    progress.since ??= Math.floor(now() / 1000) - policy.history.days * 86_400;
    const max = policy.history.max_conversations;
    const pace = pacer(policy.history.requests_per_second);
    const sliceEnds = Date.now() + SLICE_MS;
    const articles = await deps.knowledge.articles(workspaceId);
    const languages = new Set(articles.map((article) => article.locale.slice(0, 2)));
    const knowledge = { articles: async (): Promise<ArticleView[]> => articles };

    try {
      for (;;) {
        if (!(await deps.queue.isActive(job.id))) return;
        await pace();
        const page = await client.conversations.search({
          query: {
            operator: "AND",
            value: [
              { field: "updated_at", operator: ">", value: String(progress.since) },
              { field: "state", operator: "=", value: "closed" },
            ],
          },
          pagination: { per_page: PAGE_SIZE, ...(progress.cursor ? { starting_after: progress.cursor } : {}) },
        });
        if (progress.total === null) progress.total = Math.min(max, page.response.total_count ?? page.data.length);
        const listed = page.data.slice(progress.doneInPage);
        for (const summary of listed) {
          if (progress.read >= max) return readingDone();
          if (!(await deps.queue.isActive(job.id))) return;
          const started = Date.now();
          await pace();
          await this.readOne(job, String(summary.id), progress, languages, knowledge, policy.learning);
          progress.read++;
          progress.doneInPage++;
          progress.busyMs += Date.now() - started;
          await saveProgress();
          if (progress.learned - progress.learnedAtLastFit >= REFIT_EVERY) await this.refit(workspaceId, progress, saveProgress);
          if (Date.now() > sliceEnds) return { continueAfterMs: 0 };
        }
        const next = page.response.pages?.next?.starting_after;
        if (!next || !page.data.length) return readingDone();
        progress.cursor = next;
        progress.doneInPage = 0;
        await saveProgress();
      }
    } catch (error) {
      const status = statusOf(error);
      const classified = classifyIntercomError(error);
      if (classified instanceof RetryLater) {
        await saveProgress();
        deps.logger.warn({ workspaceId, afterMs: classified.afterMs }, "Intercom's rate limit: reading past conversations resumes after its reset");
        return { continueAfterMs: classified.afterMs };
      }
      if (status === 401 || status === 403) return finish(`Intercom refused to list conversations (${status}): the app needs the “Read conversations” permission`);
      throw error;
    }
  }

  /** Reads one conversation: the forecast's "before" on its first message, then what its teammates' replies teach. A conversation gone since is counted. */
  private async readOne(job: Job, conversationId: string, progress: HistoryProgress, languages: ReadonlySet<string>, knowledge: Pick<KnowledgeBase, "articles">, mode: "on" | "review") {
    const { deps } = this;
    const workspaceId = job.workspace_id;
    const client = deps.clientFor(workspaceId)!;
    let found: unknown;
    try {
      found = await client.conversations.find({ conversation_id: conversationId });
    } catch (error) {
      if (statusOf(error) === 404) {
        progress.notFound++;
        return;
      }
      throw error;
    }
    const parsed = PastConversation.safeParse(found);
    if (!parsed.success) {
      progress.notFound++;
      return;
    }
    const reading = readConversation(parsed.data, languages);
    for (const [reason, count] of Object.entries(reading.skipped) as Array<[SkipReason, number]>) progress.skipped[reason] = (progress.skipped[reason] ?? 0) + count;
    const before = deps.assistant && reading.firstQuestion ? await dryRun(deps.assistant, workspaceId, reading.firstQuestion, withoutLearned(deps.assistant.knowledge, await this.taughtSince(workspaceId, progress))) : undefined;
    let team: { team: TeamOutcome; teamArticles: string[]; teamReply: string | null } = { team: "none", teamArticles: [], teamReply: null };
    for (const [i, answer] of reading.answers.entries()) {
      const lesson = await learnFromTeammateReply({ workspaceId, conversationId, body: answer.body, customerQuestions: answer.customerQuestions }, { knowledge, learned: deps.learned, db: deps.db, mode, fromHistory: true });
      if (lesson.linkedArticles.length) progress.linked++;
      else progress.unlinked++;
      progress.learned += lesson.learned;
      if (i === 0) team = { team: lesson.linkedArticles.length ? "linked" : "unlinked", teamArticles: lesson.linkedArticles, teamReply: htmlToText(answer.body) };
    }
    if (before && reading.firstQuestion) await saveForecast(deps.db, workspaceId, job.id, { conversationId, question: reading.firstQuestion, ...team, before });
  }

  private taught: { workspaceId: string; learned: number; since: string; records: Set<string> } | undefined;

  /** The records of what this run taught so far, left out of the forecast's "before". */
  private async taughtSince(workspaceId: string, progress: HistoryProgress): Promise<ReadonlySet<string>> {
    const since = progress.startedAt!;
    if (!this.taught || this.taught.workspaceId !== workspaceId || this.taught.since !== since || this.taught.learned !== progress.learned) {
      const rows = await this.deps.db.query<{ article_key: string; question: string }>("SELECT article_key, question FROM learned_questions WHERE workspace_id = $1 AND learned_at >= $2", [workspaceId, since]);
      this.taught = { workspaceId, learned: progress.learned, since, records: new Set(rows.map((row) => learnedChunkId(row.article_key, row.question))) };
    }
    return this.taught.records;
  }

  private asked: { runId: string; pairs: Map<string, Set<string>>; counts: Map<string, number> } | undefined;

  /** Whether another linked conversation of the run asked about this article in nearly the same words. */
  private async askedInOtherConversations(job: Job, conversationId: string): Promise<(pair: string) => boolean> {
    if (this.asked?.runId !== job.id) {
      const rows = await this.deps.db.query<{ conversation_id: string; question: string; team_articles: string[] }>("SELECT conversation_id, question, team_articles FROM history_forecast WHERE workspace_id = $1 AND run_id = $2 AND team = 'linked'", [job.workspace_id, job.id]);
      const pairs = new Map<string, Set<string>>();
      const counts = new Map<string, number>();
      for (const row of rows) {
        const asked = new Set((row.team_articles ?? []).map((article) => `${article}\u0000${questionKey(row.question)}`));
        pairs.set(row.conversation_id, asked);
        for (const pair of asked) counts.set(pair, (counts.get(pair) ?? 0) + 1);
      }
      this.asked = { runId: job.id, pairs, counts };
    }
    const { pairs, counts } = this.asked;
    const own = pairs.get(conversationId);
    return (pair) => (counts.get(pair) ?? 0) - (own?.has(pair) ? 1 : 0) > 0;
  }

  /** The forecast's "after": every first message asked again, now that the reading taught what it did and the fit is new, leaving out what that conversation taught itself. */
  private async forecastAfter(job: Job, progress: HistoryProgress, saveProgress: () => Promise<void>, finish: () => Promise<void>): Promise<void | Continue> {
    const { deps } = this;
    const sliceEnds = Date.now() + SLICE_MS;
    for (;;) {
      if (!(await deps.queue.isActive(job.id))) return;
      const rows = await rowsWithoutAfter(deps.db, job.workspace_id, job.id, 20);
      if (!rows.length || !deps.assistant) return finish();
      for (const row of rows) {
        // Each conversation is forecast as a new customer's would be: with what the others taught,
        // not what it taught itself (unless another conversation of the reading asked the same, in
        // nearly the same words, and would have taught it too: only the first is recorded as its teacher).
        // What it taught includes the model's rewordings of it.
        const own = await deps.db.query<{ article_key: string; question: string; taught: string }>(
          `SELECT l.article_key, l.question, coalesce(o.question, l.question) AS taught FROM learned_questions l LEFT JOIN learned_questions o ON o.id = l.paraphrase_of
            WHERE l.workspace_id = $1 AND (l.conversation_id = $2 OR o.conversation_id = $2)`,
          [job.workspace_id, row.conversationId],
        );
        const askedElsewhere = await this.askedInOtherConversations(job, row.conversationId);
        const itsOwn = new Set(own.filter((record) => !askedElsewhere(`${record.article_key}\u0000${questionKey(record.taught)}`)).map((record) => learnedChunkId(record.article_key, record.question)));
        await saveAfter(deps.db, job.workspace_id, job.id, row.conversationId, await dryRun(deps.assistant, job.workspace_id, row.question, withoutLearned(deps.assistant.knowledge, itsOwn)));
        progress.forecastDone++;
      }
      await saveProgress();
      if (Date.now() > sliceEnds) return { continueAfterMs: 0 };
    }
  }

  private async refit(workspaceId: string, progress: HistoryProgress, saveProgress: () => Promise<void>) {
    progress.learnedAtLastFit = progress.learned;
    await saveProgress();
    await this.deps.refit(workspaceId).catch((error) => this.deps.logger.error({ err: error, workspaceId }, "could not fit the answer decisions again after learning from past conversations"));
  }
}
