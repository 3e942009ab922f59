// Canvas Kit flows for the Messenger: a parsed, verified request in, a canvas out. The assistant
// decides; this module renders the decision and keeps the card's state. No HTTP here.
import { readCardOptions } from "../../canvas/card-options.ts";
import { ComponentIds, answerCard, choiceCard, choiceId, clarifyCard, messageCard, questionCard, topicOptionId, type ArticleLink } from "../../canvas/messenger-cards.ts";
import type { LiveCanvasRequest, MessengerInitializeRequest, MessengerSubmitRequest, SheetRequest } from "../../canvas/requests.ts";
import { endUserOf, type Contact } from "../../canvas/requests.ts";
import type { CustomerPicks } from "../learning/customer-picks.ts";
import type { CanvasResponse, LiveCanvasResponse } from "../../canvas/responses.ts";
import { emptyState, readState, withTurn, type CardState } from "../../canvas/stored-data.ts";
import { respond, type AssistantDeps, type Decision, type EscalationReason, type Source } from "../assistant/assistant.ts";
import type { HistoryLine } from "../assistant/classifier.ts";
import type { LearnedQuestions } from "../learning/learned-questions.ts";
import { articleKeyOfPassage } from "../knowledge/knowledge-base.ts";
import { customerProfile, firstNameOf } from "../assistant/context.ts";
import type { PopularArticles } from "../assistant/article-stats.ts";
import type { CustomerDirectory } from "../intercom/directory.ts";
import { decisionEvent } from "../metrics/decision-events.ts";
import type { EventSink, MetricsEvent } from "../metrics/events.ts";
import { cardWords, languageName, languageOfLocale, translatorForLocale, type Language, type Translator } from "../i18n/catalog.ts";
import { chooseLanguage } from "../i18n/language.ts";

export interface Escalation {
  workspaceId: string;
  conversationId: string | undefined;
  contact: Contact | undefined;
  decision: Extract<Decision, { action: "escalate" }>;
  history: HistoryLine[];
  lastQuestion: string | undefined;
  /** How many questions the card had seen: with the conversation and reason, what makes an escalation one. */
  turn: number;
  /** The team the admin chose for this card's hand-offs (Configure), when no routing rule claims one. */
  cardTeamId?: string;
  /** The language the customer was spoken to in. */
  language: Language;
}

export interface MessengerDeps {
  assistant: AssistantDeps;
  /** Carries out a handoff the assistant decided on (assignment, note); the card shows the transition message. */
  onEscalation?: (escalation: Escalation) => Promise<void>;
  /** Articles helping customers right now, per workspace. */
  articles: PopularArticles;
  /** Where the metrics' events go. */
  events?: EventSink;
  /** What customers' "That helped" teaches (server/learning). */
  learned?: LearnedQuestions;
  /** What customers' picks from a choice teach, once confirmed (server/learning). */
  picks?: CustomerPicks;
  /** Intercom's view of a workspace's conversations and contacts, where the app is connected to it. */
  directoryFor?: (workspaceId: string) => CustomerDirectory | undefined;
  /** With a public URL: where sheets and the live canvas are served from. */
  links?: {
    contentUrl: string;
    sheetUrl(workspaceId: string, passageId: string, language: Language): string;
  };
}

/** Longest question we pass on; the rest of a pasted wall of text adds nothing. */
const MAX_QUESTION_CHARS = 1000;

/** The card's language: the one it has spoken so far, or the Messenger's locale's. */
const translatorFor = (request: { context: { locale?: string } }, state: CardState): Translator => translatorForLocale(request.context.locale, state.lang);

function welcome(state: CardState, contact: Contact | undefined, helpCenterName: string, t: Translator, options: { error?: string; popular?: ArticleLink[] } = {}): CanvasResponse {
  const greeting = state.greeting ?? t("greeting", { name: firstNameOf(contact?.name) });
  return questionCard({ greeting, intro: t("intro", { helpCenterName }), ...options }, state, cardWords(t));
}

const linkable = (articles: Array<{ title: string; url: string | undefined }>): ArticleLink[] =>
  articles.flatMap((article) => (article.url ? [{ title: article.title, url: article.url }] : []));

/** The conversation the card is part of, or its contact when the card is on the Messenger home. */
const conversationKey = (request: { context: { conversation_id?: string | number }; contact?: Contact; user?: Contact; customer?: Contact }) =>
  request.context.conversation_id !== undefined ? String(request.context.conversation_id) : `contact:${endUserOf(request)?.id ?? "anonymous"}`;

/** Metrics never stand in the way of an answer: the card does not wait for the write, and a failed one is logged. */
function log(deps: MessengerDeps, request: MessengerSubmitRequest, kind: MetricsEvent["kind"], data: Record<string, unknown>) {
  deps.events
    ?.record({ workspaceId: request.workspace_id, conversationKey: conversationKey(request), kind, data })
    .catch((error) => deps.assistant.logger.warn({ err: error }, "could not record a metrics event"));
}

/** Learning from picks never stands in the way of the card: a failed write is logged. */
async function teach(deps: MessengerDeps, work: (picks: CustomerPicks) => Promise<unknown>): Promise<void> {
  if (!deps.picks) return;
  await work(deps.picks).catch((error) => deps.assistant.logger.warn({ err: error }, "could not record a customer's pick for learning"));
}

const historyOf = (state: CardState): HistoryLine[] =>
  state.turns.flatMap((turn): HistoryLine[] => [
    { role: "customer", text: turn.q },
    { role: "assistant", text: turn.a },
  ]);

export async function initialize(request: MessengerInitializeRequest, deps: MessengerDeps): Promise<CanvasResponse> {
  const state = emptyState(readCardOptions(request.card_creation_options));
  // On the Messenger home the card is live: its content is fetched fresh each time it is seen.
  if (request.context.location === "home" && deps.links) return { canvas: { content_url: deps.links.contentUrl, stored_data: state } };
  return welcome(state, endUserOf(request), (await deps.assistant.settings.policyFor(request.workspace_id)).help_center_name, translatorFor(request, state));
}

/** The escalation card: the transition message; the card's job is done. */
async function handOver(request: MessengerSubmitRequest, state: CardState, decision: Extract<Decision, { action: "escalate" }>, deps: MessengerDeps): Promise<CanvasResponse> {
  // A customer who needed a person after all confirmed none of the articles they picked.
  await teach(deps, (picks) => picks.withdraw(request.workspace_id, conversationKey(request)));
  const contact = endUserOf(request);
  const t = translatorFor(request, state);
  const text = t("handoff", { reason: decision.reason, name: firstNameOf(contact?.name), helpCenterName: (await deps.assistant.settings.policyFor(request.workspace_id)).help_center_name });
  deps.assistant.logger.info({ workspaceId: request.workspace_id, reason: decision.reason, detail: decision.detail, intent: decision.intent }, "escalating to a person");
  const escalation = decisionEvent(decision, state.turns[state.turns.length - 1]?.q ?? "", state.asked);
  if (escalation) log(deps, request, escalation.kind, escalation.data);
  await deps.onEscalation?.({
    workspaceId: request.workspace_id,
    conversationId: request.context.conversation_id === undefined ? undefined : String(request.context.conversation_id),
    contact,
    decision,
    history: historyOf(state),
    lastQuestion: state.turns[state.turns.length - 1]?.q,
    turn: state.asked,
    ...(state.team ? { cardTeamId: state.team } : {}),
    language: t.language,
  });
  return { ...messageCard(text, state, cardWords(t), { offerQuestion: false }), event: { type: "completed" } };
}

function render(decision: Exclude<Decision, { action: "escalate" }>, question: string, state: CardState, request: MessengerSubmitRequest, deps: MessengerDeps): CanvasResponse {
  const turn = { q: question, s: Math.max(-1, Math.min(1, decision.sentiment)) };
  const name = firstNameOf(endUserOf(request)?.name);
  const t = translatorFor(request, state);
  const words = cardWords(t);
  switch (decision.action) {
    case "answer": {
      const answer = decision.answeredBy === "extractive" ? t("answer_extractive", { name, title: decision.sources[0]?.title, answer: decision.text }) : decision.text;
      const note = inAnotherLanguage(decision.sources[0], t);
      const text = note ? `${answer}\n\n_${note}_` : answer;
      deps.articles.cited(request.workspace_id, decision.sources);
      countLearned(request, decision.sources, deps);
      const used = decision.sources[0];
      const readInSheet = used && deps.links ? deps.links.sheetUrl(request.workspace_id, used.passageId, t.language) : undefined;
      return answerCard({ answer: text, articles: linkable(decision.sources), readInSheet }, withTurn(state, { ...turn, a: text, articles: decision.sources.map((source) => source.articleId) }), words);
    }
    case "clarify": {
      const topics = decision.options.map((option) => option.title);
      const text = t("clarify", { name, hasOptions: topics.length > 0 ? "yes" : "no" });
      return clarifyCard(text, topics, withTurn(state, { ...turn, a: text }, topics), words);
    }
    case "offer_choice": {
      const note = inAnotherLanguage(decision.options[0], t);
      const text = [t("choice", { name, count: decision.options.length }), ...(note ? [`_${note}_`] : [])].join("\n\n");
      countLearned(request, decision.options, deps);
      const choices = decision.options.map((option) => ({ k: articleKeyOfPassage(option.passageId) ?? "", t: option.title, p: Math.min(1, Math.max(0, option.confidence)) }));
      return choiceCard(text, decision.options.map((option) => option.title), withTurn(state, { ...turn, a: text }, [], choices), words);
    }
    case "acknowledge_feedback": {
      const text = t(decision.positive ? "feedback_positive" : "feedback_negative", { name });
      return messageCard(text, withTurn(state, { ...turn, a: text }), words, { offerQuestion: true, offerHuman: !decision.positive });
    }
  }
}

/** "This article is in English.", in the card's language, when the article is not in it. */
function inAnotherLanguage(source: Source | undefined, t: Translator): string | undefined {
  if (!source?.locale) return undefined;
  const language = languageOfLocale(source.locale);
  return language === t.language ? undefined : t("answer_other_language", { language: languageName(language, t.language) });
}

/** How long the card waits for Intercom's conversation and contact before going on without them. */
const DIRECTORY_BUDGET_MS = 1500;

/** The card's own history and the request's contact, completed from Intercom when connected. */
async function gatherContext(request: MessengerSubmitRequest, state: CardState, deps: MessengerDeps): Promise<{ history: HistoryLine[]; contact: Contact | undefined }> {
  const history = historyOf(state);
  const contact = endUserOf(request);
  const directory = deps.directoryFor?.(request.workspace_id);
  if (!directory) return { history, contact };
  const signal = AbortSignal.timeout(DIRECTORY_BUDGET_MS);
  const conversationId = request.context.conversation_id;
  const [conversation, found] = await Promise.allSettled([
    conversationId === undefined ? Promise.resolve([]) : directory.conversationHistory(String(conversationId), signal),
    contact?.id ? directory.contact(contact.id, signal) : Promise.resolve(undefined),
  ]);
  for (const result of [conversation, found]) {
    if (result.status === "rejected") deps.assistant.logger.warn({ err: result.reason, workspaceId: request.workspace_id }, "could not read context from Intercom; going on without it");
  }
  return {
    history: [...(conversation.status === "fulfilled" ? conversation.value : []), ...history],
    contact: found.status === "fulfilled" && found.value ? { ...contact, ...found.value } : contact,
  };
}

async function ask(request: MessengerSubmitRequest, question: string, asked: CardState, deps: MessengerDeps, picked: { topic?: boolean; article?: { articleKey: string; confidence: number } } = {}): Promise<CanvasResponse> {
  // A typed question may change the card's language; a picked title keeps it.
  const state = picked.topic || picked.article ? asked : { ...asked, lang: chooseLanguage({ locale: request.context.locale, message: question }) };
  const { history, contact } = await gatherContext(request, state, deps);
  const decision = await respond(
    {
      workspaceId: request.workspace_id,
      message: question,
      history,
      previousSentiments: state.turns.map((turn) => turn.s),
      turnNumber: state.asked + 1,
      customer: customerProfile(contact),
      collectionIds: state.collections,
      locale: state.lang ?? request.context.locale,
      pickedTopic: picked.topic,
      pickedArticle: picked.article,
    },
    deps.assistant,
  );
  log(deps, request, "customer_message", { turn: state.asked + 1 });
  if (decision.action === "escalate") return handOver(request, withTurn(state, { q: question, a: "(handed over to the team)", s: decision.sentiment }), decision, deps);
  const event = decisionEvent(decision, question, state.asked + 1);
  if (event) log(deps, request, event.kind, event.data);
  return render(decision, question, state, request, deps);
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
  const name = firstNameOf(contact?.name);
  const helpCenterName = (await deps.assistant.settings.policyFor(request.workspace_id)).help_center_name;
  const t = translatorFor(request, state);
  switch (request.component_id) {
    case ComponentIds.ask: {
      const raw = request.input_values[ComponentIds.question];
      const question = (typeof raw === "string" ? raw : "").trim().slice(0, MAX_QUESTION_CHARS);
      if (!question) return welcome(state, contact, helpCenterName, t, { error: t("empty_question") });
      // Asking the same thing again says the article picked for it did not answer it.
      await teach(deps, (picks) => picks.withdraw(request.workspace_id, conversationKey(request), question));
      return ask(request, question, state, deps);
    }
    case ComponentIds.talkToHuman:
      await signal(request, state, false, deps);
      return handOver(request, state, requested("explicit_request"), deps);
    case ComponentIds.moreHelp:
      log(deps, request, "feedback", { helpful: false, articles: state.turns[state.turns.length - 1]?.articles ?? [] });
      await signal(request, state, false, deps);
      return handOver(request, state, requested("more_help"), deps);
    case ComponentIds.helpful: {
      const last = state.turns[state.turns.length - 1];
      log(deps, request, "feedback", { helpful: true, articles: last?.articles ?? [] });
      const helped = last?.articles[0];
      if (helped) {
        const article = await deps.assistant.knowledge.article(request.workspace_id, helped);
        if (article) deps.articles.helped(request.workspace_id, { articleId: helped, title: article.title, url: article.url });
      }
      await signal(request, state, true, deps);
      return messageCard(t("thanks", { name }), state, cardWords(t), { offerQuestion: true });
    }
    default: {
      const topic = pickedTopic(request, state);
      if (topic) return ask(request, topic, state, deps, { topic: true });
      const choice = state.choices.find((_, i) => choiceId(i) === request.component_id);
      if (choice) {
        log(deps, request, "choice_picked", { article: { id: choice.k, title: choice.t }, turn: state.asked });
        const typed = state.turns[state.turns.length - 1]?.q;
        if (contact?.id && typed && typed !== choice.t) {
          await teach(deps, (picks) => picks.picked({ workspaceId: request.workspace_id, articleKey: choice.k, question: typed, contactKey: String(contact.id), conversationKey: conversationKey(request) }));
        }
        return ask(request, choice.t, state, deps, { article: { articleKey: choice.k, confidence: choice.p } });
      }
      // A component from an older version of the card: start again rather than fail.
      return welcome(state, contact, helpCenterName, t);
    }
  }
}

/** Learned questions that led to the articles shown are counted as used, beside the card. */
function countLearned(request: MessengerSubmitRequest, shown: Source[], deps: MessengerDeps) {
  for (const source of shown) {
    if (!source.learnedQuestion) continue;
    const articleKey = articleKeyOfPassage(source.passageId);
    if (!articleKey) continue;
    deps.learned?.used(request.workspace_id, articleKey, source.learnedQuestion).catch((error) => deps.assistant.logger.warn({ err: error }, "could not count a learned question's use"));
  }
}

/**
 * What the customer's click right after an answer says about its article and their question, for
 * learning: "That helped", or "Get more help" / "Talk to a human". It is recorded beside the card,
 * which never waits for it. After an article picked from a choice, the question is the one the
 * customer typed before the pick, not the title they clicked.
 */
async function signal(request: MessengerSubmitRequest, state: CardState, helped: boolean, deps: MessengerDeps) {
  const last = state.turns[state.turns.length - 1];
  const articleKey = last?.articles[0];
  if (!deps.learned || !last || !articleKey) return;
  const article = await deps.assistant.knowledge.article(request.workspace_id, articleKey).catch(() => undefined);
  const question = last.q === article?.title ? state.turns[state.turns.length - 2]?.q : last.q;
  if (!article || !question || question === article.title) return;
  deps.learned
    .customerSignal({ workspaceId: request.workspace_id, articleKey: article.articleKey, question, conversationKey: conversationKey(request), helped, mode: (await deps.assistant.settings.policyFor(request.workspace_id)).learning })
    .catch((error) => deps.assistant.logger.warn({ err: error }, "could not record a customer's signal for learning"));
}

/** Live canvas: the card's content, rebuilt each time the Messenger shows it. */
export async function content(request: LiveCanvasRequest, deps: MessengerDeps): Promise<LiveCanvasResponse> {
  const state = readState(request.canvas?.stored_data);
  // The list is a nicety: without it the card still asks its question.
  const top = await deps.articles.top(request.workspace_id).catch((error) => {
    deps.assistant.logger.warn({ err: error, workspaceId: request.workspace_id }, "could not read the popular articles");
    return [];
  });
  const popular = linkable(top);
  const card = welcome(state, endUserOf(request), (await deps.assistant.settings.policyFor(request.workspace_id)).help_center_name, translatorFor(request, state), { popular }).canvas;
  return { content: card.content! };
}

/** Submit Sheet: the user closed a sheet opened from the card; show the card again where they were. */
export async function sheetClosed(request: SheetRequest, deps: MessengerDeps): Promise<CanvasResponse> {
  const state = readState(request.current_canvas?.stored_data);
  return welcome(state, endUserOf(request), (await deps.assistant.settings.policyFor(request.workspace_id)).help_center_name, translatorFor(request, state));
}

