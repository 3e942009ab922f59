// Whether an answer the model wrote is held by the passages it cites, checked with the app's own
// signals and never by asking the model: every number, link and name in it must be in the cited
// passages, and (in the passages' own language) enough of its content words must be. An answer in
// another language than its passage is checked on what survives translation alone: numbers, links
// and names.
import { analysisLanguageOf, isConversationalTerm, terms, type AnalyzedLanguage } from "../knowledge/text-analysis.ts";

export interface SupportInput {
  /** The cited passages' text, title and url, with their language. */
  passages: Array<{ text: string; title: string; url?: string | undefined; locale?: string | undefined }>;
  question: string;
  /** Names the answer may use that no passage holds: the customer's, the company's, the Help Center's. */
  names: string[];
  /** The language the answer was asked for in. */
  language: AnalyzedLanguage;
}

export interface Support {
  /** Share of the answer's content words found in the cited passages (or the question); undefined across languages. */
  share: number | undefined;
  /** Numbers, links and names the answer states that no cited passage holds. */
  unsupported: string[];
}

/** "1,000.50", "1 000,50" and "1000.50" are one number. */
const NUMBER = /(?<![\p{L}\p{N}])\d+(?:[.,\u00a0 ]\d+)*/gu;
const digitsOf = (number: string) => number.replace(/[^\d]/g, "");
const LINK = /\]\((https?:\/\/[^)\s]+)\)|(?<![(\w])(https?:\/\/[^\s)\]]+)/g;
/** The answer's own numbered steps ("1." or "2)" before a space, on a line of their own or run together) are not facts. */
const LIST_MARKER = /(?<=^|\s)\d{1,2}[.)](?=\s)/gm;
/** A word with a capital or a digit inside it ("iOS", "QuickBooks", "S3"): a product's name in any language. */
const INNER_CAPITAL = /\b\p{L}*(?:\p{Ll}\p{Lu}|\p{L}\d|\d\p{L})[\p{L}\p{N}]*\b/gu;
/** A capitalised English word after another word (not opening a sentence, a line, bold text or a quote): a name. */
const ENGLISH_NAME = /(?<=[\p{L}\p{N},;]\s+)\p{Lu}[\p{L}\p{N}'’-]*/gu;

function numbersIn(text: string): Set<string> {
  return new Set([...text.matchAll(NUMBER)].map((match) => digitsOf(match[0])).filter(Boolean));
}

export function answerSupport(answer: string, input: SupportInput): Support {
  const source = input.passages.map((passage) => `${passage.title}\n${passage.text}\n${passage.url ?? ""}`).join("\n");
  const known = `${source}\n${input.names.join(" ")}`;
  const knownWords = new Set(known.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []);
  const unsupported: string[] = [];
  if (answer.includes("[link removed]")) unsupported.push("a link the Help Center does not have");
  for (const match of answer.matchAll(LINK)) {
    const url = match[1] ?? match[2]!;
    if (!source.includes(url)) unsupported.push(url);
  }
  const plain = answer.replace(LINK, " ").replace(LIST_MARKER, " ");
  const sourceNumbers = numbersIn(source);
  for (const number of numbersIn(plain)) if (!sourceNumbers.has(number)) unsupported.push(number);
  const names = new Set([...plain.matchAll(INNER_CAPITAL)].map((match) => match[0]));
  if (input.language === "en") for (const match of plain.replace(/\*\*/g, "\n").matchAll(ENGLISH_NAME)) if (match[0] !== "I") names.add(match[0]);
  for (const name of names) {
    const parts = name.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
    if (!parts.every((part) => knownWords.has(part))) unsupported.push(name);
  }

  const sameLanguage = input.passages.every((passage) => passage.locale === undefined || analysisLanguageOf(passage.locale) === input.language);
  if (!sameLanguage) return { share: undefined, unsupported };
  const held = new Set(terms(`${known}\n${input.question}`, input.language));
  const stated = [...new Set(terms(plain, input.language))].filter((term) => !isConversationalTerm(term, input.language));
  const share = stated.length ? stated.filter((term) => held.has(term)).length / stated.length : 1;
  return { share: Math.round(share * 1e4) / 1e4, unsupported };
}

/** Whether the answer is held by its passages at the workspace's measured threshold. */
export const isSupported = (support: Support, threshold: number) => support.unsupported.length === 0 && (support.share === undefined || support.share >= threshold);
