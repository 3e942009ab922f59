// Does "70% sure" mean right 70% of the time? The reliability table and Brier score of predicted
// probabilities against what happened, as scikit-learn's calibration guide reads them; the eval
// reports the answer decision's and the trainer the request model's.

export interface ReliabilityBin {
  from: number;
  to: number;
  count: number;
  /** Mean predicted probability in the bin. */
  predicted: number;
  /** Share of the bin's samples that were right. */
  observed: number;
}

const EDGES = [0, 0.1, 0.3, 0.5, 0.7, 0.9, 1];

/** The samples in probability bands (empty bands left out); a probability of 1 falls in the last. */
export function reliabilityTable(samples: ReadonlyArray<{ p: number; right: boolean }>): ReliabilityBin[] {
  return EDGES.slice(0, -1).flatMap((from, b) => {
    const to = EDGES[b + 1]!;
    const bin = samples.filter((s) => s.p >= from && (s.p < to || (to === 1 && s.p <= 1)));
    if (!bin.length) return [];
    return [{ from, to, count: bin.length, predicted: bin.reduce((sum, s) => sum + s.p, 0) / bin.length, observed: bin.filter((s) => s.right).length / bin.length }];
  });
}

export const brierScore = (samples: ReadonlyArray<{ p: number; right: boolean }>) => samples.reduce((sum, s) => sum + (s.p - (s.right ? 1 : 0)) ** 2, 0) / (samples.length || 1);
