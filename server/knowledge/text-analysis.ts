// How text is cut into terms for lexical matching: lower-cased words, English stop words removed,
// Porter-stemmed so "refunds", "refunded" and "refunding" meet.
import { stemmer } from "stemmer";
import { eng } from "stopword";

const STOP_WORDS = new Set<string>(eng);

export const words = (text: string): string[] => text.toLowerCase().match(/[\p{L}\p{N}]+(?:['’][\p{L}]+)?/gu) ?? [];

/** The stemmed content words of a text, in order. */
export function terms(text: string): string[] {
  const out: string[] = [];
  for (const word of words(text)) {
    const bare = word.replace(/['’].*$/, "");
    if (bare.length < 2 || STOP_WORDS.has(word) || STOP_WORDS.has(bare)) continue;
    out.push(stemmer(bare));
  }
  return out;
}

export const isStopWord = (word: string) => STOP_WORDS.has(word.toLowerCase());
