// Answers a question from the Help Center: retrieves passages and, when one is good enough, replies
// with its most relevant sentences and the articles it used. Never invents an answer: below the
// confidence floor it says so and offers a person instead.
import type { KnowledgeBase, Passage } from "../knowledge/knowledge-base.ts";

export interface AnswerSource {
  articleId: string;
  title: string;
  url: string | undefined;
  confidence: number;
}

export type Answer =
  | { kind: "answer"; text: string; sources: AnswerSource[]; confidence: number }
  | { kind: "no_answer"; confidence: number };

export interface AnswerRequest {
  workspaceId: string;
  question: string;
  collectionIds?: string[];
  locale?: string;
}

/** Below this, the best passage is not trusted to answer. */
export const MIN_CONFIDENCE = 0.4;
/** Articles are offered as buttons only above this. */
export const ARTICLE_LINK_CONFIDENCE = 0.7;

const words = (text: string) => new Set(text.toLowerCase().match(/[\p{L}\p{N}]{3,}/gu) ?? []);

/** The passage's sentences (list items count as sentences) that share the most words with the question. */
export function relevantSentences(passage: string, question: string, max = 2): string {
  const wanted = words(question);
  const sentences = passage
    .split(/\n+|(?<=[.!?])\s+(?=[A-Z0-9*])/)
    .map((sentence) => sentence.trim())
    // Headings label a section; list markers mean nothing once the item stands alone.
    .filter((sentence) => !sentence.startsWith("#"))
    .map((sentence) => sentence.replace(/^(?:[-*•]|\d+\.)\s+/, ""))
    .filter((sentence) => sentence.length > 20);
  const scored = sentences.map((sentence, index) => {
    let overlap = 0;
    for (const word of words(sentence)) if (wanted.has(word)) overlap++;
    return { sentence, index, overlap };
  });
  const best = scored
    .filter((entry) => entry.overlap > 0)
    .sort((a, b) => b.overlap - a.overlap || a.index - b.index)
    .slice(0, max)
    .sort((a, b) => a.index - b.index);
  return (best.length ? best : scored.slice(0, max)).map((entry) => entry.sentence).join(" ");
}

const toSource = (passage: Passage): AnswerSource => ({
  articleId: passage.articleId,
  title: passage.title,
  url: passage.url,
  confidence: passage.confidence,
});

/** The answer these passages (best first) give to the question. */
export function composeAnswer(question: string, passages: Passage[]): Answer {
  const best = passages[0];
  if (!best || best.confidence < MIN_CONFIDENCE) return { kind: "no_answer", confidence: best?.confidence ?? 0 };
  const linked = passages.slice(0, 3).filter((passage) => passage === best || passage.confidence > ARTICLE_LINK_CONFIDENCE);
  return {
    kind: "answer",
    text: relevantSentences(best.text, question),
    sources: linked.map(toSource),
    confidence: best.confidence,
  };
}

export async function answerQuestion(request: AnswerRequest, knowledge: KnowledgeBase): Promise<Answer> {
  const passages = await knowledge.search(request.workspaceId, request.question, {
    collectionIds: request.collectionIds,
    locale: request.locale,
    topK: 3,
  });
  return composeAnswer(request.question, passages);
}
