// Learned questions: a customer's question that the team answered with an article becomes a way
// to that article for the next customer who asks it in other words. Stored per workspace in the
// database (what was learned, from where, when, how often used since) and indexed in Chroma as a
// record of its own, so every instance finds the article through it within seconds.
import { z } from "zod";
import type { LearnedFrom, LearnedQuestionIndex } from "../knowledge/knowledge-base.ts";
import { terms, wordingOverlap } from "../knowledge/text-analysis.ts";
import type { Logger } from "../logger.ts";
import type { Database } from "../storage/database.ts";
import { ReadCache } from "../storage/read-cache.ts";

/** How many different conversations must agree before customers' signals teach a question. */
export const CUSTOMERS_AGREEING = 2;

/** The newest "did not help" signals a search looks through. */
const MAX_NOT_HELPED = 2000;

/** A learned question is a question, not an essay: longer messages are cut to this. */
const MAX_QUESTION = 300;
/** Most questions kept per article, so one busy article cannot crowd the index. */
export const MAX_PER_ARTICLE = 50;

export const LearningMode = z.enum(["on", "review", "off"]);
export type LearningMode = z.infer<typeof LearningMode>;

/** Who taught a question; "model": the workspace's chat model reworded a taught one (paraphrases.ts). */
export type LearnedSource = LearnedFrom | "model";

export interface LearnedQuestion {
  id: string;
  articleKey: string;
  question: string;
  source: LearnedSource;
  conversationId: string | null;
  status: "active" | "pending" | "removed";
  uses: number;
  learnedAt: Date;
  /** Contacts who picked the article for this question from a choice and asked for no more help. */
  confirmedBy: number;
  /** For a model's rewording: the question it rewords. */
  paraphraseOf: string | null;
}

/** A question people taught, now in use: what the model is asked to reword. */
export interface TaughtQuestion {
  id: string;
  articleKey: string;
  question: string;
  source: LearnedFrom;
}

/** Near-identical questions ("How do I reset my password?", "how to reset password") share a key. */
export const questionKey = (question: string) => [...new Set(terms(question))].sort().join(" ");

/** Whether two messages ask the same thing in nearly the same words (their terms overlap by 80% or more). */
export const sameQuestion = (a: string, b: string): boolean => wordingOverlap(a, b) >= 0.8;

/** Everything a workspace learned, newest first (the report and `npm run report` read it). */
export async function learnedQuestionsOf(db: Database, workspaceId: string): Promise<LearnedQuestion[]> {
  const rows = await db.query<{ id: string; article_key: string; question: string; source: LearnedSource; conversation_id: string | null; status: LearnedQuestion["status"]; uses: number; learned_at: Date; confirmed_by: number; paraphrase_of: string | null }>(
    `SELECT l.id::text, l.article_key, l.question, l.source, l.conversation_id, l.status, l.uses, l.learned_at,
            (SELECT o.question FROM learned_questions o WHERE o.id = l.paraphrase_of) AS paraphrase_of,
            (SELECT count(DISTINCT p.contact_key)::int FROM customer_picks p
              WHERE p.workspace_id = l.workspace_id AND p.article_key = l.article_key AND p.question_key = l.question_key AND p.status = 'confirmed') AS confirmed_by
       FROM learned_questions l WHERE l.workspace_id = $1 ORDER BY l.learned_at DESC, l.id DESC`,
    [workspaceId],
  );
  return rows.map((row) => ({ id: row.id, articleKey: row.article_key, question: row.question, source: row.source, conversationId: row.conversation_id, status: row.status, uses: row.uses, learnedAt: new Date(row.learned_at), confirmedBy: row.confirmed_by, paraphraseOf: row.paraphrase_of }));
}

export class LearnedQuestions {
  /** Each workspace's newest "did not help" signals, which every card's search looks through. */
  private readonly notHelped = new ReadCache<Array<{ article_key: string; question: string }>>();

  constructor(
    private readonly deps: {
      db: Database;
      index: LearnedQuestionIndex;
      logger: Logger;
      /** Told of every question people taught once it is in use (the model rewords them: paraphrases.ts). */
      onTaught?: (workspaceId: string, questions: TaughtQuestion[]) => Promise<void>;
    },
  ) {}

  /**
   * Learns questions as leading to an article. In "on" mode they are used at once; in "review"
   * they wait for approval; in "off" nothing is learned. A question already known (or removed)
   * for the article is not learned again. Returns how many were new.
   */
  async learn(input: { workspaceId: string; articleKey: string; questions: string[]; source: LearnedFrom; conversationId?: string; mode: LearningMode }): Promise<number> {
    if (input.mode === "off") return 0;
    const { db } = this.deps;
    const [{ held } = { held: 0 }] = await db.query<{ held: number }>(
      "SELECT count(*)::int AS held FROM learned_questions WHERE workspace_id = $1 AND article_key = $2 AND status <> 'removed' AND source <> 'model'",
      [input.workspaceId, input.articleKey],
    );
    const fresh: Array<{ id: string; question: string }> = [];
    for (const raw of input.questions) {
      const question = raw.replace(/\s+/g, " ").trim().slice(0, MAX_QUESTION);
      const key = questionKey(question);
      if (!key || held + fresh.length >= MAX_PER_ARTICLE) continue;
      const [row] = await db.query<{ id: string }>(
        `INSERT INTO learned_questions (workspace_id, article_key, question, question_key, source, conversation_id, status)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (workspace_id, article_key, question_key) DO NOTHING RETURNING id::text`,
        [input.workspaceId, input.articleKey, question, key, input.source, input.conversationId ?? null, input.mode === "on" ? "active" : "pending"],
      );
      if (row) fresh.push({ id: row.id, question });
    }
    if (input.mode === "on") await this.index(input.workspaceId, input.articleKey, fresh, input.source);
    if (fresh.length) this.deps.logger.info({ workspaceId: input.workspaceId, articleKey: input.articleKey, learned: fresh.length, source: input.source, mode: input.mode }, "learned questions");
    return fresh.length;
  }

  /**
   * Learns the model's rewordings of a question people taught, as leading to its article: in use at
   * once in "on" mode, waiting for review in "review" (as the question did). A rewording already
   * known for the article, as a question or another rewording, is not learned again. Returns how
   * many were new.
   */
  async learnParaphrases(input: { workspaceId: string; of: TaughtQuestion; paraphrases: string[]; mode: LearningMode }): Promise<number> {
    if (input.mode === "off") return 0;
    const fresh: Array<{ id: string; question: string }> = [];
    for (const raw of input.paraphrases) {
      const question = raw.replace(/\s+/g, " ").trim().slice(0, MAX_QUESTION);
      const key = questionKey(question);
      if (!key) continue;
      const [row] = await this.deps.db.query<{ id: string }>(
        `INSERT INTO learned_questions (workspace_id, article_key, question, question_key, source, paraphrase_of, status)
         VALUES ($1, $2, $3, $4, 'model', $5::bigint, $6) ON CONFLICT (workspace_id, article_key, question_key) DO NOTHING RETURNING id::text`,
        [input.workspaceId, input.of.articleKey, question, key, input.of.id, input.mode === "on" ? "active" : "pending"],
      );
      if (row) fresh.push({ id: row.id, question });
    }
    if (input.mode === "on") await this.index(input.workspaceId, input.of.articleKey, fresh, input.of.source, input.of.question);
    if (fresh.length) this.deps.logger.info({ workspaceId: input.workspaceId, articleKey: input.of.articleKey, learned: fresh.length, mode: input.mode }, "learned the model's rewordings of a taught question");
    return fresh.length;
  }

  /** A question people taught, if it is still in use. */
  async taught(workspaceId: string, id: string): Promise<TaughtQuestion | undefined> {
    const [row] = await this.deps.db.query<{ id: string; article_key: string; question: string; source: LearnedFrom }>(
      "SELECT id::text, article_key, question, source FROM learned_questions WHERE workspace_id = $1 AND id = $2::bigint AND status = 'active' AND source <> 'model'",
      [workspaceId, id],
    );
    return row && { id: row.id, articleKey: row.article_key, question: row.question, source: row.source };
  }

  /**
   * A customer said an answer from this article helped with this question. One conversation is a
   * hint; when a second one agrees, the question is learned (source "customers").
   */
  async customerSignal(input: { workspaceId: string; articleKey: string; question: string; conversationKey: string; helped: boolean; mode: LearningMode }): Promise<number> {
    if (input.mode === "off") return 0;
    const key = questionKey(input.question);
    if (!key) return 0;
    await this.deps.db.query(
      `INSERT INTO customer_signals (workspace_id, article_key, question_key, question, conversation_key, helped) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT DO NOTHING`,
      [input.workspaceId, input.articleKey, key, input.question.slice(0, MAX_QUESTION), input.conversationKey, input.helped],
    );
    if (!input.helped) {
      this.notHelped.forget(input.workspaceId);
      return 0;
    }
    const [{ agreeing } = { agreeing: 0 }] = await this.deps.db.query<{ agreeing: number }>(
      "SELECT count(*)::int AS agreeing FROM customer_signals WHERE workspace_id = $1 AND article_key = $2 AND question_key = $3 AND helped",
      [input.workspaceId, input.articleKey, key],
    );
    if (agreeing < CUSTOMERS_AGREEING) return 0;
    return this.learn({ workspaceId: input.workspaceId, articleKey: input.articleKey, questions: [input.question], source: "customers", conversationId: input.conversationKey, mode: input.mode });
  }

  /** Counts a learned question's use: its article was shown to a customer after it matched their question. */
  async used(workspaceId: string, articleKey: string, question: string): Promise<void> {
    await this.deps.db.query("UPDATE learned_questions SET uses = uses + 1 WHERE workspace_id = $1 AND article_key = $2 AND question = $3 AND status = 'active'", [workspaceId, articleKey, question]);
  }

  /** Articles customers said did not help with this question, asked in nearly the same words. */
  async notHelpedFor(workspaceId: string, question: string): Promise<Set<string>> {
    const rows = await this.notHelped.get(workspaceId, () =>
      this.deps.db.query<{ article_key: string; question: string }>("SELECT article_key, question FROM customer_signals WHERE workspace_id = $1 AND NOT helped ORDER BY at DESC LIMIT $2", [
        workspaceId,
        MAX_NOT_HELPED,
      ]),
    );
    return new Set(rows.filter((row) => sameQuestion(row.question, question)).map((row) => row.article_key));
  }

  /** Whether the question (by its key) is already known for the article, in use, waiting or removed. */
  async knows(workspaceId: string, articleKey: string, key: string): Promise<boolean> {
    const rows = await this.deps.db.query("SELECT 1 FROM learned_questions WHERE workspace_id = $1 AND article_key = $2 AND question_key = $3", [workspaceId, articleKey, key]);
    return rows.length > 0;
  }

  /** How many conversations said this article did not help with this question, asked in nearly the same words. */
  async notHelpedCount(workspaceId: string, articleKey: string, question: string): Promise<number> {
    const rows = await this.deps.db.query<{ question: string; conversation_key: string }>(
      "SELECT question, conversation_key FROM customer_signals WHERE workspace_id = $1 AND article_key = $2 AND NOT helped",
      [workspaceId, articleKey],
    );
    return new Set(rows.filter((row) => sameQuestion(row.question, question)).map((row) => row.conversation_key)).size;
  }

  private async index(workspaceId: string, articleKey: string, questions: Array<{ id: string; question: string }>, source: LearnedFrom, paraphraseOf?: string) {
    if (questions.length === 0) return;
    const recordIds = await this.deps.index.addLearnedQuestions(workspaceId, articleKey, questions.map((q) => q.question), source, paraphraseOf);
    if (!recordIds) {
      // The article left the Help Center in the meantime: nothing to lead to.
      await this.deps.db.query("UPDATE learned_questions SET status = 'removed' WHERE id = ANY($1::bigint[])", [questions.map((q) => q.id)]);
      return;
    }
    for (const [i, { id }] of questions.entries()) {
      await this.deps.db.query("UPDATE learned_questions SET record_id = $2, status = 'active' WHERE id = $1", [id, recordIds[i]]);
    }
    if (!paraphraseOf) await this.deps.onTaught?.(workspaceId, questions.map(({ id, question }) => ({ id, articleKey, question, source })));
  }

  list(workspaceId: string): Promise<LearnedQuestion[]> {
    return learnedQuestionsOf(this.deps.db, workspaceId);
  }

  /** Stops using a learned question (and the model's rewordings of it), and never learns it again for that article. */
  async remove(workspaceId: string, id: string): Promise<boolean> {
    const rows = await this.deps.db.query<{ id: string; record_id: string | null }>(
      "UPDATE learned_questions SET status = 'removed' WHERE workspace_id = $1 AND (id = $2::bigint OR paraphrase_of = $2::bigint) AND status <> 'removed' RETURNING id::text, record_id",
      [workspaceId, id],
    );
    if (!rows.some((row) => row.id === id)) return false;
    const records = rows.flatMap((row) => (row.record_id ? [row.record_id] : []));
    if (records.length) await this.deps.index.removeLearnedQuestions(workspaceId, records);
    return true;
  }

  /**
   * Stops using questions customers taught for an article once they no longer agree on it; unlike
   * a removal, the question may be learned again if they come to agree.
   */
  async retract(workspaceId: string, articleKey: string, key: string): Promise<number> {
    const rows = await this.deps.db.query<{ record_id: string | null }>(
      `WITH retracted AS (
         DELETE FROM learned_questions WHERE workspace_id = $1 AND article_key = $2 AND question_key = $3 AND source = 'customers' AND status <> 'removed' RETURNING id, record_id
       ), rewordings AS (
         DELETE FROM learned_questions WHERE workspace_id = $1 AND paraphrase_of IN (SELECT id FROM retracted) RETURNING record_id
       )
       SELECT record_id FROM retracted UNION ALL SELECT record_id FROM rewordings`,
      [workspaceId, articleKey, key],
    );
    const records = rows.flatMap((row) => (row.record_id ? [row.record_id] : []));
    if (records.length) await this.deps.index.removeLearnedQuestions(workspaceId, records);
    if (rows.length) this.deps.logger.info({ workspaceId, articleKey, retracted: rows.length }, "customers no longer agree on an article for a question; stopped using it");
    return rows.length;
  }

  /** Puts a question waiting for review to use (a model's rewording: once the question it rewords is in use). */
  async approve(workspaceId: string, id: string): Promise<boolean> {
    const [row] = await this.deps.db.query<{ id: string; article_key: string; question: string; source: LearnedSource; of_question: string | null; of_source: LearnedFrom | null; of_status: string | null }>(
      `SELECT l.id::text, l.article_key, l.question, l.source, o.question AS of_question, o.source AS of_source, o.status AS of_status
         FROM learned_questions l LEFT JOIN learned_questions o ON o.id = l.paraphrase_of
        WHERE l.workspace_id = $1 AND l.id = $2::bigint AND l.status = 'pending'`,
      [workspaceId, id],
    );
    if (!row) return false;
    if (row.source === "model") {
      if (row.of_status !== "active") return false;
      await this.index(workspaceId, row.article_key, [{ id: row.id, question: row.question }], row.of_source!, row.of_question!);
    } else {
      await this.index(workspaceId, row.article_key, [{ id: row.id, question: row.question }], row.source);
    }
    return true;
  }
}
