// A past conversation, read for what it teaches: every teammate reply with what the customer had
// asked before it. The reply keeps its HTML (its links name the articles); the customer's messages
// become plain text. Notes, bots' parts and empty parts teach nothing and are counted, not failed.
import { z } from "zod";
import { detectLanguage } from "../i18n/language.ts";
import { htmlToText } from "../knowledge/html-text.ts";

const Author = z.looseObject({ type: z.string().nullish() });
const Part = z.looseObject({
  part_type: z.string().nullish(),
  body: z.string().nullish(),
  author: Author.nullish(),
  attachments: z.array(z.unknown()).nullish(),
});
/** `GET /conversations/{id}`: the opening message (`source`) and the parts after it, oldest first. */
export const PastConversation = z.looseObject({
  id: z.union([z.string(), z.number()]).transform(String),
  source: Part.nullish(),
  conversation_parts: z.looseObject({ conversation_parts: z.array(Part).default([]) }).nullish(),
});
export type PastConversation = z.infer<typeof PastConversation>;

export interface TeammateAnswer {
  /** The reply's HTML. */
  body: string;
  /** The customer's messages before it, oldest first. */
  customerQuestions: string[];
}

export type SkipReason = "attachments_only" | "no_text" | "other_language" | "no_teammate_reply";

export interface ConversationReading {
  /** The customer's first message: what the assistant would have been asked. */
  firstQuestion: string | undefined;
  answers: TeammateAnswer[];
  skipped: Partial<Record<SkipReason, number>>;
}

const CUSTOMERS = new Set(["user", "lead", "contact"]);

/**
 * Whether a message is written in a language the Help Center does not have: a catalog language
 * clearly detected and not among its locales, or a script none of them is written in.
 */
export function inOtherLanguage(text: string, helpCenterLanguages: ReadonlySet<string>): boolean {
  if (/\p{L}/u.test(text) && !/\p{Script=Latin}/u.test(text)) return true;
  const detected = detectLanguage(text);
  return detected !== undefined && !helpCenterLanguages.has(detected);
}

export function readConversation(conversation: PastConversation, helpCenterLanguages: ReadonlySet<string>): ConversationReading {
  const reading: ConversationReading = { firstQuestion: undefined, answers: [], skipped: {} };
  const skip = (reason: SkipReason) => (reading.skipped[reason] = (reading.skipped[reason] ?? 0) + 1);
  const asked: string[] = [];
  const parts = [...(conversation.source ? [{ ...conversation.source, part_type: "comment" }] : []), ...(conversation.conversation_parts?.conversation_parts ?? [])];
  for (const part of parts) {
    const who = part.author?.type ?? "";
    if (part.part_type === "note" || !(CUSTOMERS.has(who) || who === "admin")) continue;
    const text = part.body ? htmlToText(part.body) : "";
    if (!text) {
      if (part.attachments?.length) skip("attachments_only");
      else if (part.part_type === "comment") skip("no_text");
      continue;
    }
    if (CUSTOMERS.has(who)) {
      if (inOtherLanguage(text, helpCenterLanguages)) {
        skip("other_language");
        continue;
      }
      reading.firstQuestion ??= text;
      asked.push(text);
    } else if (asked.length) reading.answers.push({ body: part.body!, customerQuestions: [...asked] });
  }
  if (!reading.answers.length) skip("no_teammate_reply");
  return reading;
}
