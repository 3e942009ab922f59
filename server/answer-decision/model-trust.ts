// How far the configured chat model is trusted, measured on the workspace's own Help Center. The
// model's "the documents answer this" is one more signal: it settles an unsure card only from the
// retrieval probability at which its claims were right often enough on probes (questions generated
// from the Help Center, asked with their article among the passages, with it left out, and about
// other businesses), the same precision target the answer threshold is held to. Until a
// measurement says so, the model writes answers only where the app would answer without it.
import { z } from "zod";
import { ANSWER_PRECISION_TARGET } from "./fit.ts";

/**
 * One probe's outcome. `answerable`: the source article was among the passages; `unanswerable`: it
 * was left out and the rest of the top passages kept; `elsewhere`: a question about another business.
 */
export const ProbeOutcome = z.object({
  kind: z.enum(["answerable", "unanswerable", "elsewhere"]),
  /** "claimed": a valid reply saying the passages answer it, citing only passages given; "refused": a valid reply saying they do not; "failed": late, an error, invalid JSON or a citation of something not given. */
  verdict: z.enum(["claimed", "refused", "failed"]),
  /** The retrieval probability of the article the model cited (the best offered one when it cited none). */
  confidence: z.number(),
  /** The model cited the source article first (only an answerable probe can). */
  citedRight: z.boolean(),
  /** Whether the probe stood in the unsure band, where the model's claim would settle the card. */
  unsure: z.boolean(),
  /** How much of the answer the cited passage holds (answer-support), when the model claimed. */
  support: z.number().optional(),
});
export type ProbeOutcome = z.infer<typeof ProbeOutcome>;

export const ModelTrust = z.object({
  /** The model, its endpoint and the prompt's digest: a change of any means measuring again. */
  modelKey: z.string(),
  model: z.string(),
  /** The fit it was measured with (the calibration's Help Center version). */
  helpCenterVersion: z.string(),
  measuredAt: z.string(),
  seconds: z.number(),
  /** "failed": too many probes failed to tell anything; the model settles no unsure card. */
  status: z.enum(["measured", "failed"]),
  reason: z.string().optional(),
  probes: z.object({ answerable: z.number().int(), unanswerable: z.number().int(), elsewhere: z.number().int(), failed: z.number().int() }),
  /** Model calls the measurement made. */
  calls: z.number().int(),
  /** Of the probes whose passages do not hold the answer, the share the model claimed answerable (a failure counts as a claim). */
  falseAnswerRate: z.number(),
  /** Of the answerable probes the model claimed, the share citing the right article first. */
  citationAgreement: z.number(),
  /** Of the answerable probes, the share claimed with the right article cited first. */
  rightClaims: z.number(),
  /** Of the probes in the unsure band, the share it claimed. */
  unsureClaims: z.number(),
  /** The retrieval probability from which its claim settles an unsure card; null: it settles none. */
  settleFrom: z.number().nullable(),
  /** Its "the documents do not answer this" says more than chance (refused unanswerable probes far more often than answerable ones): honoured where retrieval is sure. */
  refusalsHonoured: z.boolean(),
  /** An answer it writes must have at least this share of its content words in the cited passage. */
  supportThreshold: z.number(),
});
export type ModelTrust = z.infer<typeof ModelTrust>;

/** A measurement with more failed probes than this share tells nothing about the model. */
export const MAX_FAILED_SHARE = 0.2;
/** Claims needed at or above a retrieval probability before their precision there is believed. */
const MIN_SETTLED = 10;
/** One standard error: a precision estimated on a few dozen probes is taken at its lower bound. */
const Z = 1;
/** Refusals are honoured when the model refuses unanswerable probes this much more often than answerable ones (Youden's J). */
const MIN_REFUSAL_INFORMATION = 0.5;
/** The support threshold: the share of the model's right answers allowed to fall short of it, and its bounds. */
const SUPPORT_QUANTILE = 0.1;
const SUPPORT_BOUNDS = { min: 0.3, max: 0.6 };
/** Before a measurement, or without one for this language: the answer must share half its content words with the passage. */
export const DEFAULT_SUPPORT_THRESHOLD = 0.5;

/** The lower end of the Wilson score interval of `right` successes in `n`. */
export function wilsonLower(right: number, n: number, z = Z): number {
  if (!n) return 0;
  const p = right / n;
  const centre = p + (z * z) / (2 * n);
  const spread = z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
  return (centre - spread) / (1 + (z * z) / n);
}

/** The logit of a probability, kept finite. */
const logit = (p: number) => {
  const q = Math.min(1 - 1e-4, Math.max(1e-4, p));
  return Math.log(q / (1 - q));
};
/** A light prior on the claim curve's two weights: a handful of claims cannot make it certain. */
const CURVE_RIDGE = 1;

/**
 * How the model's claim combines with retrieval: the probability that a claim is right given the
 * retrieval probability of the article it cites, a logistic curve on that probability's logit
 * (Newton's method, lightly regularised so that claims all right or all wrong still give a finite
 * curve). Fitted on every claim, sure or unsure, so a small Help Center whose generated questions
 * are mostly sure still tells how the model's claims fare as retrieval grows unsure.
 */
export function claimCurve(claims: Array<{ p: number; right: boolean }>): (p: number) => number {
  // Centred, so that claims all right (or all wrong) lift the curve as a whole rather than tilt it.
  const centre = claims.reduce((sum, claim) => sum + logit(claim.p), 0) / (claims.length || 1);
  let [a, b] = [0, 0];
  for (let iteration = 0; iteration < 50; iteration++) {
    let [ga, gb, haa, hab, hbb] = [CURVE_RIDGE * a, CURVE_RIDGE * b, CURVE_RIDGE, 0, CURVE_RIDGE];
    for (const claim of claims) {
      const x = logit(claim.p) - centre;
      const q = 1 / (1 + Math.exp(-(a + b * x)));
      const w = Math.max(q * (1 - q), 1e-9);
      ga += q - (claim.right ? 1 : 0);
      gb += (q - (claim.right ? 1 : 0)) * x;
      haa += w;
      hab += w * x;
      hbb += w * x * x;
    }
    const det = haa * hbb - hab * hab || 1e-12;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    a -= da;
    b -= db;
    if (Math.max(Math.abs(da), Math.abs(db)) < 1e-8) break;
  }
  return (p) => 1 / (1 + Math.exp(-(a + b * (logit(p) - centre))));
}

/**
 * The lowest retrieval probability from which the model's claims settle an unsure card: at and
 * above it, its claims on the probes were right at the answer precision target (the claims there
 * taken at the lower end of their interval, at least ten of them), and the claim curve says a
 * claim on an article that likely is right that often. Never below the least likely article a
 * claim was measured on; null when no probability qualifies. A failed probe whose passages do not
 * hold the answer counts as a wrong claim.
 */
export function settleFromOf(outcomes: ProbeOutcome[]): number | null {
  const claims = outcomes
    .filter((o) => o.verdict === "claimed" || (o.verdict === "failed" && o.kind !== "answerable"))
    .map((o) => ({ p: o.confidence, right: o.verdict === "claimed" && o.citedRight }))
    .sort((a, b) => b.p - a.p);
  if (claims.length < MIN_SETTLED) return null;
  const curve = claimCurve(claims);
  let from: number | null = null;
  let right = 0;
  for (const [i, claim] of claims.entries()) {
    if (claim.right) right++;
    const n = i + 1;
    const next = claims[i + 1];
    if (n >= MIN_SETTLED && (!next || next.p < claim.p)) {
      if (wilsonLower(right, n) < ANSWER_PRECISION_TARGET || curve(claim.p) < ANSWER_PRECISION_TARGET) break;
      from = claim.p;
    }
  }
  return from;
}

const share = (part: number, whole: number) => (whole ? Math.round((part / whole) * 1e4) / 1e4 : 0);

/** The quantile of the support of the model's right answers, within bounds. */
function supportThresholdOf(outcomes: ProbeOutcome[]): number {
  const supports = outcomes.filter((o) => o.verdict === "claimed" && o.citedRight && o.support !== undefined).map((o) => o.support!).sort((a, b) => a - b);
  if (!supports.length) return DEFAULT_SUPPORT_THRESHOLD;
  const quantile = supports[Math.floor(SUPPORT_QUANTILE * (supports.length - 1))]!;
  return Math.round(Math.min(SUPPORT_BOUNDS.max, Math.max(SUPPORT_BOUNDS.min, quantile)) * 1e4) / 1e4;
}

/** What the probes say about the model: its figures and the rule the unsure band follows. */
export function trustOf(outcomes: ProbeOutcome[], about: { modelKey: string; model: string; helpCenterVersion: string; seconds: number; calls: number }, answerThreshold = 1): ModelTrust {
  const of = (kind: ProbeOutcome["kind"]) => outcomes.filter((o) => o.kind === kind);
  const answerable = of("answerable");
  const missing = outcomes.filter((o) => o.kind !== "answerable");
  const failed = outcomes.filter((o) => o.verdict === "failed").length;
  const claimedAnswerable = answerable.filter((o) => o.verdict === "claimed");
  const unsure = outcomes.filter((o) => o.unsure);
  const refusalRate = (list: ProbeOutcome[]) => share(list.filter((o) => o.verdict === "refused").length, list.length);
  const tooManyFailed = !outcomes.length || failed / outcomes.length > MAX_FAILED_SHARE;
  // From the answer threshold up, retrieval answers alone: a claim trusted only there settles nothing.
  const measuredFrom = tooManyFailed ? null : settleFromOf(outcomes);
  const settleFrom = measuredFrom !== null && measuredFrom < answerThreshold ? measuredFrom : null;
  return {
    ...about,
    measuredAt: new Date().toISOString(),
    status: tooManyFailed ? "failed" : "measured",
    ...(tooManyFailed ? { reason: outcomes.length ? `${failed} of ${outcomes.length} probes failed (late, unreachable or unreadable replies)` : "no probe could be built" } : {}),
    probes: { answerable: answerable.length, unanswerable: of("unanswerable").length, elsewhere: of("elsewhere").length, failed },
    falseAnswerRate: share(missing.filter((o) => o.verdict !== "refused").length, missing.length),
    citationAgreement: share(claimedAnswerable.filter((o) => o.citedRight).length, claimedAnswerable.length),
    rightClaims: share(claimedAnswerable.filter((o) => o.citedRight).length, answerable.length),
    unsureClaims: share(unsure.filter((o) => o.verdict === "claimed").length, unsure.length),
    settleFrom,
    refusalsHonoured: !tooManyFailed && refusalRate(missing) - refusalRate(answerable) >= MIN_REFUSAL_INFORMATION,
    supportThreshold: supportThresholdOf(outcomes),
  };
}

/** The unsure band's rule: whether the model's claim on an article this likely settles the card. */
export const settles = (trust: ModelTrust | undefined, confidence: number) => trust?.status === "measured" && trust.settleFrom !== null && confidence >= trust.settleFrom;
