import { terms, type AnalyzedLanguage } from "../knowledge/text-analysis.ts";

/** Stemmed content words and their bigrams, analysed in the message's language: the features of the offline intent models. */
export function intentFeatures(text: string, language: AnalyzedLanguage = "en"): string[] {
  const words = terms(text, language);
  const bigrams: string[] = [];
  for (let i = 0; i + 1 < words.length; i++) bigrams.push(`${words[i]}_${words[i + 1]}`);
  return [...words, ...bigrams];
}
