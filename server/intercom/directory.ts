// What Intercom knows about a conversation, a customer and the workspace's teams, read through intercom-client with a
// short deadline: the canvas cannot wait long, and without it the assistant still has the card's
// own history and the contact the request carried.
import type { IntercomClient } from "intercom-client";
import { z } from "zod";
import type { Contact } from "../../canvas/requests.ts";
import type { HistoryLine } from "../assistant/classifier.ts";
import { htmlToText } from "../knowledge/html-text.ts";

export interface CustomerDirectory {
  conversationHistory(conversationId: string, signal?: AbortSignal): Promise<HistoryLine[]>;
  contact(contactId: string, signal?: AbortSignal): Promise<Contact | undefined>;
  /** The workspace's teams (GET /teams), by name. */
  teams(signal?: AbortSignal): Promise<Team[]>;
  /** The names of the workspace's segments (GET /segments) and tags (GET /tags), sorted. */
  segments(signal?: AbortSignal): Promise<string[]>;
  tags(signal?: AbortSignal): Promise<string[]>;
}

export const Team = z.object({ id: z.coerce.string(), name: z.string() });
export type Team = z.infer<typeof Team>;
const TeamList = z.looseObject({ teams: z.array(z.looseObject(Team.shape)).default([]) });

const Author = z.looseObject({ type: z.string().nullish(), name: z.string().nullish() });
const Part = z.looseObject({ part_type: z.string().nullish(), body: z.string().nullish(), author: Author.nullish() });
const ConversationShape = z.looseObject({
  source: z.looseObject({ body: z.string().nullish(), author: Author.nullish() }).nullish(),
  conversation_parts: z.looseObject({ conversation_parts: z.array(Part).default([]) }).nullish(),
});
const Named = z.looseObject({ data: z.array(z.looseObject({ name: z.string().nullish() })).default([]) });
const SegmentList = z.looseObject({ segments: z.array(z.looseObject({ name: z.string().nullish() })).default([]) });
const sortedNames = (items: Array<{ name?: string | null }>) => [...new Set(items.flatMap((item) => (item.name ? [item.name] : [])))].sort((a, b) => a.localeCompare(b));

const roleOf = (type: string | null | undefined): HistoryLine["role"] =>
  type === "admin" || type === "team" ? "agent" : type === "bot" ? "assistant" : "customer";

/** Intercom's parts, oldest first, as plain-text history lines; notes and empty events are skipped. */
export function historyFromConversation(conversation: unknown): HistoryLine[] {
  const parsed = ConversationShape.safeParse(conversation);
  if (!parsed.success) return [];
  const lines: HistoryLine[] = [];
  const { source, conversation_parts: parts } = parsed.data;
  if (source?.body) lines.push({ role: roleOf(source.author?.type), text: htmlToText(source.body) });
  for (const part of parts?.conversation_parts ?? []) {
    if (!part.body || part.part_type === "note") continue;
    const text = htmlToText(part.body);
    if (text) lines.push({ role: roleOf(part.author?.type), text });
  }
  return lines;
}

export function intercomDirectory(client: IntercomClient): CustomerDirectory {
  const options = (signal?: AbortSignal) => ({ timeoutInSeconds: 2, maxRetries: 0, ...(signal ? { abortSignal: signal } : {}) });
  return {
    async conversationHistory(conversationId, signal) {
      const conversation = await client.conversations.find({ conversation_id: conversationId, display_as: "plaintext" }, options(signal));
      return historyFromConversation(conversation);
    },
    async contact(contactId, signal) {
      const [contact, segments, tags] = await Promise.all([
        client.contacts.find({ contact_id: contactId }, options(signal)),
        client.contacts.listAttachedSegments({ contact_id: contactId }, options(signal)).catch(() => undefined),
        client.contacts.listAttachedTags({ contact_id: contactId }, options(signal)).catch(() => undefined),
      ]);
      const names = (list: unknown) => (Named.safeParse(list).data?.data ?? []).flatMap((item) => (item.name ? [{ name: item.name }] : []));
      return { ...(contact as unknown as Contact), segments: { segments: names(segments) }, tags: { tags: names(tags) } };
    },
    async teams(signal) {
      const list = TeamList.parse(await client.teams.list(options(signal)));
      return list.teams.map(({ id, name }) => ({ id, name })).sort((a, b) => a.name.localeCompare(b.name));
    },
    async segments(signal) {
      return sortedNames(SegmentList.parse(await client.segments.list({}, options(signal))).segments);
    },
    async tags(signal) {
      return sortedNames(Named.parse(await client.tags.list(options(signal))).data);
    },
  };
}
