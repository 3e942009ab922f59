// The answer decision: from the articles retrieval found (each with its calibrated probability of
// being the right one), answer from the best, offer the likely ones as a choice, or hand over.
import type { Passage } from "../knowledge/knowledge-base.ts";
import type { CalibrationModel } from "./model.ts";

export type Band<P extends Pick<Passage, "confidence"> = Passage> =
  | { outcome: "answer"; best: P; cited: P[] }
  | { outcome: "choice"; options: P[] }
  | { outcome: "hand_over" };

/** Most articles a choice offers, and most an answer cites. */
export const MAX_OPTIONS = 3;
/** An option much less likely than the best one is noise, not a choice. */
const OPTION_SHARE_OF_BEST = 0.1;

/** `passages` most likely first, as the search returns them with the model's scorer; `inDomain` from the domain model. */
export function bandOf<P extends Pick<Passage, "confidence">>(passages: P[], thresholds: CalibrationModel["thresholds"], inDomain: number): Band<P> {
  const best = passages[0];
  // Nothing here is close: whatever ranks first is only the least unrelated article.
  if (!best || inDomain < thresholds.choice) return { outcome: "hand_over" };
  const top = passages.slice(0, MAX_OPTIONS);
  if (best.confidence >= thresholds.answer) {
    return { outcome: "answer", best, cited: [best, ...top.slice(1).filter((passage) => passage.confidence >= thresholds.related)] };
  }
  return { outcome: "choice", options: top.filter((passage) => passage.confidence >= best.confidence * OPTION_SHARE_OF_BEST) };
}
