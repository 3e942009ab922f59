// Canvas Kit flows for the Messenger: a parsed, verified request in, a canvas out. The assistant
// decides; this module renders the decision and keeps the card's state. No HTTP here.
import { readCardOptions } from "../../canvas/card-options.ts";
import { ComponentIds, answerCard, clarifyCard, messageCard, questionCard, topicOptionId, type ArticleLink } from "../../canvas/messenger-cards.ts";
import type { LiveCanvasRequest, MessengerInitializeRequest, MessengerSubmitRequest, SheetRequest } from "../../canvas/requests.ts";
import { endUserOf, type Contact } from "../../canvas/requests.ts";
import type { CanvasResponse, LiveCanvasResponse } from "../../canvas/responses.ts";
import { emptyState, readState, withTurn, type CardState } from "../../canvas/stored-data.ts";
import { respond, type AssistantDeps, type Decision, type EscalationReason } from "../assistant/assistant.ts";
import type { HistoryLine } from "../assistant/classifier.ts";
import { customerProfile, firstNameOf } from "../assistant/context.ts";
import { message } from "../messages.ts";

export interface Escalation {
  workspaceId: string;
  conversationId: string | undefined;
  contact: Contact | undefined;
  decision: Extract<Decision, { action: "escalate" }>;
  history: HistoryLine[];
}

export interface MessengerDeps {
  assistant: AssistantDeps;
  /** Carries out a handoff the assistant decided on (assignment, note); the card shows the transition message. */
  onEscalation?: (escalation: Escalation) => Promise<void>;
}

/** Longest question we pass on; the rest of a pasted wall of text adds nothing. */
const MAX_QUESTION_CHARS = 1000;

function welcome(state: CardState, contact: Contact | undefined, helpCenterName: string, error?: string): CanvasResponse {
  const greeting = state.greeting ?? message("greeting", { firstName: firstNameOf(contact?.name) });
  return questionCard({ greeting, intro: message("intro", { helpCenterName }), error }, state);
}

const historyOf = (state: CardState): HistoryLine[] =>
  state.turns.flatMap((turn): HistoryLine[] => [
    { role: "customer", text: turn.q },
    { role: "assistant", text: turn.a },
  ]);

export function initialize(request: MessengerInitializeRequest, deps: MessengerDeps): CanvasResponse {
  const options = readCardOptions(request.card_creation_options);
  return welcome(emptyState(options), endUserOf(request), deps.assistant.policy.help_center_name);
}

/** The escalation card: the transition message; the card's job is done. */
async function handOver(request: MessengerSubmitRequest, state: CardState, decision: Extract<Decision, { action: "escalate" }>, deps: MessengerDeps): Promise<CanvasResponse> {
  const contact = endUserOf(request);
  const text = message("handoff", { reason: decision.reason, firstName: firstNameOf(contact?.name), helpCenterName: deps.assistant.policy.help_center_name });
  deps.assistant.logger.info({ workspaceId: request.workspace_id, reason: decision.reason, detail: decision.detail, intent: decision.intent }, "escalating to a person");
  await deps.onEscalation?.({
    workspaceId: request.workspace_id,
    conversationId: request.context.conversation_id === undefined ? undefined : String(request.context.conversation_id),
    contact,
    decision,
    history: historyOf(state),
  });
  return { ...messageCard(text, state, { offerQuestion: false }), event: { type: "completed" } };
}

function render(decision: Exclude<Decision, { action: "escalate" }>, question: string, state: CardState, firstName: string | undefined, helpCenterName: string): CanvasResponse {
  const turn = { q: question, s: Math.max(-1, Math.min(1, decision.sentiment)) };
  switch (decision.action) {
    case "answer": {
      const text = decision.answeredBy === "extractive" ? message("answer-extractive", { firstName, title: decision.sources[0]?.title, answer: decision.text }) : decision.text;
      const articles: ArticleLink[] = decision.sources.flatMap((source) => (source.url ? [{ title: source.title, url: source.url }] : []));
      return answerCard({ answer: text, articles }, withTurn(state, { ...turn, a: text, articles: decision.sources.map((source) => source.articleId) }));
    }
    case "clarify": {
      const topics = decision.options.map((option) => option.title);
      const text = message("clarify", { firstName, hasOptions: topics.length > 0 });
      return clarifyCard(text, topics, withTurn(state, { ...turn, a: text }, topics));
    }
    case "acknowledge_feedback": {
      const text = message("feedback", { positive: decision.positive, firstName });
      return messageCard(text, withTurn(state, { ...turn, a: text }), { offerQuestion: true });
    }
  }
}

async function ask(request: MessengerSubmitRequest, question: string, state: CardState, deps: MessengerDeps, pickedTopic = false): Promise<CanvasResponse> {
  const contact = endUserOf(request);
  const decision = await respond(
    {
      workspaceId: request.workspace_id,
      message: question,
      history: historyOf(state),
      previousSentiments: state.turns.map((turn) => turn.s),
      turnNumber: state.asked + 1,
      customer: customerProfile(contact),
      collectionIds: state.collections,
      locale: request.context.locale,
      pickedTopic,
    },
    deps.assistant,
  );
  if (decision.action === "escalate") return handOver(request, withTurn(state, { q: question, a: "(handed over to the team)", s: decision.sentiment }), decision, deps);
  return render(decision, question, state, firstNameOf(contact?.name), deps.assistant.policy.help_center_name);
}

/** A hand-off the user asked for with a button, with no message to classify. */
function requested(reason: EscalationReason): Extract<Decision, { action: "escalate" }> {
  return { action: "escalate", reason, detail: reason === "more_help" ? 'clicked "Get more help"' : 'clicked "Talk to a human"', intent: "human_request", priority: "high", sources: [], confidence: 0, sentiment: 0, classifiedBy: "offline" };
}

/** The topic (an article title) picked from the last clarification. */
function pickedTopic(request: MessengerSubmitRequest, state: CardState): string | undefined {
  const chosen = request.component_id === ComponentIds.topic ? request.input_values[ComponentIds.topic] : request.component_id;
  const index = state.topics.findIndex((_, i) => topicOptionId(i) === chosen);
  return index < 0 ? undefined : state.topics[index];
}

export async function submit(request: MessengerSubmitRequest, deps: MessengerDeps): Promise<CanvasResponse> {
  const state = readState(request.current_canvas?.stored_data);
  const contact = endUserOf(request);
  const firstName = firstNameOf(contact?.name);
  const helpCenterName = deps.assistant.policy.help_center_name;
  switch (request.component_id) {
    case ComponentIds.ask: {
      const raw = request.input_values[ComponentIds.question];
      const question = (typeof raw === "string" ? raw : "").trim().slice(0, MAX_QUESTION_CHARS);
      if (!question) return welcome(state, contact, helpCenterName, message("empty-question"));
      return ask(request, question, state, deps);
    }
    case ComponentIds.talkToHuman:
      return handOver(request, state, requested("explicit_request"), deps);
    case ComponentIds.moreHelp:
      return handOver(request, state, requested("more_help"), deps);
    case ComponentIds.helpful:
      return messageCard(message("thanks", { firstName }), state, { offerQuestion: true });
    default: {
      const topic = pickedTopic(request, state);
      if (topic) return ask(request, topic, state, deps, true);
      // A component from an older version of the card: start again rather than fail.
      return welcome(state, contact, helpCenterName);
    }
  }
}

/** Live canvas: the card's content, rebuilt each time the Messenger shows it. */
export function content(request: LiveCanvasRequest, deps: MessengerDeps): LiveCanvasResponse {
  const state = readState(request.canvas?.stored_data);
  const card = welcome(state, endUserOf(request), deps.assistant.policy.help_center_name).canvas;
  return { content: card.content! };
}

/** Submit Sheet: the user closed a sheet opened from the card; show the card again where they were. */
export function sheetClosed(request: SheetRequest, deps: MessengerDeps): CanvasResponse {
  return welcome(readState(request.current_canvas?.stored_data), endUserOf(request), deps.assistant.policy.help_center_name);
}

