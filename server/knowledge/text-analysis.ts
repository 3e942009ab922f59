// How text is cut into terms for lexical matching: lower-cased words, the language's stop words
// removed, stemmed so "refunds", "refunded" and "refunding" (or "factures" and "facturation")
// meet. English uses the Porter stemmer; French, German, Spanish, Portuguese, Italian and Dutch
// use their Snowball stemmers (@orama/stemmers) and the `stopword` lists. A passage is analysed in
// its own locale's language, a question in its reader's.
import { stemmer as dutch } from "@orama/stemmers/dutch";
import { stemmer as french } from "@orama/stemmers/french";
import { stemmer as german } from "@orama/stemmers/german";
import { stemmer as italian } from "@orama/stemmers/italian";
import { stemmer as portuguese } from "@orama/stemmers/portuguese";
import { stemmer as spanish } from "@orama/stemmers/spanish";
import { stemmer as porter } from "stemmer";
import { deu, eng, fra, ita, nld, por, spa } from "stopword";

export const ANALYZED_LANGUAGES = ["en", "fr", "de", "es", "pt", "it", "nl"] as const;
export type AnalyzedLanguage = (typeof ANALYZED_LANGUAGES)[number];

/** A text without its accents ("résilier" → "resilier"): stop words, the glossary and triggers compare words so. */
export const unaccented = (text: string) => text.normalize("NFD").replace(/\p{M}/gu, "");

/** Lower case, without accents, with typographic apostrophes made plain: how phrases are compared. */
export const foldText = (text: string) => unaccented(text).replace(/[’‘]/g, "'").toLowerCase();

/** Question words the `stopword` lists lack ("how", "can I", "where"): they say nothing about the subject. */
const QUESTION_WORDS: Record<AnalyzedLanguage, string[]> = {
  en: [],
  fr: ["comment", "puis", "quoi", "est-ce"],
  de: [],
  es: ["puedo", "hay", "mis", "tu", "donde", "cual"],
  pt: ["faco", "posso", "onde"],
  it: ["posso"],
  nl: ["waar"],
};

const stopList = (words: string[], language: AnalyzedLanguage) => new Set([...words, ...QUESTION_WORDS[language]].map(unaccented));

const ANALYSIS: Record<AnalyzedLanguage, { stem: (word: string) => string; stopWords: Set<string> }> = {
  en: { stem: porter, stopWords: new Set(eng) },
  fr: { stem: french, stopWords: stopList(fra, "fr") },
  de: { stem: german, stopWords: stopList(deu, "de") },
  es: { stem: spanish, stopWords: stopList(spa, "es") },
  pt: { stem: portuguese, stopWords: stopList(por, "pt") },
  it: { stem: italian, stopWords: stopList(ita, "it") },
  nl: { stem: dutch, stopWords: stopList(nld, "nl") },
};

/** The analysed language of a locale ("fr-CA" → "fr"); any other is analysed as English. */
export function analysisLanguageOf(locale: string | null | undefined): AnalyzedLanguage {
  const base = (locale ?? "").toLowerCase().split(/[-_@]/)[0] ?? "";
  return (ANALYZED_LANGUAGES as readonly string[]).includes(base) ? (base as AnalyzedLanguage) : "en";
}

/** One word as `words` cuts it (letters and digits, with an apostrophe's ending: "don't", "l'équipe"). */
export const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}]+)?/gu;

export const words = (text: string): string[] => text.toLowerCase().match(WORD) ?? [];

/** French and Italian elide the article or pronoun before a word ("l'équipe", "dell'account"): the word is what follows. */
const ELIDED = /^(?:[\p{L}]{1,2}|qu|jusqu|lorsqu|puisqu|dell|all|dall|nell|sull)['’]/u;

/** The stemmed content words of a text, in order, analysed as `language` (English by default). */
export function terms(text: string, language: AnalyzedLanguage = "en"): string[] {
  return termsWithWords(text, language).map(({ term }) => term);
}

/** `terms`, each with the word it was made from, to name a term in the writer's own words. */
export function termsWithWords(text: string, language: AnalyzedLanguage = "en"): Array<{ term: string; word: string }> {
  const { stem, stopWords } = ANALYSIS[language];
  const out: Array<{ term: string; word: string }> = [];
  for (const word of words(text)) {
    const bare = (language === "fr" || language === "it") && ELIDED.test(word) ? word.replace(ELIDED, "") : word.replace(/['’].*$/, "");
    if (!bare || stopWords.has(word) || stopWords.has(bare) || (language !== "en" && stopWords.has(unaccented(bare)))) continue;
    out.push({ term: stem(bare), word: bare });
  }
  return out;
}

function sharedCount(x: ReadonlySet<string>, y: ReadonlySet<string>): number {
  let shared = 0;
  for (const term of x) if (y.has(term)) shared++;
  return shared;
}

/** How many distinct terms two messages have, and how many they share. */
export function termOverlap(a: string, b: string): { shared: number; a: number; b: number } {
  const x = new Set(terms(a));
  const y = new Set(terms(b));
  return { shared: sharedCount(x, y), a: x.size, b: y.size };
}

/** The share of two sets of terms that they have in common (Jaccard). */
export function setOverlap(x: ReadonlySet<string>, y: ReadonlySet<string>): number {
  const shared = sharedCount(x, y);
  return shared ? shared / (x.size + y.size - shared) : 0;
}

/** The share of two messages' distinct terms they have in common: 1 for the same words in another order. */
export const wordingOverlap = (a: string, b: string): number => setOverlap(new Set(terms(a)), new Set(terms(b)));

/**
 * Words that carry the conversation, not its subject: "yes, I want to know more about NLU" asks
 * about NLU alone. Written for this product; the `stopword` lists keep them because they are
 * content words in ordinary prose.
 */
const CONVERSATIONAL: Record<AnalyzedLanguage, string> = {
  en: "yes yeah yep nope ok okay hi hello hey please thanks thank want wanna need know tell explain info information question wonder mean something anything thing stuff",
  fr: "oui ok bonjour salut merci svp stp veux voudrais vouloir besoin savoir dire expliquer info infos information question chose",
  de: "ja nein ok hallo hi danke bitte mochte mochten will wollen brauche brauchen wissen sagen erklaren info infos information frage",
  es: "ok hola gracias favor quiero quisiera necesito saber decir explicar info informacion pregunta",
  pt: "sim ok ola oi obrigado obrigada favor quero queria preciso saber dizer explicar info informacao pergunta",
  it: "ok ciao salve grazie favore voglio vorrei bisogno sapere dire spiegare info informazione domanda qualcosa",
  nl: "ja nee ok hallo hoi dank bedankt alsjeblieft graag wil wilt weten zeggen uitleggen info informatie vraag",
};
const conversationalTerms = new Map<AnalyzedLanguage, Set<string>>();

/** Whether an analysed term (`terms`) is one of the conversation's words in `language`. */
export function isConversationalTerm(term: string, language: AnalyzedLanguage = "en"): boolean {
  let known = conversationalTerms.get(language);
  if (!known) conversationalTerms.set(language, (known = new Set(terms(CONVERSATIONAL[language], language))));
  return known.has(term);
}

export const isStopWord = (word: string, language: AnalyzedLanguage = "en") => {
  const lower = word.toLowerCase();
  return ANALYSIS[language].stopWords.has(lower) || (language !== "en" && ANALYSIS[language].stopWords.has(unaccented(lower)));
};
