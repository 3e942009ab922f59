// Every pick teaches: a customer who picks an article from a choice and then asks for no more help
// about it has confirmed that article for the question they typed. A pick waits out a
// confirmation window (a delayed job, 15 minutes unless the policy says otherwise); "Get more help", "Talk to a human", a hand-over, a teammate
// taking the conversation or the same question asked again withdraws it. Once two different
// contacts confirm the same article for near-identical questions, the question is learned
// (source "customers"), as a teammate's link would teach it. Guards against poisoning: one contact
// never teaches alone, more than two thirds of the contacts who confirmed any article for the
// question must agree on it (what they taught is retracted when they stop agreeing), customers who said the article did not help with that question outweigh the picks,
// and at most a set number of questions per article are learned from customers a day (a question
// held back by that cap is tried again the next day, so the cap slows learning without losing it).
import type { Logger } from "../logger.ts";
import type { Database } from "../storage/database.ts";
import { ReadCache } from "../storage/read-cache.ts";
import { storableText } from "../storage/storable.ts";
import type { JobHandler, JobQueue } from "../storage/queue.ts";
import { termOverlap } from "../knowledge/text-analysis.ts";
import { CUSTOMERS_AGREEING, questionKey, type LearnedQuestions, type LearningMode } from "./learned-questions.ts";

export const PICK_JOB = "confirm_pick";
/** A confirmed question the daily cap held back, tried again the next day. */
export const HELD_BACK_JOB = "teach_held_back_pick";

/** More than this share of the contacts who confirmed any article for a question must agree on one. */
export const AGREEMENT = 2 / 3;

/** What learning from customers may do in a workspace (its policy's `learning`, daily cap and confirmation window). */
export interface CustomerLearningPolicy {
  learning: LearningMode;
  customer_learned_per_article_per_day: number;
  customer_pick_confirm_minutes: number;
}

interface PickRow {
  id: string;
  workspace_id: string;
  article_key: string;
  question_key: string;
  question: string;
  status: "pending" | "confirmed" | "withdrawn";
}

/** Whether a new question is about the same thing as a picked one: it shares half the shorter one's terms. */
export function sameTopic(a: string, b: string): boolean {
  const overlap = termOverlap(a, b);
  const shorter = Math.min(overlap.a, overlap.b);
  return shorter > 0 && overlap.shared / shorter >= 0.5;
}

export class CustomerPicks {
  /**
   * Each workspace's conversations with a pick pending: every question a customer types would
   * otherwise query for its conversation's picks, and nearly all have none.
   */
  private readonly pendingIn = new ReadCache<Set<string>>();

  constructor(
    private readonly deps: {
      db: Database;
      queue: JobQueue;
      learned: LearnedQuestions;
      policyFor: (workspaceId: string) => Promise<CustomerLearningPolicy>;
      logger: Logger;
      /** The day the cap counts in (UTC); injectable so a replay can let days pass. */
      clock?: () => Date;
    },
  ) {}

  private now(): Date {
    return this.deps.clock?.() ?? new Date();
  }

  /** Records a pick and schedules its confirmation. */
  async picked(input: { workspaceId: string; articleKey: string; question: string; contactKey: string; conversationKey: string }): Promise<void> {
    const key = questionKey(input.question);
    if (!key) return;
    const runAfterMs = (await this.deps.policyFor(input.workspaceId)).customer_pick_confirm_minutes * 60_000;
    // The pick and its confirmation are written together: a pick is never left waiting forever.
    await this.deps.db.transaction(async (tx) => {
      const [row] = await tx.query<{ id: string }>(
        `INSERT INTO customer_picks (workspace_id, article_key, question_key, question, contact_key, conversation_key) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id::text`,
        [input.workspaceId, input.articleKey, key, input.question, input.contactKey, input.conversationKey],
      );
      await this.deps.queue.enqueue({ workspaceId: input.workspaceId, kind: PICK_JOB, dedupeKey: `pick:${row!.id}`, payload: { pickId: row!.id }, runAfterMs }, tx);
    });
    this.pendingIn.forget(input.workspaceId);
  }

  /**
   * The customer asked for more help in this conversation: its pending picks teach nothing. With
   * `question`, only the picks about the same thing as that new question are withdrawn.
   */
  async withdraw(workspaceId: string, conversationKey: string, question?: string): Promise<number> {
    const conversations = await this.pendingIn.get(workspaceId, async () => {
      const rows = await this.deps.db.query<{ conversation_key: string }>("SELECT DISTINCT conversation_key FROM customer_picks WHERE workspace_id = $1 AND status = 'pending'", [workspaceId]);
      return new Set(rows.map((row) => row.conversation_key));
    });
    // Compared as stored: a key with a NUL in it comes back from the database without it.
    if (!conversations.has(storableText(conversationKey))) return 0;
    const pending = await this.deps.db.query<{ id: string; question: string }>(
      "SELECT id::text, question FROM customer_picks WHERE workspace_id = $1 AND conversation_key = $2 AND status = 'pending'",
      [workspaceId, conversationKey],
    );
    const ids = pending.filter((pick) => question === undefined || sameTopic(pick.question, question)).map((pick) => pick.id);
    if (ids.length) {
      await this.deps.db.query("UPDATE customer_picks SET status = 'withdrawn' WHERE id = ANY($1::bigint[]) AND status = 'pending'", [ids]);
      this.pendingIn.forget(workspaceId);
    }
    return ids.length;
  }

  /** The jobs to register with the worker: the confirmation, and the next day's try of a held-back question. */
  handlers(): Record<string, JobHandler> {
    return { [PICK_JOB]: this.confirmation(), [HELD_BACK_JOB]: this.heldBack() };
  }

  /** A pick still pending after the window is confirmed, and may teach. */
  private confirmation(): JobHandler {
    return async (job) => {
      // A conversation a person took over, or that was handed over, after the pick teaches nothing.
      const [pick] = await this.deps.db.query<PickRow>(
        `UPDATE customer_picks p SET status = CASE WHEN EXISTS (
             SELECT 1 FROM conversations c WHERE c.workspace_id = p.workspace_id AND c.conversation_id = p.conversation_key
               AND (c.human_took_over_at >= p.picked_at OR c.escalated_at >= p.picked_at)) THEN 'withdrawn' ELSE 'confirmed' END
         WHERE p.id = $1::bigint AND p.status = 'pending'
         RETURNING p.id::text, p.workspace_id, p.article_key, p.question_key, p.question, p.status`,
        [String(job.payload.pickId)],
      );
      if (pick?.status === "confirmed") await this.teach(pick);
    };
  }

  /** A confirmed pick the cap held back teaches if it still may: the checks are made again. */
  private heldBack(): JobHandler {
    return async (job) => {
      const [pick] = await this.deps.db.query<PickRow>(
        "SELECT id::text, workspace_id, article_key, question_key, question, status FROM customer_picks WHERE id = $1::bigint AND status = 'confirmed'",
        [String(job.payload.pickId)],
      );
      if (pick) await this.teach(pick);
    };
  }

  private async teach(pick: PickRow): Promise<void> {
    const { db, learned, logger } = this.deps;
    const policy = await this.deps.policyFor(pick.workspace_id);
    if (policy.learning === "off") return;
    const byArticle = await db.query<{ article_key: string; contacts: number }>(
      "SELECT article_key, count(DISTINCT contact_key)::int AS contacts FROM customer_picks WHERE workspace_id = $1 AND question_key = $2 AND status = 'confirmed' GROUP BY article_key",
      [pick.workspace_id, pick.question_key],
    );
    const all = byArticle.reduce((sum, row) => sum + row.contacts, 0);
    // Customers who confirm different articles for the same question do not agree on any: what
    // they taught before, while they seemed to agree, is no longer used.
    const agreed = (contacts: number) => contacts >= CUSTOMERS_AGREEING && contacts > AGREEMENT * all;
    for (const row of byArticle) if (!agreed(row.contacts)) await learned.retract(pick.workspace_id, row.article_key, pick.question_key);
    const contacts = byArticle.find((row) => row.article_key === pick.article_key)?.contacts ?? 0;
    if (!agreed(contacts)) return;
    const against = await learned.notHelpedCount(pick.workspace_id, pick.article_key, pick.question);
    if (against >= contacts) {
      logger.info({ workspaceId: pick.workspace_id, articleKey: pick.article_key, confirmed: contacts, notHelped: against }, "customers disagree about an article for a question; nothing learned");
      return;
    }
    if (await learned.knows(pick.workspace_id, pick.article_key, pick.question_key)) return;
    const now = this.now();
    const day = now.toISOString().slice(0, 10);
    const slot = await this.takeSlot(pick, policy.customer_learned_per_article_per_day, day);
    if (slot === undefined) {
      logger.info({ workspaceId: pick.workspace_id, articleKey: pick.article_key }, "daily cap of questions learned from customers reached for an article; tried again tomorrow");
      const tomorrow = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
      // One try a day per question and article, whichever of its picks asks first.
      await this.deps.queue.enqueue({ workspaceId: pick.workspace_id, kind: HELD_BACK_JOB, dedupeKey: `${pick.article_key}:${pick.question_key}:${day}`, payload: { pickId: pick.id }, runAfterMs: tomorrow - now.getTime() });
      return;
    }
    const fresh = await learned.learn({ workspaceId: pick.workspace_id, articleKey: pick.article_key, questions: [pick.question], source: "customers", mode: policy.learning });
    // Another confirmation learned it first: the slot goes back.
    if (!fresh) await db.query("DELETE FROM customer_learning_slots WHERE workspace_id = $1 AND article_key = $2 AND day = $3::date AND slot = $4", [pick.workspace_id, pick.article_key, day, slot]);
  }

  /** A free number among the day's `cap` for the article, or none when the cap is reached. */
  private async takeSlot(pick: PickRow, cap: number, day: string): Promise<number | undefined> {
    for (let slot = 1; slot <= cap; slot++) {
      const [taken] = await this.deps.db.query(
        "INSERT INTO customer_learning_slots (workspace_id, article_key, day, slot, question_key) VALUES ($1, $2, $3::date, $4, $5) ON CONFLICT DO NOTHING RETURNING slot",
        [pick.workspace_id, pick.article_key, day, slot, pick.question_key],
      );
      if (taken) return slot;
    }
    return undefined;
  }
}
