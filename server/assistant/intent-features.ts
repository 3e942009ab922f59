import { terms } from "../knowledge/text-analysis.ts";

/** Stemmed content words and their bigrams: the features of the offline intent models. */
export function intentFeatures(text: string): string[] {
  const words = terms(text);
  const bigrams: string[] = [];
  for (let i = 0; i + 1 < words.length; i++) bigrams.push(`${words[i]}_${words[i + 1]}`);
  return [...words, ...bigrams];
}
