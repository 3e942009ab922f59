// The assistant's brain: one message in (with the conversation so far and who is asking), one
// decision out: answer, ask for clarification, acknowledge feedback, or hand over to a person
// (with the reason). No HTTP here; the canvas and the handoff both act on the same decision.
import { DeadlineExceeded, withDeadline } from "../deadline.ts";
import { articleKeyOfPassage, NotLoaded, type KnowledgeBase, type LearnedFrom, type Passage } from "../knowledge/knowledge-base.ts";
import type { Logger } from "../logger.ts";
import { extractiveAnswer, judgeChoice, writeAnswer, type AnswerDraft, type AnswerStats } from "./answerer.ts";
import { answerSupport, isSupported } from "./answer-support.ts";
import { DEFAULT_SUPPORT_THRESHOLD, settles, type ModelTrust } from "../answer-decision/model-trust.ts";
import type { ChatModel } from "./chat-model.ts";
import type { HistoryLine, IntentClassifier } from "./classifier.ts";
import { summarize, type CustomerProfile } from "./context.ts";
import { INTENTS, type Intent, type Priority } from "./intents.ts";
import type { Classification, OfflineIntentClassifier } from "./offline-classifier.ts";
import type { PolicySource } from "./policy.ts";
import { searchQuery } from "./query.ts";
import { NEGATIVE_SENTIMENT, sentimentOf } from "./sentiment.ts";
import { bandOf, MAX_OPTIONS } from "../answer-decision/bands.ts";
import { domainScorerOf, scorerOf, thresholdsFor, type CalibrationModel } from "../answer-decision/model.ts";
import { relevantPassageOrder } from "./extractive.ts";
import { sameQuestion } from "../learning/learned-questions.ts";
import { languageName, languageOfLocale } from "../i18n/catalog.ts";
import { analysisLanguageOf, type AnalyzedLanguage } from "../knowledge/text-analysis.ts";

export const ESCALATION_REASONS = ["explicit_request", "human_request", "urgent_problem", "low_confidence", "too_many_turns", "frustration", "more_help", "service_unavailable", "still_reading"] as const;
export type EscalationReason = (typeof ESCALATION_REASONS)[number];

export interface Source {
  /** The passage the source was drawn from (`article:<key>:<n>`). */
  passageId: string;
  articleId: string;
  title: string;
  url: string | undefined;
  confidence: number;
  text: string;
  /** A question the team answered with this article before (server/learning) that matched this one. */
  learnedQuestion?: string;
  /** Who taught it: a teammate, or customers who confirmed the article. */
  learnedFrom?: LearnedFrom;
  /** The language the article is written in (its locale), when known. */
  locale?: string;
}

interface Common {
  intent: Intent;
  sentiment: number;
  /** Who classified the message: the LLM or the offline classifier. */
  classifiedBy: "llm" | "offline";
}

export type Decision =
  | (Common & { action: "answer"; text: string; sources: Source[]; confidence: number; answeredBy: "llm" | "extractive" })
  | (Common & { action: "clarify"; options: Source[] })
  /** "Is it one of these?": the likely articles, none sure enough to answer from; never an answer. */
  | (Common & { action: "offer_choice"; options: Source[]; confidence: number })
  | (Common & { action: "acknowledge_feedback"; positive: boolean })
  | (Common & { action: "escalate"; reason: EscalationReason; detail: string; priority: Priority; sources: Source[]; confidence: number });

export interface AssistantInput {
  workspaceId: string;
  message: string;
  /** Earlier messages of this conversation, oldest first. */
  history: HistoryLine[];
  /** Sentiment of the customer's earlier messages, oldest first. */
  previousSentiments: number[];
  /** This message's number among the customer's messages to the assistant (1 for the first). */
  turnNumber: number;
  customer: CustomerProfile;
  collectionIds?: string[];
  locale?: string;
  /** Set when the message is not free text but a topic the customer picked from a clarification. */
  pickedTopic?: boolean;
  /** Set when the customer picked an article from a choice: the answer is drawn from it. */
  pickedArticle?: { articleKey: string; confidence: number };
  /** How long the model calls may take in all; a card's budget (`llm_time_budget_ms`) unless set. */
  timeBudgetMs?: number;
}

/** The workspace's answer-decision model (server/answer-decision/calibrations.ts). */
export interface DecisionModels {
  modelFor(workspaceId: string): Promise<CalibrationModel>;
}

/** The configured model's measured trust in a workspace; undefined while unmeasured. */
export interface ModelTrustSource {
  trustFor(workspaceId: string): Promise<ModelTrust | undefined>;
}

export interface AssistantDeps {
  knowledge: KnowledgeBase;
  calibrations: DecisionModels;
  /** Classifies a message no document is involved in: the model's short call when there is one. */
  classifier: IntentClassifier;
  /** The instant classifier (triggers and offline models), run on every message first. */
  offline: OfflineIntentClassifier;
  /** Article keys customers said did not help with this question, in nearly these words (server/learning). */
  notHelped?: (workspaceId: string, question: string) => Promise<Set<string>>;
  /** True while the workspace's Help Center is read and fitted for the first time (server/answer-decision/preparation.ts). */
  reading?: (workspaceId: string) => boolean;
  model?: ChatModel;
  /** The model's measured trust per workspace (server/answer-decision/model-trusts.ts): how far its word settles a card. */
  trusts?: ModelTrustSource;
  /** Each workspace's policy (tone, triggers, limits, synonyms, routing). */
  settings: PolicySource;
  logger: Logger;
  stats: AnswerStats;
}

/**
 * How long a message may wait for the Help Center search. Intercom shows an error card when a
 * canvas is late (design for under 3 s), so a slow vector store means a hand-over, not a wait.
 */
export const SEARCH_BUDGET_MS = 2500;

const toSource = (passage: Passage): Source => ({
  ...(passage.locale ? { locale: passage.locale } : {}),
  passageId: passage.id,
  articleId: passage.articleId,
  title: passage.title,
  url: passage.url,
  confidence: passage.confidence,
  text: passage.text,
  ...(passage.learnedQuestion ? { learnedQuestion: passage.learnedQuestion, learnedFrom: passage.learnedFrom } : {}),
});

/** Answers sized for a card, so the model writes one inside the card's time; a conversation reply may be longer. */
export const CARD_ANSWER_WORDS = 80;
export const REPLY_ANSWER_WORDS = 120;

export async function respond(input: AssistantInput, deps: AssistantDeps): Promise<Decision> {
  const policy = await deps.settings.policyFor(input.workspaceId);
  // One deadline for every model call of this message, so the canvas answers in time.
  const deadline = AbortSignal.timeout(input.timeBudgetMs ?? policy.llm_time_budget_ms);
  const sentiment = sentimentOf(input.message);
  const picked = Boolean(input.pickedTopic || input.pickedArticle);
  // Instant: the admin's triggers and the offline models. They settle the clear hand-overs; the
  // model, when there is one, judges the rest together with the documents.
  const language = analysisLanguageOf(input.locale);
  let quick: Classification = picked ? { intent: "faq_question", needsHuman: false, modelProbability: 0 } : deps.offline.classify(input.message, policy.escalation_triggers, language);
  let common: Common = { intent: quick.intent, sentiment, classifiedBy: "offline" };
  const escalate = (reason: EscalationReason, detail: string, passages: Passage[] = []): Decision => ({
    ...common,
    action: "escalate",
    reason,
    detail,
    priority: reason === "urgent_problem" || reason === "frustration" ? "urgent" : INTENTS[common.intent].priority === "low" ? "normal" : INTENTS[common.intent].priority,
    sources: passages.map(toSource),
    confidence: passages[0]?.confidence ?? 0,
  });
  const judged = (judgement: { intent: Intent; needsHuman: boolean }, by: Common["classifiedBy"], passages: Passage[]): Decision | undefined => {
    common = { ...common, intent: judgement.intent, classifiedBy: by };
    if (judgement.needsHuman) return escalate(judgement.intent === "urgent_problem" ? "urgent_problem" : "human_request", `classified as ${judgement.intent}`);
    if (judgement.intent === "feedback") return { ...common, action: "acknowledge_feedback", positive: sentiment >= 0 };
    if (judgement.intent === "incomplete_info") return { ...common, action: "clarify", options: passages.filter((passage) => passage.confidence > 0.05).slice(0, 4).map(toSource) };
    return undefined;
  };

  const trigger = "trigger" in quick ? quick.trigger : undefined;
  if (trigger) return escalate(trigger.kind === "urgent_problem" ? "urgent_problem" : "explicit_request", `said "${trigger.trigger}"`);
  const previous = input.previousSentiments[input.previousSentiments.length - 1];
  if (policy.sentiment_monitoring && sentiment <= NEGATIVE_SENTIMENT && previous !== undefined && previous <= NEGATIVE_SENTIMENT) {
    return escalate("frustration", `two negative messages in a row (sentiment ${previous.toFixed(2)}, ${sentiment.toFixed(2)})`);
  }
  const previousQuestions = input.history.filter((line) => line.role === "customer").map((line) => line.text);
  const question = input.pickedArticle ? (previousQuestions[previousQuestions.length - 1] ?? input.message) : searchQuery(input.message, previousQuestions);
  let searched: Promise<{ model: CalibrationModel; passages: Passage[]; notHelped: Set<string> | undefined }> | undefined;
  const search = () =>
    (searched ??= (async () => {
      const model = await deps.calibrations.modelFor(input.workspaceId);
      const [found, notHelped] = await withDeadline(
        Promise.all([
          deps.knowledge.search(input.workspaceId, question, { collectionIds: input.collectionIds, locale: input.locale, topK: 5, synonyms: policy.synonyms, scorer: scorerOf(model) }),
          // Learning never stands in the way of an answer.
          deps.notHelped?.(input.workspaceId, input.message).catch(() => undefined),
        ]),
        SEARCH_BUDGET_MS,
        "the Help Center search",
      );
      return { model, passages: lowered(found, notHelped), notHelped };
    })());
  const reading = deps.reading?.(input.workspaceId) ?? false;
  if (quick.needsHuman) {
    // A request is handed over whatever the Help Center holds: the request model is calibrated,
    // and sure enough here to act alone. Only the team overrules it: a wording a teammate already
    // answered with an article (a learned question, in nearly these words) stays a question.
    const found = reading ? undefined : await search().catch(() => undefined);
    const best = found?.passages[0];
    if (!(best?.learnedQuestion !== undefined && sameQuestion(best.learnedQuestion, input.message))) {
      return escalate(quick.intent === "urgent_problem" ? "urgent_problem" : "human_request", `classified as ${quick.intent} (a person needed with probability ${quick.modelProbability.toFixed(2)})`);
    }
    quick = { ...quick, intent: "faq_question", needsHuman: false };
    common = { ...common, intent: quick.intent };
  }
  // Until its first sync and fit finish, the workspace has nothing reliable to answer from.
  if (reading) return escalate("still_reading", "the Help Center is still being read and calibrated for the first time");
  if (input.turnNumber > policy.max_turns_before_escalate) return escalate("too_many_turns", `message ${input.turnNumber} without resolution (limit ${policy.max_turns_before_escalate})`);
  if (!deps.model && quick.intent === "feedback") return { ...common, action: "acknowledge_feedback", positive: sentiment >= 0 };

  const maxWords = input.timeBudgetMs === undefined ? CARD_ANSWER_WORDS : REPLY_ANSWER_WORDS;
  const answerInput = (passages: Passage[]) => ({ question, passages, customer: input.customer, summary: summarize(input.history), policy, maxWords, deadline, language: languageName(languageOfLocale(input.locale)) });
  const write = (passages: Passage[]) => writeAnswer(answerInput(passages), { model: deps.model, logger: deps.logger, stats: deps.stats });
  let trust: Promise<ModelTrust | undefined> | undefined;
  const trusted = () => (trust ??= deps.trusts?.trustFor(input.workspaceId).catch(() => undefined) ?? Promise.resolve(undefined));
  /** The model's answer only when the passages it cites hold it; else undefined, counted. */
  const grounded = async (draft: AnswerDraft, given: Passage[]): Promise<AnswerDraft | undefined> => {
    if (draft.by !== "llm" || !draft.answerable) return draft;
    const cited = given.filter((passage) => draft.citedArticleIds.includes(passage.articleId));
    const names = [input.customer.firstName ?? "", policy.company_name, policy.help_center_name];
    const support = answerSupport(draft.text, { passages: cited, question, names, language });
    if (isSupported(support, (await trusted())?.supportThreshold ?? DEFAULT_SUPPORT_THRESHOLD)) return draft;
    deps.stats.fallbacks.unsupported++;
    deps.logger.warn({ workspaceId: input.workspaceId, share: support.share, unsupported: support.unsupported }, "the model's answer states what its cited passages do not hold; not sending it");
    return undefined;
  };
  /**
   * The model's answer where retrieval is sure, checked against what it cites: unsupported, the
   * extractive answer instead; a refusal stands unless the model's refusals were measured to mean nothing.
   */
  const checked = async (draft: AnswerDraft, given: Passage[]): Promise<AnswerDraft> => {
    if (draft.by === "llm" && !draft.answerable) {
      const measured = await trusted();
      return measured?.status === "measured" && !measured.refusalsHonoured ? extractiveAnswer(question, given) : draft;
    }
    return (await grounded(draft, given)) ?? extractiveAnswer(question, given);
  };
  const answerFrom = (draft: AnswerDraft, cited: Passage[], confidence: number): Decision => {
    // The writer found the articles do not answer it: offer them rather than state an answer.
    if (!draft.answerable) return { ...common, action: "offer_choice", options: cited.map(toSource), confidence };
    const citedIds = new Set(draft.citedArticleIds);
    const sources = [...cited.filter((passage) => citedIds.has(passage.articleId)), ...cited.filter((passage) => !citedIds.has(passage.articleId))].slice(0, 3).map(toSource);
    return { ...common, action: "answer", text: draft.text, sources, confidence, answeredBy: draft.by };
  };

  if (input.pickedArticle) {
    const article = await deps.knowledge.article(input.workspaceId, input.pickedArticle.articleKey);
    if (!article) return escalate("low_confidence", "the article picked is no longer in the Help Center");
    const passages = relevantPassageOrder(article.passages, question).map((passage) => ({
      id: passage.id,
      articleId: article.articleId,
      title: article.title,
      url: article.url,
      collectionId: undefined,
      text: passage.text,
      confidence: input.pickedArticle!.confidence,
      features: PICKED_FEATURES,
    }));
    const { draft } = await write(passages);
    return answerFrom(await checked(draft, passages), passages.slice(0, 1), input.pickedArticle.confidence);
  }

  let passages: Passage[];
  let model: CalibrationModel;
  let notHelped: Set<string> | undefined;
  try {
    ({ model, passages, notHelped } = await search());
  } catch (error) {
    if (error instanceof NotLoaded) return escalate("still_reading", "this instance is still loading the workspace's Help Center");
    // Without the Help Center the honest answer is a person: the customer is not left waiting.
    const late = error instanceof DeadlineExceeded;
    deps.logger.error({ err: error, workspaceId: input.workspaceId }, late ? "Help Center search too slow; handing over" : "Help Center search failed; handing over");
    return escalate("service_unavailable", late ? `the Help Center did not answer within ${SEARCH_BUDGET_MS} ms` : "the Help Center could not be searched");
  }

  const didNotHelp = (passage: Passage) => notHelped?.has(articleKeyOfPassage(passage.id) ?? "") ?? false;
  // A wording the team or customers already answered (a learned question in nearly these words)
  // is answered from its article, unless customers said that article did not help with it.
  const taught = picked ? undefined : passages.slice(0, MAX_OPTIONS).find((passage) => passage.learnedQuestion !== undefined && sameQuestion(passage.learnedQuestion, input.message) && !didNotHelp(passage));
  const { best, inDomain, thresholds, band } = decisionOf({ model, passages, settled: taught }, language);
  const handOver = () =>
    escalate("low_confidence", `nothing close in the Help Center (best article ${(best?.confidence ?? 0).toFixed(2)}, on topic ${inDomain.toFixed(2)} < ${thresholds.choice})`, passages.slice(0, 3));

  const choice = (options: Passage[]): Decision => ({ ...common, action: "offer_choice", options: options.map(toSource), confidence: options[0]!.confidence });
  // Articles close, none sure: the model's claim settles the card only from the retrieval
  // probability at which its claims were measured right often enough on this Help Center (none
  // until it is measured), so it is asked only when an article it could settle on is offered.
  const offered = band.outcome === "choice" ? band.options.filter((passage) => !didNotHelp(passage)) : [];
  const measured = band.outcome === "choice" && deps.model && !picked ? await trusted() : undefined;
  if (band.outcome === "choice" && deps.model && offered.some((passage) => settles(measured, passage.confidence))) {
    // The one model call reads them and answers when they hold the answer. The articles customers
    // said did not help with this question are not offered to it, and an answer must cite what it
    // was given and be held by it; late, failed, unsure or unsupported, the choice stands.
    const reply = await judgeChoice(answerInput(offered), { model: deps.model, logger: deps.logger, stats: deps.stats });
    const settled = reply ? judged(reply.judgement, "llm", passages) : judged(quick, "offline", passages);
    if (settled) return settled;
    const source = reply?.draft.answerable && reply.draft.citesOnlyGiven ? offered.find((passage) => passage.articleId === reply.draft.citedArticleIds[0]) : undefined;
    const draft = reply && source && settles(measured, source.confidence) ? await grounded(reply.draft, offered) : undefined;
    if (!draft || !source) return choice(band.options);
    return answerFrom(draft, [source, ...offered.filter((passage) => passage !== source)], source.confidence);
  }
  if (band.outcome !== "answer") {
    // No answer to write (without a model a choice states none; a hand-over has nothing close): a
    // short classification call (the model's, or the offline one) says what the message is.
    if (!picked) {
      const classification = deps.model ? await deps.classifier.classify(input.message, { triggers: policy.escalation_triggers, language, history: input.history, companyName: policy.company_name, signal: deadline }) : { ...quick, by: "offline" as const };
      const settled = judged(classification, classification.by, passages);
      if (settled) return settled;
    }
    return band.outcome === "choice" ? choice(band.options) : handOver();
  }

  // With a model, the one call judges the message and writes the answer.
  const reply = await write([band.best, ...passages.filter((passage) => passage !== band.best)]);
  if (!picked) {
    // Without the model's judgement (none configured, or it failed), the offline one stands. A
    // wording the team or customers already answered is clear enough ("slots"): not asked again.
    const clear = <J extends { intent: Intent }>(judgement: J): J => (taught && judgement.intent === "incomplete_info" ? { ...judgement, intent: "faq_question" } : judgement);
    const settled = reply.judgement ? judged(clear(reply.judgement), "llm", passages) : judged(clear(quick), "offline", passages);
    if (settled) return settled;
  }
  return answerFrom(await checked(reply.draft, [band.best, ...passages.filter((passage) => passage !== band.best)]), band.cited, band.best.confidence);
}

/** The answer decision on what the search found: the best article, how on topic it is, and the band. */
function decisionOf({ model, passages, settled }: { model: CalibrationModel; passages: Passage[]; settled?: Passage | undefined }, language: AnalyzedLanguage) {
  const best = passages[0];
  const inDomain = best ? domainScorerOf(model, language)(best.features) : 0;
  const thresholds = thresholdsFor(model, language);
  return { best, inDomain, thresholds, band: bandOf(passages, thresholds, inDomain, settled) };
}

/** How much less likely an article is once customers said it did not help with this very question. */
export const NOT_HELPED_FACTOR = 0.5;

/** Lowers the articles customers said did not help with this question, and ranks again. */
function lowered(passages: Passage[], notHelped: Set<string> | undefined): Passage[] {
  if (!notHelped?.size) return passages;
  return passages
    .map((passage) => (notHelped.has(articleKeyOfPassage(passage.id) ?? "") ? { ...passage, confidence: passage.confidence * NOT_HELPED_FACTOR } : passage))
    .sort((a, b) => b.confidence - a.confidence);
}

/** An article the customer picked has no retrieval signals of its own; its confidence is the choice's. */
const PICKED_FEATURES = { similarity: 0, coverage: 0, margin: 0, similarityGap: 0, lexicalStrength: 0, fused: 0, learned: 0 };
