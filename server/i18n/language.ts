// Which language to answer in: the Messenger's locale, unless the message is clearly written in
// another catalog language. The identifier (eld, an n-gram language detector) is trusted only on
// a few words with a clear lead: short or mixed messages ("reset my password" scores Italian and
// English alike) keep the locale.
import { eld } from "eld/small";
import { LANGUAGES, isLanguage, languageOfLocale, type Language } from "./catalog.ts";

eld.setLanguageSubset([...LANGUAGES]);

/** Fewer words than this say too little about their language. */
const MIN_WORDS = 3;
/** The detected language must score at least this… */
const MIN_SCORE = 0.7;
/** …and lead the next one by this much. */
const MIN_LEAD = 0.08;

/** The catalog language a message is clearly written in, if any. */
export function detectLanguage(message: string): Language | undefined {
  if (message.trim().split(/\s+/).length < MIN_WORDS) return undefined;
  const result = eld.detect(message);
  if (!result.isReliable() || !isLanguage(result.language)) return undefined;
  const [first = 0, second = 0] = Object.values(result.getScores()).sort((a, b) => b - a);
  return first >= MIN_SCORE && first - second >= MIN_LEAD ? result.language : undefined;
}

/** The language to speak: the message's when it is clear, else the locale's (English outside the catalog). */
export function chooseLanguage(input: { locale?: string | null; message?: string }): Language {
  return (input.message ? detectLanguage(input.message) : undefined) ?? languageOfLocale(input.locale);
}
