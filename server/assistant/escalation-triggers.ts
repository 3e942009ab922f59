// Phrases that mean "get me a person" whatever else the message says. Admin-configured trigger
// phrases (the policy's `escalation_triggers`) are matched as whole words, ignoring case and
// accents; the rules in triggers/<language>.txt catch the common ways people say the same things
// in each catalog language (asking for a person, a refund, closing the account, fraud).
import { readFileSync } from "node:fs";
import { z } from "zod";
import { foldText } from "../knowledge/text-analysis.ts";

export const TriggerKind = z.enum(["human_request", "urgent_problem"]);

export interface TriggerMatch {
  trigger: string;
  kind: z.infer<typeof TriggerKind>;
}

export interface TriggerRule {
  pattern: RegExp;
  kind: TriggerMatch["kind"];
}

/** The rule files, in the order they are tried; English is read as typed, the others folded. */
export const TRIGGER_LANGUAGES = ["en", "fr", "de", "es", "pt", "it", "nl"] as const;

/** Reads one rule file: `<kind> <regular expression>` per line, `#` lines are comments. */
export function loadTriggerRules(language: (typeof TRIGGER_LANGUAGES)[number]): TriggerRule[] {
  const text = readFileSync(new URL(`./triggers/${language}.txt`, import.meta.url), "utf8");
  return text.split("\n").flatMap((line, index) => {
    if (!line.trim() || line.startsWith("#")) return [];
    const space = line.indexOf(" ");
    const kind = TriggerKind.safeParse(line.slice(0, space));
    if (space < 0 || !kind.success) throw new Error(`triggers/${language}.txt line ${index + 1}: expected "human_request <pattern>" or "urgent_problem <pattern>"`);
    return [{ kind: kind.data, pattern: new RegExp(line.slice(space + 1), language === "en" ? "i" : "") }];
  });
}

const TYPED = loadTriggerRules("en");
const FOLDED = TRIGGER_LANGUAGES.filter((language) => language !== "en").flatMap(loadTriggerRules);

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export function matchTrigger(message: string, configured: string[] = []): TriggerMatch | undefined {
  const folded = foldText(message);
  for (const phrase of configured) {
    const wanted = foldText(phrase.trim());
    if (wanted && new RegExp(`(^|[^\\p{L}\\p{N}])${escape(wanted)}([^\\p{L}\\p{N}]|$)`, "u").test(folded)) return { trigger: phrase, kind: "human_request" };
  }
  for (const { pattern, kind } of TYPED) {
    const match = pattern.exec(message);
    if (match) return { trigger: match[0].trim(), kind };
  }
  for (const { pattern, kind } of FOLDED) {
    const match = pattern.exec(folded);
    if (match) return { trigger: match[0].trim(), kind };
  }
  return undefined;
}
