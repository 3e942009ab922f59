// Inbox app for teammates, in the conversation details panel: what the assistant would do with the
// customer's last message (intent, suggested reply with its sources and confidence, whether the
// policy would hand over and why), plus a Help Center search.
import { InboxIds, inboxCard, type InboxView, type InboxWords } from "../../canvas/admin-cards.ts";
import { translatorForLocale, type Translator } from "../i18n/catalog.ts";
import type { InboxInitializeRequest, InboxSubmitRequest } from "../../canvas/requests.ts";
import type { CanvasResponse } from "../../canvas/responses.ts";
import type { CalibrationModel } from "../answer-decision/model.ts";
import { respond, type AssistantDeps, type Decision, type Source } from "../assistant/assistant.ts";
import { customerProfile } from "../assistant/context.ts";
import { htmlToText } from "../knowledge/html-text.ts";
import type { ConversationFigures } from "../metrics/report.ts";

type Request = InboxInitializeRequest | InboxSubmitRequest;

export interface InboxExtras {
  /** Syncs the workspace's Help Center (and refits its answer decisions) for "Sync now". */
  sync: (workspaceId: string) => Promise<unknown>;
  /** The metrics of a conversation, when the app records them. */
  figuresFor?: (workspaceId: string, conversationId: string) => Promise<ConversationFigures | undefined>;
  /** The admin console's address (behind the public URL). */
  consoleUrl?: string;
}

/** The conversation's metrics as rows for the agent: turns, confidence, and why it was handed over. */
async function historyOf(request: Request, extras: InboxExtras, t: Translator): Promise<Array<[string, string]> | undefined> {
  const id = request.conversation?.id;
  const figures = id ? await extras.figuresFor?.(request.workspace_id, id).catch(() => undefined) : undefined;
  if (!figures) return undefined;
  const rows: Array<[string, string]> = [
    [t("inbox_history_customer"), String(figures.customerMessages)],
    [t("inbox_history_replies"), String(figures.botMessages)],
  ];
  if (figures.meanConfidence !== undefined) rows.push([t("inbox_history_confidence"), `${Math.round(figures.meanConfidence * 100)}%`]);
  rows.push([t("inbox_history_handed"), figures.escalation ? t("inbox_history_handed_yes", { reason: figures.escalation.reason.replace(/_/g, " "), turn: figures.escalation.turn }) : t("inbox_history_handed_no")]);
  if (figures.helpfulClicks || figures.moreHelpClicks) rows.push([t("inbox_history_feedback"), t("inbox_history_feedback_value", { helped: figures.helpfulClicks, more: figures.moreHelpClicks })]);
  return rows;
}

const basics = (request: Request, extras: InboxExtras): InboxView => ({
  contactName: request.contact?.name ?? undefined,
  conversationId: request.conversation?.id,
  ...(extras.consoleUrl ? { consoleUrl: extras.consoleUrl } : {}),
});

/** The customer's latest message in the conversation Intercom sent with the request. */
export function lastCustomerMessage(request: Request): string | undefined {
  const conversation = request.conversation as { source?: { body?: unknown; author?: { type?: unknown } }; conversation_parts?: { conversation_parts?: unknown[] } } | null | undefined;
  const parts = (conversation?.conversation_parts?.conversation_parts ?? []) as Array<{ body?: unknown; author?: { type?: unknown } }>;
  const fromCustomer = [...parts].reverse().find((part) => ["user", "lead", "contact"].includes(String(part.author?.type)) && typeof part.body === "string" && part.body);
  const body = fromCustomer?.body ?? conversation?.source?.body;
  const text = typeof body === "string" ? htmlToText(body).trim() : "";
  return text || undefined;
}

const articleRows = (sources: Source[]) =>
  sources.map((source) => ({ title: source.title, url: source.url, confidence: source.confidence, ...(source.learnedQuestion ? { learnedQuestion: source.learnedQuestion, learnedFrom: source.learnedFrom } : {}) }));

function describe(decision: Decision, t: Translator): Partial<InboxView> {
  const intent = `${decision.intent.replace(/_/g, " ")} (${decision.classifiedBy})`;
  switch (decision.action) {
    case "answer":
      return {
        intent,
        verdict: t("inbox_would_answer"),
        suggestion: { text: decision.text, confidence: decision.confidence },
        articles: articleRows(decision.sources),
      };
    case "escalate":
      return {
        intent,
        verdict: t("inbox_would_hand_over", { reason: decision.reason.replace(/_/g, " "), detail: decision.detail, priority: decision.priority }),
        articles: articleRows(decision.sources),
      };
    case "offer_choice":
      return {
        intent,
        verdict: t("inbox_would_offer"),
        articles: articleRows(decision.options),
      };
    case "clarify":
      return { intent, verdict: t("inbox_would_clarify"), articles: articleRows(decision.options) };
    case "acknowledge_feedback":
      return { intent, verdict: t("inbox_feedback") };
  }
}

/** One line for the teammate: the model behind the decisions, where it comes from and how well it fits. */
function calibrationLine(model: CalibrationModel, t: Translator): string {
  return t("inbox_calibration", {
    kind: model.kind,
    articles: model.quality.articles,
    date: model.fittedAt.slice(0, 10),
    precision: `${Math.round(model.quality.answerPrecision * 100)}%`,
    oneClick: `${Math.round(model.quality.oneClick * 100)}%`,
    brier: model.quality.brier.toFixed(3),
  });
}

/** The Inbox app speaks the teammate's language (the locale Intercom sends with the request). */
const translatorOf = (request: Request) => translatorForLocale(request.context.locale);

function inboxWords(t: Translator): InboxWords {
  return {
    title: t("inbox_title"),
    customer: t("inbox_customer"),
    conversation: t("inbox_conversation"),
    lastMessage: t("inbox_last_message"),
    search: t("inbox_search_fact"),
    intent: t("inbox_intent"),
    thisConversation: t("inbox_this_conversation"),
    suggestedReply: (confidence) => t("inbox_suggested_reply", { confidence }),
    match: (confidence) => t("inbox_match", { confidence }),
    taught: (question, from) => t(from === "customers" ? "inbox_confirmed_by_customers" : "inbox_taught", { question }),
    searchLabel: t("inbox_search_label"),
    searchPlaceholder: t("inbox_search_placeholder"),
    searchButton: t("inbox_search_button"),
    sync: t("inbox_sync"),
    console: t("inbox_console"),
  };
}

async function assess(request: Request, text: string, deps: AssistantDeps, extras: InboxExtras, query?: string): Promise<CanvasResponse> {
  const t = translatorOf(request);
  const [decision, history, model] = await Promise.all([
    respond(
      { workspaceId: request.workspace_id, message: text, history: [], previousSentiments: [], turnNumber: 1, customer: customerProfile(request.contact ?? undefined), locale: request.context.locale },
      deps,
    ),
    historyOf(request, extras, t),
    deps.calibrations.modelFor(request.workspace_id),
  ]);
  return inboxCard({ ...basics(request, extras), ...(query ? { query } : { customerMessage: text }), ...describe(decision, t), ...(history ? { history } : {}), calibration: calibrationLine(model, t) }, inboxWords(t));
}

export async function initialize(request: InboxInitializeRequest, deps: AssistantDeps, extras: InboxExtras): Promise<CanvasResponse> {
  const text = lastCustomerMessage(request);
  if (!text) {
    const t = translatorOf(request);
    return inboxCard({ ...basics(request, extras), verdict: t("inbox_no_message") }, inboxWords(t));
  }
  return assess(request, text, deps, extras);
}

export async function submit(request: InboxSubmitRequest, deps: AssistantDeps, extras: InboxExtras): Promise<CanvasResponse> {
  if (request.component_id === InboxIds.syncNow) {
    // The sync runs on; the card answers at once.
    extras.sync(request.workspace_id).catch((error) => deps.logger.error({ err: error, workspaceId: request.workspace_id }, "help center sync failed"));
    const t = translatorOf(request);
    return inboxCard({ ...basics(request, extras), verdict: t("inbox_syncing") }, inboxWords(t));
  }
  const raw = request.input_values[InboxIds.query];
  const query = (typeof raw === "string" ? raw : "").trim().slice(0, 1000);
  if (request.component_id !== InboxIds.search || !query) return initialize(request as InboxInitializeRequest, deps, extras);
  return assess(request, query, deps, extras, query);
}
