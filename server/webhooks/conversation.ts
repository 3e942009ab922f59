// The conversation object Intercom puts in `data.item` of conversation webhooks, as far as we read it.
import { z } from "zod";
import type { HistoryLine } from "../assistant/classifier.ts";
import { historyFromConversation } from "../intercom/directory.ts";

const Author = z.looseObject({ type: z.string().nullish(), id: z.union([z.string(), z.number()]).transform(String).nullish(), name: z.string().nullish() });
const Part = z.looseObject({ part_type: z.string().nullish(), body: z.string().nullish(), author: Author.nullish() });

export const WebhookConversation = z.looseObject({
  type: z.literal("conversation").optional(),
  id: z.union([z.string(), z.number()]).transform(String),
  source: z.looseObject({ body: z.string().nullish(), author: Author.nullish() }).nullish(),
  contacts: z.looseObject({ contacts: z.array(z.looseObject({ id: z.string(), type: z.string().nullish() })).default([]) }).nullish(),
  conversation_parts: z.looseObject({ conversation_parts: z.array(Part).default([]) }).nullish(),
  team_assignee_id: z.union([z.string(), z.number()]).transform(String).nullish(),
  tags: z.looseObject({ tags: z.array(z.looseObject({ name: z.string() })).default([]) }).nullish(),
  conversation_rating: z.looseObject({ rating: z.number().nullish(), remark: z.string().nullish() }).nullish(),
});
export type WebhookConversation = z.infer<typeof WebhookConversation>;

/** The newest part (or the opening message), which is what the notification is about. */
export function latestPart(conversation: WebhookConversation) {
  const parts = conversation.conversation_parts?.conversation_parts ?? [];
  return parts[parts.length - 1] ?? (conversation.source ? { part_type: "comment", body: conversation.source.body, author: conversation.source.author } : undefined);
}

/** The customer's newest message and everything before it. */
export function customerMessage(conversation: WebhookConversation): { text: string; history: HistoryLine[] } | undefined {
  const lines = historyFromConversation(conversation);
  const last = lines[lines.length - 1];
  if (!last || last.role !== "customer") return undefined;
  return { text: last.text, history: lines.slice(0, -1) };
}
