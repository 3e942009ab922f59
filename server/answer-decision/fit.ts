// Fitting the answer-decision model from labelled samples (self-calibration generates them):
// logistic regression by iteratively reweighted least squares on standardised signals, then the
// thresholds that meet the precision target, and the fit's quality on questions it did not see.
import { FEATURE_NAMES, type ConfidenceFeatures, type FeatureName } from "../knowledge/confidence.ts";
import { groupBy } from "../group-by.ts";
import { bandOf } from "./bands.ts";
import { domainScorerOf, FIT_METHOD, scorerOf, thresholdsFor, type CalibrationModel } from "./model.ts";

/** One search of a generated question: the top articles' signals, and which (if any) is right. */
export interface QuestionSample {
  /** The article the question was generated from; groups the samples for the held-back split. */
  articleKey: string;
  /**
   * "answerable": the right article was among the candidates; "left_out": it was left out on
   * purpose; "elsewhere": a question about another kind of business (nothing here is right).
   */
  kind: "answerable" | "left_out" | "elsewhere";
  /** The language the question is written in (questions about other businesses are written in several). */
  language?: string;
  /**
   * A learned question (a real customer's, answered with the article) rather than a generated one.
   * The weights learn from it; the thresholds and the quality figures do not, because customers'
   * picks come from the cards that offered a choice: the hard questions, not a fair sample.
   */
  learned?: boolean;
  results: Array<{ features: ConfidenceFeatures; correct: boolean }>;
}

/**
 * An answer's first cited article must be right this often on the calibration questions. They are
 * harder on precision than customers' questions (each is also asked with its article left out), so
 * customers' answers are right more often than this; at 0.95 the demo's paraphrases were answered
 * half as often for no fewer wrong answers (docs/decisions.md, The answer decision; the eval's
 * tables measure real questions' wrong answers).
 */
export const ANSWER_PRECISION_TARGET = 0.9;
/**
 * Every generated question is also asked with its article left out, but few real questions about
 * a Help Center's own subject have no article: those cases count as one in four of the answerable
 * ones when the answer threshold's precision is computed.
 */
const LEFT_OUT_SHARE = 0.25;
/** Share of questions about other businesses that may still be offered a choice. */
const ELSEWHERE_OFFERED = 0.05;
const RIDGE = 0.01;
const RELATED = 0.3;
/** Below this, "the best article" is a coin toss whatever the data says: never answer from it. */
const MIN_ANSWER = 0.5;

type Vector = Record<FeatureName, number>;
type Linear = Pick<CalibrationModel, "bias" | "weights" | "mean" | "scale">;

function standardiser(rows: ConfidenceFeatures[]): { mean: Vector; scale: Vector } {
  const mean = {} as Vector;
  const scale = {} as Vector;
  for (const name of FEATURE_NAMES) {
    const values = rows.map((row) => row[name]);
    const m = values.reduce((sum, value) => sum + value, 0) / (values.length || 1);
    const variance = values.reduce((sum, value) => sum + (value - m) ** 2, 0) / (values.length || 1);
    mean[name] = m;
    scale[name] = Math.sqrt(variance) || 1;
  }
  return { mean, scale };
}

/** Solves A x = b (A symmetric positive definite, small) by Gaussian elimination. */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let row = col + 1; row < n; row++) if (Math.abs(m[row]![col]!) > Math.abs(m[pivot]![col]!)) pivot = row;
    [m[col], m[pivot]] = [m[pivot]!, m[col]!];
    const p = m[col]![col]! || 1e-12;
    for (let row = 0; row < n; row++) {
      if (row === col) continue;
      const factor = m[row]![col]! / p;
      for (let k = col; k <= n; k++) m[row]![k]! -= factor * m[col]![k]!;
    }
  }
  return m.map((row, i) => row[n]! / (row[i]! || 1e-12));
}

/** Logistic regression (IRLS with a light ridge, so separable data still converges). */
export function fitLogistic(rows: Array<{ features: ConfidenceFeatures; correct: boolean }>, names: readonly FeatureName[] = FEATURE_NAMES): Linear {
  const { mean, scale } = standardiser(rows.map((row) => row.features));
  const x = rows.map((row) => [1, ...names.map((name) => (row.features[name] - mean[name]) / scale[name])]);
  const y = rows.map((row) => (row.correct ? 1 : 0));
  const d = names.length + 1;
  let w = new Array<number>(d).fill(0);
  for (let iteration = 0; iteration < 25; iteration++) {
    const hessian = Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => (i === j && i > 0 ? RIDGE * rows.length : 0)));
    const gradient = w.map((value, i) => (i > 0 ? RIDGE * rows.length * value : 0));
    x.forEach((xi, n) => {
      const p = 1 / (1 + Math.exp(-xi.reduce((sum, value, i) => sum + value * w[i]!, 0)));
      const s = Math.max(p * (1 - p), 1e-6);
      for (let i = 0; i < d; i++) {
        gradient[i]! += (p - y[n]!) * xi[i]!;
        for (let j = 0; j < d; j++) hessian[i]![j]! += s * xi[i]! * xi[j]!;
      }
    });
    const step = solve(hessian, gradient);
    w = w.map((value, i) => value - step[i]!);
    if (Math.max(...step.map(Math.abs)) < 1e-6) break;
  }
  const weights = Object.fromEntries(FEATURE_NAMES.map((name) => [name, names.includes(name) ? w[names.indexOf(name) + 1]! : 0])) as Vector;
  return { bias: w[0]!, weights, mean, scale };
}

interface Scored {
  kind: QuestionSample["kind"];
  language?: string;
  /** Probability that the question is about this Help Center at all (the domain model). */
  inDomain: number;
  /** Probabilities, most likely first, and whether each is the right article. */
  ranked: Array<{ confidence: number; correct: boolean }>;
}

function scoreAll(samples: QuestionSample[], model: Linear, domains: Domains): Scored[] {
  const score = scorerOf(model);
  return samples.map((sample) => ({
    kind: sample.kind,
    language: sample.language,
    inDomain: sample.results[0] ? domainScorerOf(domains, sample.language ?? "en")(sample.results[0].features) : 0,
    ranked: sample.results.map((result) => ({ confidence: score(result.features), correct: result.correct })).sort((a, b) => b.confidence - a.confidence),
  }));
}

/**
 * The answer threshold: the lowest at which the best article is right often enough (questions
 * with and without their article). The choice threshold: the one that best separates questions
 * this Help Center answers (right article among the top three) from questions about other
 * businesses, which are handed over.
 */
export function chooseThresholds(scored: Scored[]): CalibrationModel["thresholds"] {
  const tops = scored
    .filter((s) => s.kind !== "elsewhere" && s.ranked.length)
    .map((s) => ({ p: s.ranked[0]!.confidence, right: s.ranked[0]!.correct, weight: s.kind === "left_out" ? LEFT_OUT_SHARE : 1 }))
    .sort((a, b) => b.p - a.p);
  let answer = 1;
  let right = 0;
  let all = 0;
  tops.forEach((top, i) => {
    all += top.weight;
    if (top.right) right += top.weight;
    const next = tops[i + 1];
    if (right / all >= ANSWER_PRECISION_TARGET && (!next || next.p < top.p)) answer = top.p;
  });
  answer = Math.max(MIN_ANSWER, answer);

  // Hand over all but a few questions about other businesses; everything closer to this Help
  // Center than them is offered as a choice. (Its own generated questions are easier than real
  // ones, so the boundary sits at the far side, next to the other businesses.)
  // Each language on its own: pooled, the languages the Help Center is barely written in (far from
  // it) would let more of the others' questions through.
  const byLanguage = groupBy(scored.filter((s) => s.kind === "elsewhere"), (s) => s.language ?? "en");
  const quantile = (values: number[]) => values.sort((a, b) => a - b)[Math.min(values.length - 1, Math.ceil((1 - ELSEWHERE_OFFERED) * values.length))]!;
  const choiceIn = Object.fromEntries([...byLanguage].map(([language, group]) => [language, round(quantile(group.map((s) => s.inDomain)))]));
  const choice = byLanguage.size ? Math.max(...Object.values(choiceIn)) : 0.5;
  return { answer: round(answer), choice: round(choice), choiceIn, related: RELATED };
}

const round = (x: number) => Math.round(x * 1e4) / 1e4;

/** How the thresholds do on questions: the figures the model's quality reports. */
export function outcomes(scored: Scored[], thresholds: CalibrationModel["thresholds"]) {
  const count = { answered: 0, answeredRight: 0, answerable: 0, answerableAnswered: 0, oneClick: 0, elsewhere: 0, elsewhereHandedOver: 0 };
  for (const s of scored) {
    const band = bandOf(s.ranked, thresholdsFor({ thresholds }, s.language ?? "en"), s.inDomain);
    if (s.kind !== "elsewhere" && band.outcome === "answer") {
      count.answered++;
      if (band.best.correct) count.answeredRight++;
    }
    if (s.kind === "answerable") {
      count.answerable++;
      if (band.outcome === "answer") count.answerableAnswered++;
      const shown = band.outcome === "answer" ? band.cited : band.outcome === "choice" ? band.options : [];
      if (shown.some((r) => r.correct)) count.oneClick++;
    }
    if (s.kind === "elsewhere") {
      count.elsewhere++;
      if (band.outcome === "hand_over") count.elsewhereHandedOver++;
    }
  }
  const share = (part: number, whole: number) => (whole ? round(part / whole) : 0);
  return {
    answerPrecision: share(count.answeredRight, count.answered),
    answerRate: share(count.answerableAnswered, count.answerable),
    oneClick: share(count.oneClick, count.answerable),
    elsewhereHandedOver: share(count.elsewhereHandedOver, count.elsewhere),
  };
}

export function brier(scored: Scored[]): number {
  const all = scored.flatMap((s) => s.ranked);
  return round(all.reduce((sum, r) => sum + (r.confidence - (r.correct ? 1 : 0)) ** 2, 0) / (all.length || 1));
}

type Domains = Pick<CalibrationModel, "domain" | "domainIn">;
/** A language's own domain model needs this many of its questions of each kind. */
const MIN_LANGUAGE_SAMPLES = { answerable: 50, elsewhere: 20 };

/**
 * The domain model: is the question about this Help Center at all? Its own questions (top
 * article's signals) against questions about other businesses. A Help Center written in several
 * languages also gets one per language with enough questions of both kinds.
 */
function fitDomains(samples: QuestionSample[]): Domains {
  const rowsOf = (list: QuestionSample[]) =>
    list.filter((sample) => sample.kind !== "left_out" && sample.results[0]).map((sample) => ({ features: sample.results[0]!.features, correct: sample.kind === "answerable" }));
  const byLanguage = groupBy(samples, (sample) => sample.language ?? "en");
  const domainIn: Domains["domainIn"] = {};
  if (byLanguage.size > 1) {
    for (const [language, list] of byLanguage) {
      const count = (kind: QuestionSample["kind"]) => list.filter((sample) => sample.kind === kind).length;
      if (count("answerable") >= MIN_LANGUAGE_SAMPLES.answerable && count("elsewhere") >= MIN_LANGUAGE_SAMPLES.elsewhere) domainIn[language] = fitLogistic(rowsOf(list));
    }
  }
  return { domain: fitLogistic(rowsOf(samples)), domainIn };
}

/** Every fourth article's questions are held back to measure the fit; the final model learns from all. */
const heldBack = (articleKey: string) => {
  let hash = 0;
  for (let i = 0; i < articleKey.length; i++) hash = (Math.imul(hash, 31) + articleKey.charCodeAt(i)) | 0;
  return (hash >>> 0) % 4 === 0;
};

export function fitModel(samples: QuestionSample[], about: { embedderId: string; helpCenterVersion: string; articles: number; learned?: number }): CalibrationModel {
  const rows = (list: QuestionSample[]) => list.flatMap((sample) => sample.results);
  // Questions about other businesses belong to no article: both halves use them.
  const train = samples.filter((sample) => sample.kind === "elsewhere" || !heldBack(sample.articleKey));
  const test = samples.filter((sample) => sample.kind === "elsewhere" || heldBack(sample.articleKey));
  const trial = fitLogistic(rows(train));
  const trialDomains = fitDomains(train);
  const generated = (list: QuestionSample[]) => list.filter((sample) => !sample.learned);
  const trialThresholds = chooseThresholds(scoreAll(generated(train), trial, trialDomains));
  const testScored = scoreAll(generated(test), trial, trialDomains);
  const final = fitLogistic(rows(samples));
  const domains = fitDomains(samples);
  return {
    kind: "fitted",
    method: FIT_METHOD,
    embedderId: about.embedderId,
    helpCenterVersion: about.helpCenterVersion,
    learnedQuestions: about.learned ?? 0,
    fittedAt: new Date().toISOString(),
    ...final,
    ...domains,
    thresholds: chooseThresholds(scoreAll(generated(samples), final, domains)),
    quality: {
      articles: about.articles,
      questions: generated(samples).filter((sample) => sample.kind === "answerable").length,
      brier: brier(testScored),
      ...outcomes(testScored, trialThresholds),
    },
  };
}
