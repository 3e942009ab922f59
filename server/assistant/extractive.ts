// The extractive reply: the sentences of a passage that share the most (stemmed) words with the
// question, in the order the article gives them. Used offline and whenever the LLM cannot answer
// in time.
import { terms } from "../knowledge/text-analysis.ts";

export function relevantSentences(passage: string, question: string, max = 3): string {
  const wanted = new Set(terms(question));
  const sentences = passage
    .split(/\n+|(?<=[.!?])\s+(?=[A-Z0-9*])/)
    .map((sentence) => sentence.trim())
    // Headings label a section; list markers mean nothing once the item stands alone.
    .filter((sentence) => !sentence.startsWith("#"))
    .map((sentence) => sentence.replace(/^(?:[-*•]|\d+\.)\s+/, ""))
    .filter((sentence) => sentence.length > 20);
  const scored = sentences.map((sentence, index) => {
    const present = new Set(terms(sentence));
    let overlap = 0;
    for (const term of wanted) if (present.has(term)) overlap++;
    return { sentence, index, overlap };
  });
  const best = scored
    .filter((entry) => entry.overlap > 0)
    .sort((a, b) => b.overlap - a.overlap || a.index - b.index)
    .slice(0, max)
    .sort((a, b) => a.index - b.index);
  return (best.length ? best : scored.slice(0, max)).map((entry) => entry.sentence).join(" ");
}
