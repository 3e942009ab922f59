// The support glossary: everyday support words in each catalog language (glossary/<language>.txt)
// with their English equivalents, written for this product (no evaluation data). A question in
// French, German, Spanish, Portuguese, Italian or Dutch to a Help Center written in English is
// widened with the English words, on both sides of retrieval, the way the thesaurus widens an
// English one.
// Entries are base forms, matched on stems in the question's language (so "factures", "facturer"
// and "facture" meet one entry) and without accents; a phrase may map to several English words.
import { readFileSync } from "node:fs";
import { terms, unaccented, type AnalyzedLanguage } from "./text-analysis.ts";
import type { QueryExpansion } from "./thesaurus.ts";

/** A language's entries (glossary/<language>.txt): `phrase = English words` per line, `#` lines are comments. */
export function loadGlossary(language: GlossaryLanguage): Array<readonly [string, string]> {
  const text = readFileSync(new URL(`./glossary/${language}.txt`, import.meta.url), "utf8");
  return text.split("\n").flatMap((line, index) => {
    if (!line.trim() || line.startsWith("#")) return [];
    const [phrase, english, ...rest] = line.split("=").map((part) => part.trim());
    if (!phrase || !english || rest.length) throw new Error(`glossary/${language}.txt line ${index + 1}: expected "phrase = English words"`);
    return [[phrase, english] as const];
  });
}

export const GLOSSARY_LANGUAGES = ["fr", "de", "es", "pt", "it", "nl"] as const;
type GlossaryLanguage = (typeof GLOSSARY_LANGUAGES)[number];
const hasGlossary = (language: AnalyzedLanguage): language is GlossaryLanguage => (GLOSSARY_LANGUAGES as readonly string[]).includes(language);

const stemmed = new Map<AnalyzedLanguage, Array<{ stems: string[]; english: string }>>();
function entriesOf(language: AnalyzedLanguage) {
  let entries = stemmed.get(language);
  if (!entries) {
    entries = (hasGlossary(language) ? loadGlossary(language) : []).map(([phrase, english]) => ({ stems: terms(unaccented(phrase), language), english })).filter((entry) => entry.stems.length > 0);
    stemmed.set(language, entries);
  }
  return entries;
}

/**
 * German (and Dutch) join words: "Kartenzahlungen" is a kind of "Zahlung". A compound is also
 * matched by its head, the last part, when that part is a word of its own of four letters or more.
 */
const COMPOUNDING = new Set<AnalyzedLanguage>(["de", "nl"]);
const sameOrHead = (stem: string, entry: string, language: AnalyzedLanguage) => stem === entry || (COMPOUNDING.has(language) && entry.length >= 4 && stem.length >= entry.length + 3 && stem.endsWith(entry));

/** Whether an entry's stems stand at `start` in the question's (a one-word entry also as a compound's head). */
const matchesAt = (stems: string[], start: number, entry: string[], language: AnalyzedLanguage) =>
  entry.length === 1 ? sameOrHead(stems[start]!, entry[0]!, language) : entry.every((stem, i) => stems[start + i] === stem);

/** The English words a question's everyday support words stand for (each with the question's stem it stands for), or none when its language has no glossary. */
export function englishWordsFor(question: string, language: AnalyzedLanguage): Array<{ english: string; standsFor: string }> {
  const entries = entriesOf(language);
  if (!entries.length) return [];
  const stems = terms(unaccented(question), language);
  const seen = new Set<string>();
  return entries.flatMap((entry) => {
    const at = stems.findIndex((_, start) => matchesAt(stems, start, entry.stems, language));
    if (at < 0 || seen.has(entry.english)) return [];
    seen.add(entry.english);
    // It stands for the question's own word (a compound stands for itself), so coverage counts it.
    return [{ english: entry.english, standsFor: stems[at]! }];
  });
}

/** A question's thesaurus expansion, widened with the English of its words when it is asked of an English Help Center in another language. */
export function withGlossary(expansion: QueryExpansion, question: string, from: AnalyzedLanguage, to: AnalyzedLanguage): QueryExpansion {
  if (from === to || to !== "en") return expansion;
  const found = englishWordsFor(question, from);
  if (!found.length) return expansion;
  const have = new Set(expansion.lexical.map((entry) => entry.term));
  const lexical = [...expansion.lexical];
  for (const { english, standsFor } of found) {
    for (const term of terms(english)) {
      if (have.has(term)) continue;
      have.add(term);
      lexical.push({ term, standsFor });
    }
  }
  return { lexical, denseText: `${expansion.denseText}\n${found.map((entry) => entry.english).join(", ")}` };
}
