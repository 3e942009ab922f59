// The events one assistant decision leaves in the log, whether it came from a card or a webhook.
import type { Decision } from "../assistant/assistant.ts";
import type { EventKind } from "./events.ts";

export function decisionEvent(decision: Decision, question: string, turn: number): { kind: EventKind; data: Record<string, unknown> } | undefined {
  const common = { intent: decision.intent, question: question.slice(0, 500), turn };
  switch (decision.action) {
    case "answer":
      return {
        kind: "bot_answer",
        data: { ...common, confidence: decision.confidence, by: decision.answeredBy, articles: decision.sources.map((source) => ({ id: source.articleId, title: source.title, url: source.url })) },
      };
    case "clarify":
      return { kind: "bot_clarify", data: common };
    case "offer_choice":
      return { kind: "bot_choice", data: { ...common, confidence: decision.confidence, articles: decision.options.map((source) => ({ id: source.articleId, title: source.title, url: source.url })) } };
    case "escalate":
      return { kind: "escalation", data: { ...common, reason: decision.reason, confidence: decision.confidence } };
    case "acknowledge_feedback":
      return undefined;
  }
}
