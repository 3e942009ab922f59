// A sentence encoder trained by the project (issue 27's second attempt, measured by
// `npm run eval -- --semantic`): each word is placed among BANKING77's 77 intents (PolyAI, CC BY
// 4.0; ../shared/datasets/intents.train.jsonl) by how much more often it appears in one intent's
// utterances than in all of them (positive pointwise mutual information), and a text is the sum of
// its words' places. Two wordings of one request ("charged twice", "billed me double") land on the
// same intents although they share no word. Training is counting: it takes a second, at start-up.
import { readFileSync } from "node:fs";
import { terms } from "../../server/knowledge/text-analysis.ts";

/** Words seen in fewer utterances than this say nothing reliable about an intent. */
const MIN_ROWS = 3;
/** Smoothing of each word's counts, so a word seen three times in one intent is not all of it. */
const SMOOTHING = 0.5;

/** Texts in, one vector each out (of `dimensions` numbers); `id` names the vector space. */
export interface SentenceEncoder {
  readonly id: string;
  readonly dimensions: number;
  encode(texts: string[]): Promise<number[][]>;
}

export function intentSpaceEncoder(trainFile: string): SentenceEncoder {
  const rows = readFileSync(trainFile, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { text: string; source: string })
    .filter((row) => row.source.startsWith("banking77:"));
  const intents = [...new Set(rows.map((row) => row.source))].sort();
  const index = new Map(intents.map((intent, i) => [intent, i]));
  const perIntent = new Float64Array(intents.length);
  const counts = new Map<string, Float64Array>();
  for (const row of rows) {
    const i = index.get(row.source)!;
    perIntent[i]!++;
    for (const term of new Set(terms(row.text))) {
      let vector = counts.get(term);
      if (!vector) counts.set(term, (vector = new Float64Array(intents.length)));
      vector[i]!++;
    }
  }
  const vectors = new Map<string, Float64Array>();
  for (const [term, vector] of counts) {
    const total = vector.reduce((sum, value) => sum + value, 0);
    if (total < MIN_ROWS) continue;
    const place = vector.map((count, i) => Math.max(0, Math.log(((count + SMOOTHING) / (total + SMOOTHING * intents.length)) / (perIntent[i]! / rows.length))));
    vectors.set(term, place);
  }
  const encodeOne = (text: string): number[] => {
    const sum = new Array<number>(intents.length).fill(0);
    for (const term of new Set(terms(text))) {
      const place = vectors.get(term);
      if (place) place.forEach((value, i) => (sum[i]! += value));
    }
    return sum;
  };
  return { id: `banking77-intent-space-${intents.length}`, dimensions: intents.length, encode: async (texts) => texts.map(encodeOne) };
}
