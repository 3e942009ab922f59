// The extractive reply, used offline and whenever the LLM cannot answer in time: the part of a
// passage that answers the question. Sentences and list items are scored by the question's words
// (and their thesaurus synonyms) found in them or in the heading above them, with a bonus when
// they hold what the question asks for (an amount for a price question, a duration for "how
// long"); numbered steps stay together; with nothing matching, the passage's lead answers.
import { BUILT_IN_THESAURUS } from "../knowledge/thesaurus.ts";
import { terms } from "../knowledge/text-analysis.ts";

interface Unit {
  text: string;
  heading: string;
  /** Index of the numbered list the unit belongs to, if it is a step. */
  steps?: number;
  index: number;
}

/** What a question asks for, and how to recognise a sentence that gives it. */
const ASKS_FOR: Array<{ question: RegExp; answer: RegExp }> = [
  { question: /\b(price|prices|pricing|cost|costs|how much|fee|fees|expensive|cheap|charge for)\b/i, answer: /(\d[\d.,]*\s?(eur|usd|gbp|chf|€|\$|£|dollars?|euros?|pounds?)\b)|([€$£]\s?\d)/i },
  { question: /\b(how long|how soon|when|how many days|deadline|valid for|expire)\b/i, answer: /\b\d+\s?(seconds?|minutes?|hours?|days?|weeks?|months?|years?)\b|\b(one|two|three|five|ten|thirty)\s(minutes?|hours?|days?|weeks?|months?|years?)\b/i },
  { question: /\bhow many\b/i, answer: /\b\d+\b/ },
];

/** Sentences and list items of a passage, each with the heading it sits under. */
function unitsOf(passage: string): Unit[] {
  const units: Unit[] = [];
  let heading = "";
  let list = -1;
  let inList = false;
  for (const raw of passage.split("\n")) {
    const line = raw.trim();
    if (!line) {
      inList = false;
      continue;
    }
    if (line.startsWith("#")) {
      heading = line.replace(/^#+\s*/, "");
      inList = false;
      continue;
    }
    const step = /^\d+[.)]\s+/.test(line);
    if (step) {
      if (!inList) list++;
      inList = true;
      units.push({ text: line.replace(/^\d+[.)]\s+/, ""), heading, steps: list, index: units.length });
      continue;
    }
    inList = false;
    if (/^[-*•]\s+/.test(line)) {
      units.push({ text: line.replace(/^[-*•]\s+/, ""), heading, index: units.length });
      continue;
    }
    for (const sentence of line.split(/(?<=[.!?])\s+(?=[A-Z0-9*])/)) {
      if (sentence.trim().length > 2) units.push({ text: sentence.trim(), heading, index: units.length });
    }
  }
  return units;
}

/** The question's stemmed terms, with the thesaurus's other phrasings of them at a lower weight. */
function wantedTerms(question: string): Map<string, number> {
  const wanted = new Map<string, number>();
  for (const { term } of BUILT_IN_THESAURUS.expand(question).lexical) wanted.set(term, 0.5);
  for (const term of terms(question)) wanted.set(term, 1);
  return wanted;
}

function overlap(text: string, wanted: Map<string, number>): number {
  let score = 0;
  for (const term of new Set(terms(text))) score += wanted.get(term) ?? 0;
  return score;
}

/** How well a passage answers the question: its best unit's score (for ordering an article's passages). */
function scoreUnits(passage: string, question: string) {
  const wanted = wantedTerms(question);
  const asks = ASKS_FOR.filter((kind) => kind.question.test(question));
  return unitsOf(passage).map((unit) => {
    const own = overlap(unit.text, wanted);
    const gives = asks.some((kind) => kind.answer.test(unit.text)) ? 1.5 : 0;
    // Articles lead with their main answer: the first sentence wins a tie.
    return { unit, own, score: own + 0.5 * overlap(unit.heading, wanted) + gives + (gives && own === 0 ? 0.25 : 0) + (unit.index === 0 && own > 0 ? 0.75 : 0) };
  });
}

export function relevantSentences(passage: string, question: string, max = 3): string {
  const scored = scoreUnits(passage, question);
  const units = scored.map((entry) => entry.unit);
  const useful = scored.filter((entry) => entry.score >= 1 && entry.unit.text.length > 12).sort((a, b) => b.score - a.score || a.unit.index - b.unit.index);
  const best = useful[0];
  if (!best) return units.filter((unit) => unit.text.length > 12).slice(0, 2).map((unit) => unit.text).join(" ");
  // A step alone is half an instruction: the whole numbered list goes, with the line leading into it.
  if (best.unit.steps !== undefined) {
    const steps = units.filter((unit) => unit.steps === best.unit.steps).slice(0, 8);
    const lead = units[steps[0]!.index - 1];
    const intro = lead && lead.steps === undefined && lead.heading === steps[0]!.heading ? `${lead.text}\n` : "";
    return intro + steps.map((unit, i) => `${i + 1}. ${unit.text}`).join("\n");
  }
  // The best units, in the article's order.
  const chosen = useful
    .filter((entry) => entry.unit.steps === undefined)
    .slice(0, max)
    .sort((a, b) => a.unit.index - b.unit.index);
  return chosen.map((entry) => entry.unit.text).join(" ");
}

/** An article's passages, the one that best answers the question first. */
export function relevantPassageOrder<P extends { text: string }>(passages: P[], question: string): P[] {
  const best = (passage: P) => Math.max(0, ...scoreUnits(passage.text, question).map((entry) => entry.score));
  return passages
    .map((passage, index) => ({ passage, index, score: best(passage) }))
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .map((entry) => entry.passage);
}
