// The six intents and what each one makes the assistant do, in one place.
import { z } from "zod";

export const Intent = z.enum(["faq_question", "technical_question", "urgent_problem", "human_request", "feedback", "incomplete_info"]);
export type Intent = z.infer<typeof Intent>;

export type IntentAction = "answer" | "escalate" | "collect_feedback" | "clarify";
export type Priority = "low" | "normal" | "high" | "urgent";

export const INTENTS: Record<Intent, { action: IntentAction; priority: Priority; description: string }> = {
  faq_question: { action: "answer", priority: "normal", description: "a how-to or policy question the Help Center can answer" },
  technical_question: { action: "answer", priority: "normal", description: "a technical or integration question (API, webhooks, setup)" },
  urgent_problem: { action: "escalate", priority: "urgent", description: "something is wrong and needs a person now: fraud, a hacked account, a blocking outage, or the customer says the assistant cannot help" },
  human_request: { action: "escalate", priority: "high", description: "asks for a person, sales, a call, a refund or to cancel/close the account" },
  feedback: { action: "collect_feedback", priority: "low", description: "thanks, praise or a complaint about an answer, with no new question" },
  incomplete_info: { action: "clarify", priority: "normal", description: "too short or vague to act on" },
};

export const INTENT_NAMES = Intent.options;
