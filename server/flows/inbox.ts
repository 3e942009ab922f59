// Inbox app for teammates, in the conversation details panel: what the assistant would do with the
// customer's last message (intent, suggested reply with its sources and confidence, whether the
// policy would hand over and why), plus a Help Center search.
import { InboxIds, inboxCard, type InboxView } from "../../canvas/admin-cards.ts";
import type { InboxInitializeRequest, InboxSubmitRequest } from "../../canvas/requests.ts";
import type { CanvasResponse } from "../../canvas/responses.ts";
import type { CalibrationModel } from "../answer-decision/model.ts";
import { respond, type AssistantDeps, type Decision, type Source } from "../assistant/assistant.ts";
import { customerProfile } from "../assistant/context.ts";
import { htmlToText } from "../knowledge/html-text.ts";
import type { ConversationFigures } from "../metrics/report.ts";

type Request = InboxInitializeRequest | InboxSubmitRequest;

export interface InboxExtras {
  /** The metrics of a conversation, when the app records them. */
  figuresFor?: (workspaceId: string, conversationId: string) => Promise<ConversationFigures | undefined>;
  /** The admin console's address (behind the public URL). */
  consoleUrl?: string;
}

/** The conversation's metrics as rows for the agent: turns, confidence, and why it was handed over. */
async function historyOf(request: Request, extras: InboxExtras): Promise<Array<[string, string]> | undefined> {
  const id = request.conversation?.id;
  const figures = id ? await extras.figuresFor?.(request.workspace_id, id).catch(() => undefined) : undefined;
  if (!figures) return undefined;
  const rows: Array<[string, string]> = [
    ["Customer messages", String(figures.customerMessages)],
    ["Assistant replies", String(figures.botMessages)],
  ];
  if (figures.meanConfidence !== undefined) rows.push(["Mean answer confidence", `${Math.round(figures.meanConfidence * 100)}%`]);
  rows.push(["Handed over", figures.escalation ? `yes: ${figures.escalation.reason.replace(/_/g, " ")}, at message ${figures.escalation.turn}` : "no"]);
  if (figures.helpfulClicks || figures.moreHelpClicks) rows.push(["Feedback", `${figures.helpfulClicks} helped, ${figures.moreHelpClicks} more help`]);
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
  sources.map((source) => ({ title: source.title, url: source.url, confidence: source.confidence, ...(source.learnedQuestion ? { learnedQuestion: source.learnedQuestion } : {}) }));

function describe(decision: Decision): Partial<InboxView> {
  const intent = `${decision.intent.replace(/_/g, " ")} (${decision.classifiedBy})`;
  switch (decision.action) {
    case "answer":
      return {
        intent,
        verdict: "The assistant would answer.",
        suggestion: { text: decision.text, confidence: decision.confidence },
        articles: articleRows(decision.sources),
      };
    case "escalate":
      return {
        intent,
        verdict: `The assistant would hand over (${decision.reason.replace(/_/g, " ")}: ${decision.detail}), priority ${decision.priority}.`,
        articles: articleRows(decision.sources),
      };
    case "offer_choice":
      return {
        intent,
        verdict: "The assistant is not sure enough to answer: it would ask the customer which of these articles fits.",
        articles: articleRows(decision.options),
      };
    case "clarify":
      return { intent, verdict: "The assistant would ask for more detail.", articles: articleRows(decision.options) };
    case "acknowledge_feedback":
      return { intent, verdict: "This is feedback: the assistant would thank the customer." };
  }
}

/** One line for the teammate: the model behind the decisions, where it comes from and how well it fits. */
function calibrationLine(model: CalibrationModel): string {
  const origin = model.kind === "fitted" ? `fitted on this Help Center (${model.quality.articles} articles, ${model.fittedAt.slice(0, 10)})` : "the built-in prior (this Help Center is too small, or not fitted yet)";
  const quality = `answers right ${Math.round(model.quality.answerPrecision * 100)}% of the time and the right article is one click away for ${Math.round(model.quality.oneClick * 100)}% on held-back test questions, Brier ${model.quality.brier.toFixed(3)}`;
  return `Answer decisions: ${origin}; ${quality}.`;
}

async function assess(request: Request, text: string, deps: AssistantDeps, extras: InboxExtras, query?: string): Promise<CanvasResponse> {
  const [decision, history, model] = await Promise.all([
    respond(
      { workspaceId: request.workspace_id, message: text, history: [], previousSentiments: [], turnNumber: 1, customer: customerProfile(request.contact ?? undefined), locale: request.context.locale },
      deps,
    ),
    historyOf(request, extras),
    deps.calibrations.modelFor(request.workspace_id),
  ]);
  return inboxCard({ ...basics(request, extras), ...(query ? { query } : { customerMessage: text }), ...describe(decision), ...(history ? { history } : {}), calibration: calibrationLine(model) });
}

export async function initialize(request: InboxInitializeRequest, deps: AssistantDeps, extras: InboxExtras = {}): Promise<CanvasResponse> {
  const text = lastCustomerMessage(request);
  if (!text) return inboxCard({ ...basics(request, extras), verdict: "No customer message yet. Search the Help Center below." });
  return assess(request, text, deps, extras);
}

export async function submit(request: InboxSubmitRequest, deps: AssistantDeps, extras: InboxExtras = {}): Promise<CanvasResponse> {
  if (request.component_id === InboxIds.syncNow) {
    // The sync runs on; the card answers at once.
    deps.knowledge.sync(request.workspace_id).catch((error) => deps.logger.error({ err: error, workspaceId: request.workspace_id }, "help center sync failed"));
    return inboxCard({ ...basics(request, extras), verdict: "Syncing the Help Center now: new and changed articles are searchable in a minute or so." });
  }
  const raw = request.input_values[InboxIds.query];
  const query = (typeof raw === "string" ? raw : "").trim().slice(0, 1000);
  if (request.component_id !== InboxIds.search || !query) return initialize(request as InboxInitializeRequest, deps, extras);
  return assess(request, query, deps, extras, query);
}
