// The report's shape and definitions, one conversation's figures (the Inbox app), and the
// content-gap grouping. The period's figures are computed in the database (report-query.ts).
// Definitions (also in docs/console.md):
// - conversations: those with any event in the period.
// - involved: the assistant answered, asked back or handed over at least once.
// - answer rate: involved conversations with at least one answer citing an article / involved.
// - handed over: the assistant escalated, or a teammate replied.
// - deflection: involved and never handed over / involved.
// - resolution: involved and ("That helped" clicked, or closed without a teammate reply) / involved;
//   a conversation reopened after its close (the customer wrote again) is not resolved.
// - escalation rate by reason: involved conversations escalated for that reason / involved.
// - CSAT: mean rating (1-5) of bot-only conversations and of handed-over ones.
// - first response: first answer (bot or teammate) after the first customer message; resolution
//   time: close after the first customer message; both as medians, in seconds.
import { isConversationalTerm, termsWithWords } from "../knowledge/text-analysis.ts";
import type { StoredEvent } from "./events.ts";

export interface ConversationFigures {
  key: string;
  customerMessages: number;
  botMessages: number;
  humanMessages: number;
  escalated: boolean;
  escalation?: { reason: string; turn: number };
  firstResponseSeconds?: number;
  resolutionSeconds?: number;
  rating?: number;
  autoResolved: boolean;
  meanConfidence?: number;
  articlesCited: string[];
  intents: string[];
  helpfulClicks: number;
  moreHelpClicks: number;
  answeredByLlm: number;
  answeredExtractive: number;
}

/** Questions of one topic the Help Center could not answer, with how teammates answered them instead. */
export interface ContentGap {
  topic: string;
  count: number;
  examples: string[];
  /** Teammates' replies (that linked no article) to questions of this topic, beside the question. */
  answers: Array<{ question: string; reply: string; conversation: string }>;
}

/** A question the assistant could not answer, and the teammate's reply to it, when one came without an article. */
export interface GapQuestion {
  question: string;
  conversation: string;
  reply?: string;
}

export interface Report {
  from: string;
  to: string;
  conversations: number;
  involved: number;
  rates: { involvement: number; answer: number; deflection: number; resolution: number };
  escalationsByReason: Record<string, { count: number; rate: number }>;
  /** "Is it one of these?" choices shown, and how many of them the customer answered by picking an article. */
  choices: { shown: number; picked: number; pickRate: number };
  csat: { botOnly: number | null; handedOver: number | null; botOnlyCount: number; handedOverCount: number };
  medians: { firstResponseSeconds: number | null; resolutionSeconds: number | null };
  daily: Array<{ day: string; conversations: number; involved: number; deflected: number; escalated: number }>;
  contentGaps: ContentGap[];
  articles: Array<{ articleId: string; title: string; url?: string; cited: number; helped: number; handedOverAfter: number }>;
}

const mean = (values: number[]): number | null => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : null);
const seconds = (a: Date, b: Date) => Math.max(0, Math.round((b.getTime() - a.getTime()) / 1000));

export function conversationFigures(key: string, events: StoredEvent[]): ConversationFigures {
  const firstCustomer = events.find((event) => event.kind === "customer_message");
  const firstResponse = events.find((event) => (event.kind === "bot_answer" || event.kind === "admin_reply" || event.kind === "bot_clarify" || event.kind === "bot_choice") && (!firstCustomer || event.at >= firstCustomer.at));
  // A conversation closed and then written to again has been reopened: it is not resolved until closed again.
  const lastClose = [...events].reverse().find((event) => event.kind === "closed");
  const reopened = Boolean(lastClose && events.some((event) => event.kind === "customer_message" && event.at > lastClose.at));
  const closed = reopened ? undefined : lastClose;
  const escalation = events.find((event) => event.kind === "escalation");
  const answers = events.filter((event) => event.kind === "bot_answer");
  const feedback = events.filter((event) => event.kind === "feedback");
  const humanMessages = events.filter((event) => event.kind === "admin_reply").length;
  const helpfulClicks = feedback.filter((event) => event.data.helpful === true).length;
  const ratings = events.filter((event) => event.kind === "rating");
  const confidences = answers.map((event) => Number(event.data.confidence)).filter((value) => Number.isFinite(value));
  return {
    key,
    customerMessages: events.filter((event) => event.kind === "customer_message").length,
    botMessages: answers.length + events.filter((event) => event.kind === "bot_clarify" || event.kind === "bot_choice" || event.kind === "escalation").length,
    humanMessages,
    escalated: Boolean(escalation),
    ...(escalation ? { escalation: { reason: String(escalation.data.reason), turn: Number(escalation.data.turn ?? 0) } } : {}),
    ...(firstCustomer && firstResponse ? { firstResponseSeconds: seconds(firstCustomer.at, firstResponse.at) } : {}),
    ...(firstCustomer && closed ? { resolutionSeconds: seconds(firstCustomer.at, closed.at) } : {}),
    ...(ratings.length ? { rating: Number(ratings[ratings.length - 1]!.data.rating) } : {}),
    autoResolved: helpfulClicks > 0 || (Boolean(closed) && humanMessages === 0 && !escalation),
    ...(confidences.length ? { meanConfidence: mean(confidences)! } : {}),
    articlesCited: [...new Set(answers.flatMap((event) => (event.data.articles as Array<{ id: string }> | undefined)?.map((article) => article.id) ?? []))],
    intents: [...new Set(events.flatMap((event) => (typeof event.data.intent === "string" ? [event.data.intent] : [])))],
    helpfulClicks,
    moreHelpClicks: feedback.filter((event) => event.data.helpful === false).length,
    answeredByLlm: answers.filter((event) => event.data.by === "llm").length,
    answeredExtractive: answers.filter((event) => event.data.by === "extractive").length,
  };
}

/** Most examples, and most teammates' answers, shown per topic. */
const PER_TOPIC = 3;

/** Words that ask rather than name a subject: kept for grouping, left out of a topic's name. */
const NOT_A_NAME = new Set(["do", "does", "did", "can", "could", "would", "should", "will", "may", "might", "must", "get", "got", "use", "work", "way"]);

/** Groups unanswered questions into topics: a question joins the first topic sharing enough of its words. */
export function contentGaps(questions: GapQuestion[], minimumOverlap = 0.34): ContentGap[] {
  const topics: Array<{ words: Set<string>; examples: string[]; answers: ContentGap["answers"]; count: number; counts: Map<string, number>; spellings: Map<string, Map<string, number>> }> = [];
  for (const { question, conversation, reply } of questions) {
    const analysed = termsWithWords(question);
    const words = new Set(analysed.map(({ term }) => term));
    if (!words.size) continue;
    const home = topics.find((topic) => {
      let shared = 0;
      for (const word of words) if (topic.words.has(word)) shared++;
      return shared / Math.min(words.size, topic.words.size) >= minimumOverlap;
    });
    const topic = home ?? (topics[topics.push({ words: new Set(), examples: [], answers: [], count: 0, counts: new Map(), spellings: new Map() }) - 1]!);
    topic.count++;
    for (const word of words) {
      topic.words.add(word);
      topic.counts.set(word, (topic.counts.get(word) ?? 0) + 1);
    }
    for (const { term, word } of analysed) {
      const spellings = topic.spellings.get(term) ?? topic.spellings.set(term, new Map()).get(term)!;
      spellings.set(word, (spellings.get(word) ?? 0) + 1);
    }
    if (topic.examples.length < PER_TOPIC && !topic.examples.includes(question)) topic.examples.push(question);
    if (reply && topic.answers.length < PER_TOPIC && !topic.answers.some((answer) => answer.conversation === conversation)) topic.answers.push({ question, reply, conversation });
  }
  // A topic is named with the customers' own words: the spelling they used most for each term.
  const nameOf = (topic: (typeof topics)[number]) => {
    const spelled = (term: string) => [...topic.spellings.get(term)!].sort((a, b) => b[1] - a[1])[0]![0];
    const ranked = [...topic.counts].sort((a, b) => b[1] - a[1]).map(([term]) => term);
    const named = ranked.filter((term) => !isConversationalTerm(term) && !NOT_A_NAME.has(spelled(term)));
    return (named.length ? named : ranked).slice(0, 3).map(spelled).join(" · ");
  };
  return topics
    .sort((a, b) => b.count - a.count)
    .map((topic) => ({
      topic: nameOf(topic),
      count: topic.count,
      examples: topic.examples,
      answers: topic.answers,
    }));
}

/** Hand-overs whose question says nothing about the Help Center's subject. */
const NOT_A_TOPIC = new Set(["explicit_request", "service_unavailable", "still_reading"]);

/**
 * The questions the assistant could not answer: those it handed over for want of an article or
 * offered a choice for, and any it handed over (or, suggesting to a teammate, would have handed
 * over or offered a choice for) that a teammate then answered without linking an article, each
 * with that teammate's reply.
 */
export function gapQuestions(events: StoredEvent[]): GapQuestion[] {
  const replies = new Map<string, string>();
  for (const event of events) if (event.kind === "admin_reply" && typeof event.data.reply === "string" && !replies.has(event.conversation_key)) replies.set(event.conversation_key, event.data.reply);
  return events.flatMap((event) => {
    if (typeof event.data.question !== "string") return [];
    const reply = replies.get(event.conversation_key);
    const unanswered = (event.kind === "escalation" && event.data.reason === "low_confidence") || event.kind === "bot_choice";
    // In agent-suggestion mode the customer saw no card: the suggestion counts once a teammate answered without an article.
    const handedOver = event.kind === "escalation" || (event.kind === "bot_suggestion" && (event.data.action === "escalate" || event.data.action === "offer_choice"));
    const answeredByTeammate = handedOver && reply !== undefined && !NOT_A_TOPIC.has(String(event.data.reason));
    if (!unanswered && !answeredByTeammate) return [];
    return [{ question: event.data.question, conversation: event.conversation_key, ...(reply ? { reply } : {}) }];
  });
}
