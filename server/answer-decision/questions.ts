// Questions a customer might ask, generated from an article alone: its title (as written and as a
// question), description, headings, the question-like sentences of its body, and body sentences
// cut down to a few of their words or with words swapped for synonyms, the way customers type.
// Self-calibration asks them of the workspace's own Help Center, so its confidence model learns
// what right and wrong look like there, with no labelled questions.
import type { ArticleView } from "../knowledge/knowledge-base.ts";
import { searchableText } from "../knowledge/html-text.ts";
import { analysisLanguageOf, isStopWord, words, type AnalyzedLanguage } from "../knowledge/text-analysis.ts";

/** A small seeded generator (mulberry32): the same Help Center always gives the same questions. */
export function seededRandom(seed: string): () => number {
  let state = 0;
  for (let i = 0; i < seed.length; i++) state = (Math.imul(state ^ seed.charCodeAt(i), 0x5bd1e995) + 0x9e3779b9) | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const QUESTION_OPENING = /^(how|what|why|where|when|who|which|can|could|do|does|is|are|should|will|my|i)\b/i;

/** How customers wrap a few words into a question, per analysed language. */
const TEMPLATES: Record<AnalyzedLanguage, string[]> = {
  en: ["{}", "{}?", "how do i {}", "how to {}", "what is {}", "can i {}", "{} not working", "help with {}", "where is {}", "question about {}", "is there {}", "why {}"],
  fr: ["{}", "{} ?", "comment {}", "comment faire pour {}", "c'est quoi {}", "est-ce que je peux {}", "{} ne marche pas", "aide pour {}", "où est {}", "question sur {}", "pourquoi {}"],
  de: ["{}", "{}?", "wie kann ich {}", "wie {}", "was ist {}", "kann ich {}", "{} funktioniert nicht", "hilfe bei {}", "wo ist {}", "frage zu {}", "warum {}"],
  es: ["{}", "¿{}?", "cómo {}", "cómo puedo {}", "qué es {}", "puedo {}", "{} no funciona", "ayuda con {}", "dónde está {}", "pregunta sobre {}", "por qué {}"],
  pt: ["{}", "{}?", "como {}", "como posso {}", "o que é {}", "posso {}", "{} não funciona", "ajuda com {}", "onde está {}", "dúvida sobre {}", "por que {}"],
  it: ["{}", "{}?", "come {}", "come posso {}", "cos'è {}", "posso {}", "{} non funziona", "aiuto con {}", "dov'è {}", "domanda su {}", "perché {}"],
  nl: ["{}", "{}?", "hoe {}", "hoe kan ik {}", "wat is {}", "kan ik {}", "{} werkt niet", "hulp bij {}", "waar is {}", "vraag over {}", "waarom {}"],
};
/** The third template of each language asks "how do I …": it turns a title into a question. */
const HOW = 2;

/** "Reset your password" → "how do i reset my password" ("comment réinitialiser votre mot de passe"); a title that already asks stays as it is. */
function asQuestion(title: string, language: AnalyzedLanguage): string {
  const mine = language === "en" ? title.replace(/\byour\b/gi, "my").replace(/\byou\b/gi, "i") : title;
  if (title.endsWith("?") || (language === "en" && QUESTION_OPENING.test(title))) return mine;
  // German capitalises its nouns, not just its first word: the title stays as written.
  const lead = language === "de" ? mine : `${mine.charAt(0).toLowerCase()}${mine.slice(1)}`;
  return TEMPLATES[language][HOW]!.replace("{}", lead);
}

function sentencesOf(text: string): string[] {
  return searchableText(text)
    .split(/\n+|(?<=[.!?])\s+/)
    .map((sentence) => sentence.replace(/^[#>*\-\d.\s]+/, "").trim())
    .filter((sentence) => sentence.length >= 20 && sentence.length <= 300);
}

const contentWords = (text: string, language: AnalyzedLanguage) => words(text).filter((word) => word.length > 2 && !isStopWord(word, language));

/** One adjacent pair of letters swapped in one longer word: customers type fast. */
function withTypo(text: string, random: () => number): string {
  const long = [...text.matchAll(/\p{L}{5,}/gu)];
  if (!long.length) return text;
  const match = long[Math.floor(random() * long.length)]!;
  const at = match.index! + 1 + Math.floor(random() * (match[0].length - 2));
  return text.slice(0, at) + text[at + 1] + text[at] + text.slice(at + 2);
}

/** One to three of a text's content words in their order, worded as a customer might: "invoice bounced?". */
function keywords(text: string, language: AnalyzedLanguage, random: () => number): string | undefined {
  const all = contentWords(text, language);
  if (all.length < 1) return undefined;
  const keep = Math.min(all.length, 1 + Math.floor(random() * 3));
  const picked = new Set<number>();
  while (picked.size < keep) picked.add(Math.floor(random() * all.length));
  const phrase = [...picked].sort((a, b) => a - b).map((i) => all[i]!).join(" ");
  const templates = TEMPLATES[language];
  const question = templates[Math.floor(random() * templates.length)]!.replace("{}", phrase);
  return random() < 0.3 ? withTypo(question, random) : question;
}

/** A sentence with one or two words replaced by another phrasing from the thesaurus. */
function withSynonyms(sentence: string, groups: readonly (readonly string[])[], random: () => number): string | undefined {
  let out = sentence.toLowerCase();
  let swapped = 0;
  for (const group of groups) {
    if (swapped >= 2) break;
    const present = group.find((phrase) => new RegExp(`\\b${phrase.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\b`).test(out));
    if (!present) continue;
    const others = group.filter((phrase) => phrase !== present);
    const other = others[Math.floor(random() * others.length)]!;
    out = out.replace(new RegExp(`\\b${present.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\b`), other);
    swapped++;
  }
  return swapped ? out : undefined;
}

function pick<T>(items: T[], count: number, random: () => number): T[] {
  const pool = [...items];
  const out: T[] = [];
  while (out.length < count && pool.length) out.push(pool.splice(Math.floor(random() * pool.length), 1)[0]!);
  return out;
}

/** Up to `max` distinct questions an article answers. */
export function questionsFor(article: ArticleView, thesaurus: readonly (readonly string[])[], max = 12): string[] {
  const random = seededRandom(article.articleKey);
  const language = analysisLanguageOf(article.locale);
  const body = article.passages.map((passage) => passage.text).join("\n");
  const sentences = sentencesOf(body);
  const headings = [...new Set(article.passages.flatMap((passage) => passage.headingPath.split(" > ")).filter((heading) => heading && heading !== article.title))];
  const candidates = [
    article.title,
    asQuestion(article.title, language),
    ...(article.description ? [article.description] : []),
    ...pick(headings, 2, random),
    ...pick(sentences.filter((sentence) => sentence.endsWith("?")), 2, random),
    keywords(article.title, language, random) ?? "",
    ...pick(sentences, 4, random).flatMap((sentence) => keywords(sentence, language, random) ?? []),
    ...pick(sentences, 2, random).flatMap((sentence) => withSynonyms(sentence, thesaurus, random) ?? []),
    ...(article.description ? [withSynonyms(article.description, thesaurus, random) ?? ""] : []),
  ];
  const seen = new Set<string>();
  const out: string[] = [];
  for (const candidate of candidates) {
    const question = candidate.trim();
    const key = question.toLowerCase();
    if (!question || seen.has(key)) continue;
    seen.add(key);
    out.push(question);
  }
  return out.slice(0, max);
}
