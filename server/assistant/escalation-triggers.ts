// Phrases that mean "get me a person" whatever else the message says. Admin-configured trigger
// phrases (the policy's `escalation_triggers`) are matched case-insensitively as whole words; the
// patterns below catch the common ways people say the same things.

export interface TriggerMatch {
  trigger: string;
  kind: "human_request" | "urgent_problem";
}

const PATTERNS: Array<[RegExp, TriggerMatch["kind"]]> = [
  [/\b(talk|speak|chat|connect|put me through|transfer|escalate)\b.{0,30}\b(human|person|someone|somebody|agent|representative|rep|manager|supervisor|team|sales|people|operator|staff|support|employee)\b/i, "human_request"],
  [/\b(real|live|actual)\s+(person|human|agent|support)\b/i, "human_request"],
  [/^\s*(human|agent|operator|representative)( please)?[.!?]*\s*$/i, "human_request"],
  [/\b(human|person|employee|agent)\b.{0,20}\b(support|assist|help)\b|\b(get|need|want|have) (a |an )?(human|person|employee|agent)\b/i, "human_request"],
  [/\b(refund me|want (a|my) refund|money back|request (a )?refund|get (a|my) refund)\b/i, "human_request"],
  [/\b(cancel|close|delete|terminate)\b.{0,20}\b(account|subscription)\b/i, "human_request"],
  // "Sales tax" is a tax, and a quote is something an invoicing customer writes themselves: only asking for one is sales.
  [/\b(sales(?! tax)|(get|request|want|need) a (price )?quote|(book|schedule|get|have) a demo)\b/i, "human_request"],
  [/\b(call me|call back|phone number|book a call|schedule a call)\b/i, "human_request"],
  [/\b(a|the|sales|phone|video) ?call\b|\bcall (with|please)\b|\b(want|like) to call\b/i, "human_request"],
  [/\b(buy|purchase|sign me up)\b/i, "human_request"],
  [/\b(hacked|fraud|compromised|didn'?t make|did not make|don'?t recogni[sz]e|not recogni[sz]ed|unauthori[sz]ed)\b/i, "urgent_problem"],
  [/\b(did ?n[o']t (do|make|authori[sz]e)|don'?t know where (this|that) (transaction|payment|charge)|someone (is using|used) my (account|card))\b/i, "urgent_problem"],
  [/\b(useless|not help(ing|ful)|can'?t help|cannot help|doesn'?t help|does not help|didn'?t help|this doesn'?t help)\b/i, "urgent_problem"],
  [/^\s*(exit|quit|stop|enough)[.!?]*\s*$/i, "urgent_problem"],
  [/\b(stop this|leading (to )?nothing|going nowhere|that'?s it\?|nothing else\?|you cant|you can'?t|can'?t do what i want|don'?t think you can)\b/i, "urgent_problem"],
];

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export function matchTrigger(message: string, configured: string[] = []): TriggerMatch | undefined {
  for (const phrase of configured) {
    if (phrase.trim() && new RegExp(`(^|\\W)${escape(phrase.trim())}(\\W|$)`, "i").test(message)) return { trigger: phrase, kind: "human_request" };
  }
  for (const [pattern, kind] of PATTERNS) {
    const match = pattern.exec(message);
    if (match) return { trigger: match[0].trim(), kind };
  }
  return undefined;
}
