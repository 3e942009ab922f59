// Intent classification: the LLM when one is configured (prompt in templates/prompts, reply parsed
// with zod, one retry, then the offline classifier as the safe default), else the offline one.
import { z } from "zod";
import type { Logger } from "../logger.ts";
import { prompts } from "../prompts.ts";
import type { ChatModel } from "./chat-model.ts";
import { matchTrigger } from "./escalation-triggers.ts";
import { INTENTS, INTENT_NAMES, Intent } from "./intents.ts";
import type { Classification, OfflineIntentClassifier } from "./offline-classifier.ts";
import type { AnalyzedLanguage } from "../knowledge/text-analysis.ts";

export interface HistoryLine {
  role: "customer" | "assistant" | "agent";
  text: string;
}

export interface IntentClassifier {
  /** `language`: the language the customer writes in (the offline fallback's needs-human model). */
  classify(message: string, options: { triggers: string[]; language?: AnalyzedLanguage; history?: HistoryLine[]; companyName?: string; signal?: AbortSignal }): Promise<Classification & { by: "llm" | "offline" }>;
}

const LlmVerdict = z.object({ intent: Intent, needs_human: z.boolean(), reason: z.string().max(300).optional() });

export function offlineClassifier(offline: OfflineIntentClassifier): IntentClassifier {
  return { classify: async (message, { triggers, language }) => ({ ...offline.classify(message, triggers, language), by: "offline" }) };
}

/** Pulls the first JSON object out of a reply that may wrap it in prose or a code fence. */
export function jsonIn(reply: string): unknown {
  const start = reply.indexOf("{");
  const end = reply.lastIndexOf("}");
  if (start < 0 || end <= start) return undefined;
  try {
    return JSON.parse(reply.slice(start, end + 1));
  } catch {
    return undefined;
  }
}

export function llmClassifier(model: ChatModel, offline: OfflineIntentClassifier, logger: Logger): IntentClassifier {
  return {
    async classify(message, { triggers, language, history = [], companyName = "our team", signal }) {
      const fallback = offline.classify(message, triggers, language);
      const prompt = prompts.classifyIntent({
        companyName,
        intents: INTENT_NAMES.map((name) => ({ name, description: INTENTS[name].description })),
        history: history.slice(-6),
        message,
      });
      for (let attempt = 1; attempt <= 2; attempt++) {
        try {
          const reply = await model.complete([{ role: "user", content: prompt }], { json: true, signal, maxTokens: 120 });
          const verdict = LlmVerdict.safeParse(jsonIn(reply));
          if (verdict.success) {
            // Configured trigger phrases are the admin's rule: the model cannot overrule them.
            const trigger = matchTrigger(message, triggers);
            const needsHuman = verdict.data.needs_human || Boolean(trigger);
            return { intent: verdict.data.intent, needsHuman, modelProbability: verdict.data.needs_human ? 1 : 0, ...(trigger ? { trigger } : {}), by: "llm" };
          }
          logger.warn({ attempt, reply: reply.slice(0, 200) }, "intent classifier returned unusable JSON");
        } catch (error) {
          logger.warn({ attempt, err: error }, "intent classifier call failed");
          if (signal?.aborted) break;
        }
      }
      return { ...fallback, by: "offline" };
    },
  };
}
