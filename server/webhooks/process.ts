// Processing a webhook notification, as a durable job (it was written before Intercom got its 200).
//
// - conversation.user.created / .user.replied: unless a person has taken over, the assistant
//   decides; in agent-suggestion mode its suggestion is posted as an internal note, in auto-reply
//   mode it answers as the bot or hands over (assignment, note, transition message).
// - conversation.admin.replied / .admin.assigned by a teammate (not by the app itself): a person
//   has taken over, so the assistant stays quiet from then on; a teammate's reply that links a
//   Help Center article teaches the assistant the customer's questions (server/learning).
// - conversation_part.tag.created: a routing rule on that tag assigns the conversation.
// - conversation.admin.closed, conversation.rating.added: recorded for the metrics.
// - article.* and help_center.* topics: the Help Center changed; a re-sync is scheduled.
// Anything else is acknowledged and ignored.
import type { IntercomClient } from "intercom-client";
import { respond, type AssistantDeps, type Decision, type Source } from "../assistant/assistant.ts";
import type { AssistantPolicy } from "../assistant/policy.ts";
import { customerProfile } from "../assistant/context.ts";
import { translator, type Translator } from "../i18n/catalog.ts";
import { chooseLanguage } from "../i18n/language.ts";
import { HANDOFF_JOB, classifyIntercomError } from "../handoff/handoff.ts";
import { handoffPayload } from "../handoff/escalations.ts";
import type { BotIdentity } from "../intercom/bot-identity.ts";
import { historyFromConversation, type CustomerDirectory } from "../intercom/directory.ts";
import { WebhookNotification } from "../intercom/webhook.ts";
import type { HelpCenterFreshness } from "../knowledge/freshness.ts";
import { htmlToText } from "../knowledge/html-text.ts";
import { decisionEvent } from "../metrics/decision-events.ts";
import type { LearnedQuestions } from "../learning/learned-questions.ts";
import { learnFromTeammateReply } from "../learning/teammate-replies.ts";
import type { EventKind, EventSink } from "../metrics/events.ts";
import type { Logger } from "../logger.ts";
import { markdownToHtml } from "../markdown.ts";
import type { Database } from "../storage/database.ts";
import type { JobHandler, JobQueue } from "../storage/queue.ts";
import { ruleTeam } from "../handoff/routing.ts";
import { WebhookConversation, customerMessage, latestPart } from "./conversation.ts";

export const WEBHOOK_JOB = "webhook";
/** How much of a teammate's reply is kept beside a content gap: enough for a draft article. */
const REPLY_KEPT_CHARS = 2000;

export interface WebhookDeps {
  assistant: AssistantDeps;
  clientFor(workspaceId: string): IntercomClient | undefined;
  directoryFor(workspaceId: string): CustomerDirectory | undefined;
  bot: BotIdentity;
  queue: JobQueue;
  db: Database;
  logger: Logger;
  freshness: Pick<HelpCenterFreshness, "changed" | "traffic">;
  events?: EventSink;
  /** Where what the team teaches is kept (server/learning); without it nothing is learned. */
  learned?: LearnedQuestions;
}

/** The customer's messages before a teammate's reply, from Intercom's full conversation when it can be read. */
async function questionsBefore(deps: WebhookDeps, workspaceId: string, conversation: WebhookConversation): Promise<string[]> {
  const lines = (await deps.directoryFor(workspaceId)?.conversationHistory(conversation.id).catch(() => undefined)) ?? historyFromConversation(conversation);
  let end = lines.length;
  while (end > 0 && lines[end - 1]!.role !== "customer") end--;
  return lines.slice(0, end).filter((line) => line.role === "customer").map((line) => line.text);
}


function suggestionNote(decision: Decision): string {
  const sources = "sources" in decision ? decision.sources : decision.action === "clarify" || decision.action === "offer_choice" ? decision.options : [];
  const links = sources.map((source) => `- [${source.title}](${source.url ?? ""}) (match ${Math.round(source.confidence * 100)}%)`).join("\n");
  switch (decision.action) {
    case "answer":
      return `**Suggested reply** (intent ${decision.intent}, confidence ${Math.round(decision.confidence * 100)}%):\n\n${decision.text}\n\n**Sources**\n${links}`;
    case "escalate":
      return `**The assistant would hand this over**: ${decision.reason.replace(/_/g, " ")} (${decision.detail}), priority ${decision.priority}.${links ? `\n\n**Articles consulted**\n${links}` : ""}`;
    case "clarify":
      return `**The assistant would ask for more detail.**${links ? ` Possible topics:\n${links}` : ""}`;
    case "offer_choice":
      return `**The assistant is not sure enough to answer** and would ask the customer which of these articles fits:\n${links}`;
    case "acknowledge_feedback":
      return `**Feedback from the customer** (${decision.positive ? "positive" : "negative"}).`;
  }
}

/** The articles as a markdown list of links (those without a url are left out). */
const articleLinks = (sources: Source[]) => sources.flatMap((source) => (source.url ? [`- [${source.title}](${source.url})`] : [])).join("\n");

function customerReply(decision: Exclude<Decision, { action: "escalate" }>, name: string | undefined, t: Translator): string | undefined {
  switch (decision.action) {
    case "answer": {
      const links = articleLinks(decision.sources);
      const text = decision.answeredBy === "extractive" ? t("answer_extractive", { name, title: decision.sources[0]?.title, answer: decision.text }) : decision.text;
      return links ? `${text}\n\n**${t("helpful_articles")}**\n${links}` : text;
    }
    case "clarify":
      return t("clarify", { name, hasOptions: "no" });
    case "offer_choice":
      return `${t("choice", { name, count: decision.options.length })}\n\n${articleLinks(decision.options)}`;
    case "acknowledge_feedback":
      return decision.positive ? t("feedback_positive", { name }) : undefined;
  }
}

/** The language Intercom knows for a contact: the one set for them, or their browser's. */
function contactLocale(contact: Record<string, unknown> | undefined): string | undefined {
  const set = contact?.language_override ?? contact?.browser_language;
  return typeof set === "string" ? set : undefined;
}

async function humanHasTakenOver(db: Database, workspaceId: string, conversationId: string): Promise<boolean> {
  const [row] = await db.query<{ human_took_over_at: Date | null }>("SELECT human_took_over_at FROM conversations WHERE workspace_id = $1 AND conversation_id = $2", [workspaceId, conversationId]);
  return Boolean(row?.human_took_over_at);
}

/** Notes that a teammate has taken the conversation over; the assistant stays quiet from then on. */
async function markTakenOver(db: Database, workspaceId: string, conversationId: string) {
  await db.query(
    `INSERT INTO conversations (workspace_id, conversation_id, human_took_over_at) VALUES ($1, $2, now())
     ON CONFLICT (workspace_id, conversation_id) DO UPDATE SET human_took_over_at = COALESCE(conversations.human_took_over_at, now())`,
    [workspaceId, conversationId],
  );
}

async function markClosed(db: Database, workspaceId: string, conversationId: string) {
  await db.query(
    `INSERT INTO conversations (workspace_id, conversation_id, closed_at) VALUES ($1, $2, now())
     ON CONFLICT (workspace_id, conversation_id) DO UPDATE SET closed_at = now()`,
    [workspaceId, conversationId],
  );
}

async function saveRating(db: Database, workspaceId: string, conversationId: string, rating: number, remark: string | null) {
  await db.query(
    `INSERT INTO conversations (workspace_id, conversation_id, rating, rating_remark) VALUES ($1, $2, $3, $4)
     ON CONFLICT (workspace_id, conversation_id) DO UPDATE SET rating = $3, rating_remark = $4`,
    [workspaceId, conversationId, rating, remark],
  );
}

export function webhookHandler(deps: WebhookDeps): JobHandler {
  return async (job, { saveProgress }) => {
    const notification = WebhookNotification.parse(job.payload);
    const workspaceId = job.workspace_id;
    const topic = notification.topic;

    if (topic.startsWith("article.") || topic.startsWith("help_center")) {
      deps.freshness.changed(workspaceId);
      return;
    }
    if (!topic.startsWith("conversation")) return;
    const parsed = WebhookConversation.safeParse(notification.data.item);
    if (!parsed.success) {
      deps.logger.warn({ topic, id: notification.id }, "conversation webhook without a readable conversation; ignored");
      return;
    }
    const conversation = parsed.data;
    const client = deps.clientFor(workspaceId);
    const policy = await deps.assistant.settings.policyFor(workspaceId);
    const note = (kind: EventKind, data: Record<string, unknown> = {}) =>
      deps.events?.record({ workspaceId, conversationKey: conversation.id, kind, data, dedupeKey: `${notification.id}:${kind}` });

    try {
      switch (topic) {
        case "conversation.admin.replied":
        case "conversation.admin.assigned": {
          const author = latestPart(conversation)?.author;
          const botId = client ? await deps.bot.adminId(workspaceId, client) : undefined;
          if (author?.type === "admin" && author.id && author.id !== botId) {
            await markTakenOver(deps.db, workspaceId, conversation.id);
            if (topic === "conversation.admin.replied") {
              const body = latestPart(conversation)?.body ?? "";
              if (!deps.learned) return void (await note("admin_reply"));
              const reply = { workspaceId, conversationId: conversation.id, body, customerQuestions: await questionsBefore(deps, workspaceId, conversation) };
              const lesson = await learnFromTeammateReply(reply, { knowledge: deps.assistant.knowledge, learned: deps.learned, db: deps.db, mode: policy.learning });
              // A reply that links no article is an answer the Help Center lacks: kept for the content gaps and drafts.
              await note("admin_reply", lesson.linkedArticles.length ? { linked_articles: lesson.linkedArticles } : { reply: htmlToText(body).slice(0, REPLY_KEPT_CHARS) });
            }
          }
          return;
        }
        case "conversation.admin.closed":
          await markClosed(deps.db, workspaceId, conversation.id);
          await note("closed");
          return;
        case "conversation.rating.added": {
          const rating = conversation.conversation_rating?.rating;
          if (typeof rating === "number") {
            await saveRating(deps.db, workspaceId, conversation.id, rating, conversation.conversation_rating?.remark ?? null);
            await note("rating", { rating });
          }
          return;
        }
        case "conversation_part.tag.created": {
          if (!client) return;
          const tags = (conversation.tags?.tags ?? []).map((tag) => tag.name);
          const tagRules = policy.routing.rules.filter((rule) => rule.when.tag);
          const team = ruleTeam(tagRules, { intent: "", reason: "", priority: "", segments: [], tags });
          if (!team || team === conversation.team_assignee_id) return;
          const adminId = await deps.bot.adminId(workspaceId, client);
          await client.conversations.manage({ conversation_id: conversation.id, body: { message_type: "assignment", type: "team", admin_id: adminId, assignee_id: team } });
          return;
        }
        case "conversation.user.created":
        case "conversation.user.replied":
          deps.freshness.traffic(workspaceId);
          await note("customer_message");
          await answerCustomer(deps, workspaceId, policy, conversation, client, job.progress, saveProgress, note);
          return;
        default:
          return;
      }
    } catch (error) {
      throw classifyIntercomError(error);
    }
  };
}

async function answerCustomer(
  deps: WebhookDeps,
  workspaceId: string,
  policy: AssistantPolicy,
  conversation: WebhookConversation,
  client: IntercomClient | undefined,
  progress: Record<string, unknown>,
  saveProgress: (progress: Record<string, unknown>) => Promise<void>,
  note: (kind: EventKind, data?: Record<string, unknown>) => Promise<void> | undefined,
) {
  if (!client || progress.done) return;
  if (await humanHasTakenOver(deps.db, workspaceId, conversation.id)) return;
  const incoming = customerMessage(conversation);
  if (!incoming) return;

  const contactRef = conversation.contacts?.contacts[0];
  const known = contactRef ? await deps.directoryFor(workspaceId)?.contact(contactRef.id).catch(() => undefined) : undefined;
  const contact = known ?? (contactRef ? { id: contactRef.id } : undefined);
  const customer = customerProfile(contact);
  // The customer's language: their message's when it is clear, else the language Intercom knows for them.
  const language = chooseLanguage({ message: incoming.text, locale: contactLocale(contact) });
  const t = translator(language);
  const turn = incoming.history.filter((line) => line.role === "customer").length + 1;
  const decision = await respond(
    {
      workspaceId,
      message: incoming.text,
      history: incoming.history,
      previousSentiments: [],
      turnNumber: turn,
      customer,
      locale: language,
      timeBudgetMs: policy.reply_time_budget_ms,
    },
    deps.assistant,
  );
  const adminId = await deps.bot.adminId(workspaceId, client);
  const autoReply = policy.reply_mode === "auto_reply";
  // Only what the customer saw counts as the assistant's: suggestions to an agent are not replies.
  const event = autoReply ? decisionEvent(decision, incoming.text, turn) : undefined;
  if (event) await note(event.kind, event.data);
  // A suggestion keeps the question and what the assistant made of it: a teammate's answer to it can show a content gap.
  else await note("bot_suggestion", { action: decision.action, question: incoming.text.slice(0, 500), ...(decision.action === "escalate" ? { reason: decision.reason } : {}) });

  if (decision.action === "escalate" && autoReply) {
    await deps.queue.enqueue({
      workspaceId,
      kind: HANDOFF_JOB,
      dedupeKey: `${conversation.id}:webhook:${incoming.history.length}:${decision.reason}`,
      payload: {
        ...handoffPayload({ workspaceId, conversationId: conversation.id, contact, decision, history: incoming.history, lastQuestion: incoming.text, turn: 0, language: t.language }),
        transition: markdownToHtml(t("handoff", { reason: decision.reason, name: customer.firstName, helpCenterName: policy.help_center_name })),
      },
    });
    await saveProgress({ done: true });
    return;
  }
  const reply = !autoReply ? suggestionNote(decision) : decision.action === "escalate" ? undefined : customerReply(decision, customer.firstName, t);
  if (!reply) return;
  await client.conversations.reply({
    conversation_id: conversation.id,
    body: { message_type: autoReply ? "comment" : "note", type: "admin", admin_id: adminId, body: markdownToHtml(reply) },
  });
  await saveProgress({ done: true });
}
