// Canvas Kit flows for the Messenger: a parsed, verified request in, a canvas out. No HTTP here.
import { readCardOptions } from "../../canvas/card-options.ts";
import { ComponentIds, answerCard, followUpCard, messageCard, questionCard, type ArticleLink } from "../../canvas/messenger-cards.ts";
import type { LiveCanvasRequest, MessengerInitializeRequest, MessengerSubmitRequest, SheetRequest } from "../../canvas/requests.ts";
import { endUserOf, type Contact } from "../../canvas/requests.ts";
import type { CanvasResponse, LiveCanvasResponse } from "../../canvas/responses.ts";
import { emptyState, readState, withTurn, type CardState } from "../../canvas/stored-data.ts";
import { answerQuestion } from "../assistant/answer.ts";
import { searchQuery } from "../assistant/query.ts";
import type { KnowledgeBase } from "../knowledge/knowledge-base.ts";
import { message } from "../messages.ts";

export interface MessengerDeps {
  knowledge: KnowledgeBase;
}

/** Longest question we pass on to retrieval; the rest of a pasted wall of text adds nothing. */
const MAX_QUESTION_CHARS = 1000;

const HELP_CENTER = "Help Center";

/** A first name safe to put in markdown text. */
export function firstNameOf(contact: Contact | undefined): string | undefined {
  const first = contact?.name?.trim().split(/\s+/)[0]?.replace(/[*_`[\]()<>#\\]/g, "");
  return first ? first.slice(0, 40) : undefined;
}

function welcome(state: CardState, contact: Contact | undefined, error?: string): CanvasResponse {
  const greeting = state.greeting ?? message("greeting", { firstName: firstNameOf(contact) });
  return questionCard({ greeting, intro: message("intro", { helpCenterName: HELP_CENTER }), error }, state);
}

export function initialize(request: MessengerInitializeRequest): CanvasResponse {
  const options = readCardOptions(request.card_creation_options);
  return welcome(emptyState(options), endUserOf(request));
}

async function ask(request: MessengerSubmitRequest, state: CardState, deps: MessengerDeps): Promise<CanvasResponse> {
  const raw = request.input_values[ComponentIds.question];
  const question = (typeof raw === "string" ? raw : "").trim().slice(0, MAX_QUESTION_CHARS);
  if (!question) return welcome(state, endUserOf(request), message("empty-question"));

  const answer = await answerQuestion(
    {
      workspaceId: request.workspace_id,
      question: searchQuery(question, state.turns.map((turn) => turn.q)),
      collectionIds: state.collections,
      locale: request.context.locale,
    },
    deps.knowledge,
  );
  if (answer.kind === "no_answer") {
    const reply = message("no-answer", { helpCenterName: HELP_CENTER });
    return followUpCard(reply, withTurn(state, { q: question, a: reply }));
  }
  const text = message("answer", { helpCenterName: HELP_CENTER, answer: answer.text });
  const articles: ArticleLink[] = answer.sources.flatMap((source) => (source.url ? [{ title: source.title, url: source.url }] : []));
  const next = withTurn(state, { q: question, a: text, articles: answer.sources.map((source) => source.articleId) });
  return answerCard({ answer: text, articles }, next);
}

export async function submit(request: MessengerSubmitRequest, deps: MessengerDeps): Promise<CanvasResponse> {
  const state = readState(request.current_canvas?.stored_data);
  const firstName = firstNameOf(endUserOf(request));
  switch (request.component_id) {
    case ComponentIds.ask:
      return ask(request, state, deps);
    case ComponentIds.talkToHuman:
    case ComponentIds.moreHelp:
      return { ...messageCard(message("handoff", { firstName }), state, { offerQuestion: false }), event: { type: "completed" } };
    case ComponentIds.helpful:
      return messageCard(message("thanks", { firstName }), state, { offerQuestion: true });
    default:
      // A component from an older version of the card: start again rather than fail.
      return welcome(state, endUserOf(request));
  }
}

/** Live canvas: the card's content, rebuilt each time the Messenger shows it. */
export function content(request: LiveCanvasRequest): LiveCanvasResponse {
  const state = readState(request.canvas?.stored_data);
  const card = welcome(state, endUserOf(request)).canvas;
  return { content: card.content! };
}

/** Submit Sheet: the user closed a sheet opened from the card; show the card again where they were. */
export function sheetClosed(request: SheetRequest): CanvasResponse {
  return welcome(readState(request.current_canvas?.stored_data), endUserOf(request));
}
