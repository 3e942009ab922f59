// Writes the reply from retrieved passages: with the LLM when configured (grounded prompt, JSON
// reply parsed with zod), inside a time budget; otherwise, or when the LLM is slow or unusable,
// an extractive reply made of the passage's most relevant sentences.
import { z } from "zod";
import type { Passage } from "../knowledge/knowledge-base.ts";
import type { Logger } from "../logger.ts";
import { prompts } from "../prompts.ts";
import { relevantSentences } from "./extractive.ts";
import type { ChatModel } from "./chat-model.ts";
import { jsonIn } from "./classifier.ts";
import type { CustomerProfile } from "./context.ts";
import type { AssistantPolicy } from "./policy.ts";

export interface AnswerDraft {
  text: string;
  /** Articles the reply relies on; the first is the one it was drawn from. */
  citedArticleIds: string[];
  /** False when the writer found the documents do not answer the question. */
  answerable: boolean;
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
  return { text: relevantSentences(best.text, question, 3), citedArticleIds: [best.articleId], answerable: true, by: "extractive" };
}

export async function llmAnswer(
  model: ChatModel,
  input: { question: string; passages: Passage[]; customer: CustomerProfile; summary: string; policy: AssistantPolicy; signal: AbortSignal },
): Promise<AnswerDraft | FallbackReason> {
  const prompt = prompts.answer({
    companyName: input.policy.company_name,
    helpCenterName: input.policy.help_center_name,
    tone: input.policy.tone,
    customer: input.customer,
    summary: input.summary,
    documents: input.passages.map((passage) => ({ id: passage.articleId, title: passage.title, url: passage.url ?? "", text: passage.text })),
    message: input.question,
  });
  let reply: string;
  try {
    reply = await model.complete([{ role: "user", content: prompt }], { json: true, signal: input.signal, maxTokens: 400 });
  } catch {
    return input.signal.aborted ? "timeout" : "error";
  }
  const parsed = LlmAnswer.safeParse(jsonIn(reply));
  if (!parsed.success) return "invalid";
  const known = new Set(input.passages.map((passage) => passage.articleId));
  const cited = parsed.data.cited.filter((id) => known.has(id));
  return {
    text: keepKnownLinks(parsed.data.answer.trim(), input.passages),
    citedArticleIds: cited.length ? cited : [input.passages[0]!.articleId],
    answerable: parsed.data.answerable,
    by: "llm",
  };
}

export interface AnswerStats {
  llm: number;
  extractive: number;
  fallbacks: Record<FallbackReason, number>;
}

export const newAnswerStats = (): AnswerStats => ({ llm: 0, extractive: 0, fallbacks: { timeout: 0, error: 0, invalid: 0 } });

/** The LLM's answer if it arrives in time and makes sense, else the extractive one (logged and counted). */
export async function writeAnswer(
  input: { question: string; passages: Passage[]; customer: CustomerProfile; summary: string; policy: AssistantPolicy; deadline: AbortSignal },
  deps: { model?: ChatModel; logger: Logger; stats: AnswerStats },
): Promise<AnswerDraft> {
  if (deps.model) {
    const draft = await llmAnswer(deps.model, { ...input, signal: input.deadline });
    if (typeof draft !== "string") {
      deps.stats.llm++;
      return draft;
    }
    deps.stats.fallbacks[draft]++;
    deps.logger.warn({ reason: draft }, "LLM answer unavailable; sending the extractive answer");
  }
  deps.stats.extractive++;
  return extractiveAnswer(input.question, input.passages);
}
