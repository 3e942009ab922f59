// Writes the reply from retrieved passages: with the LLM when configured (one call that judges the
// message and answers it from the documents, JSON parsed with zod), inside a time budget;
// otherwise, or when the LLM is slow or unusable, an extractive reply made of the passage's most
// relevant sentences.
import { z } from "zod";
import type { Passage } from "../knowledge/knowledge-base.ts";
import type { Logger } from "../logger.ts";
import { prompts } from "../prompts.ts";
import { relevantSentences } from "./extractive.ts";
import type { ChatModel } from "./chat-model.ts";
import { jsonIn } from "./classifier.ts";
import { INTENTS, INTENT_NAMES, Intent } from "./intents.ts";
import type { CustomerProfile } from "./context.ts";
import type { AssistantPolicy } from "./policy.ts";

export interface AnswerDraft {
  text: string;
  /** Articles the reply relies on; the first is the one it was drawn from. */
  citedArticleIds: string[];
  /** False when the writer found the documents do not answer the question. */
  answerable: boolean;
  /** The writer cited at least one of the documents it was given, and nothing else. */
  citesOnlyGiven: boolean;
  by: "llm" | "extractive";
}

export type FallbackReason = "timeout" | "error" | "invalid";

const LlmAnswer = z.object({
  answer: z.string().min(1).max(2000),
  answerable: z.boolean(),
  cited: z.array(z.string()).max(10).default([]),
});

/**
 * Links the model wrote that do not come from the retrieved articles are turned back into plain
 * text: a reply must never send the customer somewhere the Help Center does not.
 */
export function keepKnownLinks(text: string, passages: Passage[]): string {
  const allowed = new Set<string>();
  for (const passage of passages) {
    if (passage.url) allowed.add(passage.url);
    for (const match of passage.text.matchAll(/\]\((https?:\/\/[^)\s]+)\)/g)) allowed.add(match[1]!);
  }
  return text
    .replace(/\[([^\]]*)\]\((https?:\/\/[^)\s]+)\)/g, (link, label: string, url: string) => (allowed.has(url) ? link : label))
    .replace(/(?<![(\w])https?:\/\/[^\s)\]]+/g, (url) => (allowed.has(url) ? url : "[link removed]"));
}

export function extractiveAnswer(question: string, passages: Passage[]): AnswerDraft {
  const best = passages[0]!;
  return { text: relevantSentences(best.text, question, 3), citedArticleIds: [best.articleId], answerable: true, citesOnlyGiven: true, by: "extractive" };
}

/** What the one model call returns: its judgement of the message, and the answer from the documents. */
const ModelReply = z.object({
  intent: Intent,
  needs_human: z.boolean(),
  answerable: z.boolean(),
  cited: z.array(z.string()).max(10).default([]),
  answer: z.string().max(2000),
});

export interface Judgement {
  intent: Intent;
  needsHuman: boolean;
}

/** About how many tokens a word takes, with room for the JSON around the answer. */
const tokensFor = (words: number) => Math.ceil(words * 1.6) + 60;

/**
 * One model call per message that involves documents: it judges (intent, does this need a
 * person, do the documents answer it) and writes the answer with its citations. Invalid JSON is
 * asked for once more while the deadline allows.
 */
export async function judgeAndAnswer(
  model: ChatModel,
  input: { question: string; passages: Passage[]; customer: CustomerProfile; summary: string; policy: AssistantPolicy; maxWords: number; signal: AbortSignal; language?: string },
): Promise<{ judgement: Judgement; draft: AnswerDraft } | FallbackReason> {
  const rules = prompts.respondRules({
    companyName: input.policy.company_name,
    helpCenterName: input.policy.help_center_name,
    tone: input.policy.tone,
    intents: INTENT_NAMES.map((name) => ({ name, description: INTENTS[name].description })),
    maxWords: input.maxWords,
  });
  const request = prompts.respondRequest({
    customer: input.customer,
    summary: input.summary,
    documents: input.passages.map((passage) => ({ id: passage.articleId, title: passage.title, url: passage.url ?? "", text: passage.text })),
    message: input.question,
    language: input.language ?? "English",
  });
  let outcome: FallbackReason = "invalid";
  for (let attempt = 1; attempt <= 2 && !input.signal.aborted; attempt++) {
    let reply: string;
    try {
      reply = await model.complete([{ role: "system", content: rules }, { role: "user", content: request }], { json: true, signal: input.signal, maxTokens: tokensFor(input.maxWords) });
    } catch {
      return input.signal.aborted ? "timeout" : "error";
    }
    const parsed = ModelReply.safeParse(jsonIn(reply));
    if (!parsed.success || (parsed.data.answerable && !parsed.data.answer.trim())) {
      outcome = "invalid";
      continue;
    }
    const known = new Set(input.passages.map((passage) => passage.articleId));
    const cited = parsed.data.cited.filter((id) => known.has(id));
    return {
      judgement: { intent: parsed.data.intent, needsHuman: parsed.data.needs_human },
      draft: {
        text: keepKnownLinks(parsed.data.answer.trim(), input.passages),
        citedArticleIds: cited.length ? cited : [input.passages[0]!.articleId],
        answerable: parsed.data.answerable,
        citesOnlyGiven: cited.length > 0 && cited.length === parsed.data.cited.length,
        by: "llm",
      },
    };
  }
  return input.signal.aborted ? "timeout" : outcome;
}

export interface AnswerStats {
  llm: number;
  extractive: number;
  /** "unsupported": the model's answer stated what its cited passages do not hold (server/assistant/answer-support.ts). */
  fallbacks: Record<FallbackReason | "unsupported", number>;
}

export const newAnswerStats = (): AnswerStats => ({ llm: 0, extractive: 0, fallbacks: { timeout: 0, error: 0, invalid: 0, unsupported: 0 } });

/** What the reply is written from, and the deadline every model call of the message shares. */
export interface AnswerInput {
  question: string;
  passages: Passage[];
  customer: CustomerProfile;
  summary: string;
  policy: AssistantPolicy;
  maxWords: number;
  deadline: AbortSignal;
  language?: string;
}

/** The one call's judgement and answer, counted; nothing (logged and counted) when the model is late or unusable. */
async function modelReply(input: AnswerInput, deps: { model: ChatModel; logger: Logger; stats: AnswerStats }, instead: string) {
  const reply = await judgeAndAnswer(deps.model, { ...input, signal: input.deadline });
  if (typeof reply !== "string") {
    deps.stats.llm++;
    return reply;
  }
  deps.stats.fallbacks[reply]++;
  deps.logger.warn({ reason: reply }, `LLM reply unavailable; ${instead}`);
  return undefined;
}

/**
 * For the unsure band (articles close, none sure): the model's judgement, and its answer from the
 * articles offered if they contain one. Nothing when the model is late or unusable: the caller
 * then offers the choice, never a guess.
 */
export const judgeChoice = (input: AnswerInput, deps: { model: ChatModel; logger: Logger; stats: AnswerStats }) => modelReply(input, deps, "offering the choice");

/**
 * The model's judgement and answer if they arrive in time and make sense; else the extractive
 * answer and no judgement (logged and counted), and the caller decides without the model.
 */
export async function writeAnswer(input: AnswerInput, deps: { model?: ChatModel; logger: Logger; stats: AnswerStats }): Promise<{ draft: AnswerDraft; judgement?: Judgement }> {
  if (deps.model) {
    const reply = await modelReply(input, { ...deps, model: deps.model }, "sending the extractive answer");
    if (reply) return reply;
  }
  deps.stats.extractive++;
  return { draft: extractiveAnswer(input.question, input.passages) };
}
