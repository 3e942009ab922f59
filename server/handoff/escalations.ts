// Turns the assistant's decision to escalate into a durable hand-off job. The job is written
// before the card answers, and its key makes the same escalation (a double click, a retried
// request) one job, so it can never assign or note twice.
import { customerProfile, summarize } from "../assistant/context.ts";
import type { Escalation } from "../flows/messenger.ts";
import type { JobQueue } from "../storage/queue.ts";
import { HANDOFF_JOB, type HandoffPayload } from "./handoff.ts";

export function handoffPayload(escalation: Escalation): HandoffPayload {
  const { decision, contact } = escalation;
  const customer = customerProfile(contact);
  const contactType = contact?.type === "lead" || contact?.role === "lead" ? "lead" : "user";
  return {
    ...(escalation.conversationId ? { conversationId: escalation.conversationId } : {}),
    ...(contact?.id ? { contact: { id: contact.id, type: contactType } } : {}),
    reason: decision.reason,
    detail: decision.detail,
    priority: decision.priority,
    intent: decision.intent,
    ...(escalation.lastQuestion ? { lastQuestion: escalation.lastQuestion } : {}),
    summary: summarize(escalation.history).split("\n").filter(Boolean),
    sources: decision.sources.map((source) => ({ title: source.title, ...(source.url ? { url: source.url } : {}), confidence: source.confidence })),
    customer: {
      ...(customer.name ? { name: customer.name } : {}),
      ...(customer.since ? { since: customer.since } : {}),
      ...(customer.plan ? { plan: customer.plan } : {}),
      ...(customer.segments ? { segments: customer.segments } : {}),
      ...(customer.tags ? { tags: customer.tags } : {}),
    },
    attributes: customer.attributes,
    ...(escalation.cardTeamId ? { cardTeamId: escalation.cardTeamId } : {}),
    language: escalation.language,
  };
}

export function enqueueHandoff(queue: JobQueue) {
  return async (escalation: Escalation): Promise<void> => {
    const who = escalation.conversationId ?? `contact:${escalation.contact?.id ?? "unknown"}`;
    await queue.enqueue({
      workspaceId: escalation.workspaceId,
      kind: HANDOFF_JOB,
      dedupeKey: `${who}:${escalation.turn}:${escalation.decision.reason}`,
      payload: handoffPayload(escalation),
    });
  };
}
