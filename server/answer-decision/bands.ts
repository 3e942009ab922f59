// The answer decision: from the articles retrieval found (each with its calibrated probability of
// being the right one), answer from the best, offer the likely ones as a choice, or hand over.
import type { Passage } from "../knowledge/knowledge-base.ts";
import type { CalibrationModel } from "./model.ts";

export type Band<P extends Pick<Passage, "confidence" | "unaided"> = Passage> =
  | { outcome: "answer"; best: P; cited: P[] }
  | { outcome: "choice"; options: P[] }
  | { outcome: "hand_over" };

/** Most articles a choice offers, and most an answer cites. */
export const MAX_OPTIONS = 3;

/**
 * `passages` most likely first, as the search returns them with the model's scorer; `inDomain` from
 * the domain model. `settled`: the article the team or customers already gave for this very wording
 * (a learned question in nearly the customer's words), which is answered from whatever the scores say.
 */
export function bandOf<P extends Pick<Passage, "confidence" | "unaided">>(passages: P[], thresholds: CalibrationModel["thresholds"], inDomain: number, settled?: P): Band<P> {
  const top = passages.slice(0, MAX_OPTIONS);
  if (settled) return { outcome: "answer", best: settled, cited: [settled, ...top.filter((passage) => passage !== settled && passage.confidence >= thresholds.related)].slice(0, MAX_OPTIONS) };
  const best = passages[0];
  // Nothing here is close: whatever ranks first is only the least unrelated article.
  if (!best || inDomain < thresholds.choice) return { outcome: "hand_over" };
  // A learned question lends an article its confidence only for what it or the Help Center names.
  if (best.confidence >= thresholds.answer && (best.unaided ?? best.confidence) >= thresholds.answer) {
    return { outcome: "answer", best, cited: [best, ...top.slice(1).filter((passage) => passage.confidence >= thresholds.related)] };
  }
  // Unsure which article it is, so every likely one is worth its line: the right one is often
  // ranked second or third, and another title costs the customer a glance, a hand-over much more.
  return { outcome: "choice", options: top };
}
