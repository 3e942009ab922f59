// Inbox app for teammates, in the conversation details panel: search the Help Center and see the
// reply the assistant would give.
import { InboxIds, inboxCard, type InboxView } from "../../canvas/admin-cards.ts";
import type { InboxInitializeRequest, InboxSubmitRequest } from "../../canvas/requests.ts";
import type { CanvasResponse } from "../../canvas/responses.ts";
import { composeAnswer } from "../assistant/answer.ts";
import type { KnowledgeBase } from "../knowledge/knowledge-base.ts";

const context = (request: InboxInitializeRequest | InboxSubmitRequest): InboxView => ({
  contactName: request.contact?.name ?? undefined,
  conversationId: request.conversation?.id,
});

export function initialize(request: InboxInitializeRequest): CanvasResponse {
  return inboxCard({ ...context(request), notice: "Search the Help Center to see the answer the assistant would give." });
}

export async function submit(request: InboxSubmitRequest, deps: { knowledge: KnowledgeBase }): Promise<CanvasResponse> {
  const raw = request.input_values[InboxIds.query];
  const query = (typeof raw === "string" ? raw : "").trim().slice(0, 1000);
  if (request.component_id !== InboxIds.search || !query) return initialize(request);

  const passages = await deps.knowledge.search(request.workspace_id, query, { topK: 5 });
  const answer = composeAnswer(query, passages);
  return inboxCard({
    ...context(request),
    query,
    ...(answer.kind === "answer"
      ? { suggestion: { text: answer.text, confidence: answer.confidence } }
      : { notice: "No confident answer in the Help Center: this one is for a person." }),
    articles: passages.map((passage) => ({ title: passage.title, url: passage.url, confidence: passage.confidence })),
  });
}
