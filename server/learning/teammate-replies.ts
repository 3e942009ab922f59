// The strongest lesson: a teammate answers a customer's question with a link to one of the
// workspace's own Help Center articles. The customer's questions before that reply become learned
// questions of the article, at once (a teammate's link is trusted), when the assistant had a part
// in the conversation (answered, offered articles or handed over), or when the conversation is
// from the team's history, read at install (server/learning/backfill.ts), where it had none.
import type { KnowledgeBase } from "../knowledge/knowledge-base.ts";
import type { Database } from "../storage/database.ts";
import type { LearnedQuestions, LearningMode } from "./learned-questions.ts";

/** Kinds of event that say the assistant took part in a conversation. */
const ASSISTANT_EVENTS = ["bot_answer", "bot_clarify", "bot_choice", "escalation", "bot_suggestion"];

/**
 * What names an article's page whatever its locale or slug: the host and Intercom's article id
 * (`https://<help center>/<locale>/articles/<id>-<slug>`), or for other pages the host and path.
 */
export function articlePage(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url.replaceAll("&amp;", "&"));
  } catch {
    return undefined;
  }
  const id = /\/articles\/(\d+)(?:-|\/|$)/.exec(parsed.pathname)?.[1];
  return id ? `${parsed.host}#${id}` : `${parsed.host}${parsed.pathname.replace(/\/+$/, "")}`;
}

/** The pages a reply links to, as `articlePage` names them. */
export function linkedPages(html: string): string[] {
  return [...new Set([...html.matchAll(/https?:\/\/[^\s"'<>]+/g)].flatMap(([url]) => articlePage(url) ?? []))];
}

export interface TeammateReply {
  workspaceId: string;
  conversationId: string;
  /** The reply's HTML body. */
  body: string;
  /** What the customer asked before the reply, oldest first. */
  customerQuestions: string[];
}

/** Most questions taken from one conversation: the ones just before the reply. */
const QUESTIONS_PER_REPLY = 3;

/** What a teammate's reply did: the workspace's articles it links (none: an answer the Help Center lacks), and how many questions it taught. */
export interface ReplyLesson {
  linkedArticles: string[];
  learned: number;
}

export async function learnFromTeammateReply(
  reply: TeammateReply,
  deps: { knowledge: Pick<KnowledgeBase, "articles">; learned: LearnedQuestions; db: Database; mode: LearningMode; fromHistory?: boolean },
): Promise<ReplyLesson> {
  const links = linkedPages(reply.body);
  const articles = links.length ? await deps.knowledge.articles(reply.workspaceId) : [];
  // Every locale of an article is the same page; the default locale's version is the one learned.
  const linked = links.flatMap((link) => {
    const matches = articles.filter((article) => article.url && articlePage(article.url) === link);
    const article = matches.find((candidate) => !candidate.articleKey.includes("@")) ?? matches[0];
    return article ? [article.articleKey] : [];
  });
  const lesson = { linkedArticles: linked, learned: 0 };
  if (deps.mode === "off" || reply.customerQuestions.length === 0 || linked.length === 0) return lesson;
  if (!deps.fromHistory) {
    const [tookPart] = await deps.db.query("SELECT 1 FROM events WHERE workspace_id = $1 AND conversation_key = $2 AND kind = ANY($3::text[]) LIMIT 1", [reply.workspaceId, reply.conversationId, ASSISTANT_EVENTS]);
    if (!tookPart) return lesson;
  }
  for (const articleKey of linked) {
    lesson.learned += await deps.learned.learn({
      workspaceId: reply.workspaceId,
      articleKey,
      questions: reply.customerQuestions.slice(-QUESTIONS_PER_REPLY),
      source: "teammate",
      conversationId: reply.conversationId,
      mode: deps.mode,
    });
  }
  return lesson;
}
