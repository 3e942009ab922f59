// Content gaps become draft articles in Intercom. An admin picks a topic in the report; the draft
// is written from the customers' questions and the teammates' replies to them (by the model when
// one is configured, otherwise as the grouped questions and replies themselves), checked against
// the Help Center's articles and the drafts already made, and created in Intercom as a draft by
// the app's admin. The app never publishes: a teammate edits and publishes it in Intercom.
import type { IntercomClient } from "intercom-client";
import { z } from "zod";
import { scorerOf } from "../answer-decision/model.ts";
import type { DecisionModels } from "../assistant/assistant.ts";
import type { ChatModel } from "../assistant/chat-model.ts";
import { jsonIn } from "../assistant/classifier.ts";
import type { AssistantPolicy, PolicySource } from "../assistant/policy.ts";
import type { BotIdentity } from "../intercom/bot-identity.ts";
import type { KnowledgeBase } from "../knowledge/knowledge-base.ts";
import { sameQuestion } from "../learning/learned-questions.ts";
import type { Logger } from "../logger.ts";
import { markdownToHtml } from "../markdown.ts";
import type { ContentGap } from "../metrics/report.ts";
import { prompts } from "../prompts.ts";
import type { Database } from "../storage/database.ts";

export interface ArticleDraft {
  title: string;
  /** Markdown. */
  body: string;
  /** "model": written by the LLM from the replies; "teammates": the questions and replies as they are. */
  writtenBy: "model" | "teammates";
}

export interface CreatedDraft {
  topic: string;
  title: string;
  intercomArticleId: string;
  writtenBy: ArticleDraft["writtenBy"];
  createdAt: Date;
}

export type DraftOutcome =
  | { status: "created"; draft: CreatedDraft }
  /** This topic, or one with the same title, was drafted already. */
  | { status: "already_drafted"; draft: CreatedDraft }
  /** The Help Center answers it now: an article was published since the questions were asked. */
  | { status: "covered"; article: { title: string; url?: string } }
  | { status: "not_connected" };

/** A model's draft takes longer than a card: a person is waiting on a page, not in the Messenger. */
const DRAFT_TIME_BUDGET_MS = 30_000;

const ModelDraft = z.object({ title: z.string().trim().min(3).max(150), body: z.string().trim().min(20).max(8000) });

const asTitle = (question: string) => {
  const text = question.trim().replace(/\s+/g, " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
};

/** The draft without a model: the questions customers asked, and how teammates answered them. */
export function draftFromReplies(gap: ContentGap): ArticleDraft {
  const questions = [...new Set([...gap.examples, ...gap.answers.map((answer) => answer.question)])];
  const replies = gap.answers.map((answer) => `> ${answer.reply.replace(/\n/g, "\n> ")}`);
  const body = [
    `Customers asked (${gap.count} ${gap.count === 1 ? "time" : "times"} in the period):`,
    questions.map((question) => `- “${question}”`).join("\n"),
    replies.length ? `How the team answered:\n\n${replies.join("\n\n")}` : "No teammate has answered these in the chat yet.",
  ].join("\n\n");
  return { title: asTitle(gap.answers[0]?.question ?? gap.examples[0] ?? gap.topic), body, writtenBy: "teammates" };
}

export async function writeDraft(gap: ContentGap, deps: { model?: ChatModel; policy: AssistantPolicy; logger: Logger }): Promise<ArticleDraft> {
  // With no teammate's reply there is nothing true to write from: the questions are the draft.
  if (!deps.model || gap.answers.length === 0) return draftFromReplies(gap);
  const prompt = prompts.draftArticle({ companyName: deps.policy.company_name, helpCenterName: deps.policy.help_center_name, tone: deps.policy.tone, questions: gap.examples, answers: gap.answers });
  try {
    const reply = await deps.model.complete([{ role: "user", content: prompt }], { json: true, maxTokens: 900, signal: AbortSignal.timeout(DRAFT_TIME_BUDGET_MS) });
    const parsed = ModelDraft.safeParse(jsonIn(reply));
    if (parsed.success) return { ...parsed.data, writtenBy: "model" };
    deps.logger.warn({ topic: gap.topic }, "the model's draft article was not usable; drafting from the replies");
  } catch (error) {
    deps.logger.warn({ err: error, topic: gap.topic }, "the model could not draft the article; drafting from the replies");
  }
  return draftFromReplies(gap);
}

interface DraftRow {
  topic: string;
  title: string;
  intercom_article_id: string;
  written_by: ArticleDraft["writtenBy"];
  created_at: Date;
}
const toDraft = (row: DraftRow): CreatedDraft => ({ topic: row.topic, title: row.title, intercomArticleId: row.intercom_article_id, writtenBy: row.written_by, createdAt: new Date(row.created_at) });

/** Drafts created in Intercom for the workspace, newest first (a claim still being created is left out). */
export async function createdDraftsOf(db: Database, workspaceId: string): Promise<CreatedDraft[]> {
  const rows = await db.query<DraftRow>("SELECT topic, title, intercom_article_id, written_by, created_at FROM article_drafts WHERE workspace_id = $1 AND intercom_article_id <> '' ORDER BY created_at DESC, id DESC", [workspaceId]);
  return rows.map(toDraft);
}

export interface ArticleDraftsDeps {
  db: Database;
  knowledge: KnowledgeBase;
  calibrations: DecisionModels;
  clientFor(workspaceId: string): IntercomClient | undefined;
  bot: BotIdentity;
  settings: PolicySource;
  logger: Logger;
  model?: ChatModel;
}

export class ArticleDrafts {
  constructor(private readonly deps: ArticleDraftsDeps) {}

  list(workspaceId: string): Promise<CreatedDraft[]> {
    return createdDraftsOf(this.deps.db, workspaceId);
  }

  async create(workspaceId: string, gap: ContentGap): Promise<DraftOutcome> {
    const drafted = (await this.list(workspaceId)).find((draft) => draft.topic === gap.topic);
    if (drafted) return { status: "already_drafted", draft: drafted };
    const client = this.deps.clientFor(workspaceId);
    if (!client) return { status: "not_connected" };
    const covered = await this.coveringArticle(workspaceId, gap.examples);
    if (covered) return { status: "covered", article: covered };

    const draft = await writeDraft(gap, { ...this.deps, policy: await this.deps.settings.policyFor(workspaceId) });
    const sameTitle = (await this.list(workspaceId)).find((existing) => sameQuestion(existing.title, draft.title));
    if (sameTitle) return { status: "already_drafted", draft: sameTitle };
    const coveredByTitle = await this.coveringArticle(workspaceId, [draft.title]);
    if (coveredByTitle) return { status: "covered", article: coveredByTitle };

    // The topic is claimed before Intercom is called, so two admins clicking at once make one draft.
    const [claimed] = await this.deps.db.query<{ id: string }>(
      "INSERT INTO article_drafts (workspace_id, topic, title, intercom_article_id, written_by) VALUES ($1, $2, $3, '', $4) ON CONFLICT (workspace_id, topic) DO NOTHING RETURNING id",
      [workspaceId, gap.topic, draft.title, draft.writtenBy],
    );
    if (!claimed) {
      const other = (await this.list(workspaceId)).find((existing) => existing.topic === gap.topic);
      if (other) return { status: "already_drafted", draft: other };
      throw new Error("this topic's draft is being created");
    }
    try {
      const adminId = await this.deps.bot.adminId(workspaceId, client);
      const article = await client.articles.create({ title: draft.title, body: markdownToHtml(draft.body), author_id: Number(adminId), state: "draft" });
      const [row] = await this.deps.db.query<DraftRow>(
        "UPDATE article_drafts SET intercom_article_id = $2, created_at = now() WHERE id = $1 RETURNING topic, title, intercom_article_id, written_by, created_at",
        [claimed.id, String(article.id)],
      );
      this.deps.logger.info({ workspaceId, topic: gap.topic, articleId: article.id, writtenBy: draft.writtenBy }, "draft article created in Intercom");
      return { status: "created", draft: toDraft(row!) };
    } catch (error) {
      await this.deps.db.query("DELETE FROM article_drafts WHERE id = $1", [claimed.id]);
      throw error;
    }
  }

  /** An article the assistant would now answer any of these questions from, if there is one. */
  private async coveringArticle(workspaceId: string, questions: string[]): Promise<{ title: string; url?: string } | undefined> {
    const model = await this.deps.calibrations.modelFor(workspaceId);
    const results = await this.deps.knowledge.searchMany(workspaceId, questions.map((query) => ({ query })), { topK: 1, scorer: scorerOf(model) });
    const best = results.flatMap((passages) => passages.slice(0, 1)).find((passage) => passage.confidence >= model.thresholds.answer);
    return best ? { title: best.title, ...(best.url ? { url: best.url } : {}) } : undefined;
  }
}
