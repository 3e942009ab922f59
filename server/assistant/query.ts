// Follow-ups lean on what was asked before: "and on mobile?" means nothing alone. When a message
// looks like one, the previous question is searched with it.
import { terms } from "../knowledge/text-analysis.ts";

const FOLLOW_UP_OPENING = /^(and|also|what about|how about|or|but|same|then|what if)\b/i;
const POINTING_WORD = /\b(it|that|this|those|these|them|there|one)\b/i;

export function isFollowUp(message: string): boolean {
  const content = terms(message).length;
  return content <= 1 || FOLLOW_UP_OPENING.test(message.trim()) || (content <= 3 && POINTING_WORD.test(message));
}

/** The text to retrieve with: the message, preceded by the last question when it is a follow-up. */
export function searchQuery(message: string, previousQuestions: string[]): string {
  const previous = previousQuestions[previousQuestions.length - 1];
  return previous && isFollowUp(message) ? `${previous} ${message}` : message;
}
