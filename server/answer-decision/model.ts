// A workspace's answer-decision model: a logistic model over retrieval's signals (Platt scaling of
// a linear score, as scikit-learn's calibration guide describes it) that gives the probability an
// article is the right one, and the thresholds that turn those probabilities into an answer, a
// choice of articles, or a hand-over. Fitted per workspace and embedder (self-calibration.ts); the
// shipped prior serves a Help Center too small to fit.
import { z } from "zod";
import { FEATURE_NAMES, type ConfidenceFeatures, type Scorer } from "../knowledge/confidence.ts";
import prior from "./prior.json" with { type: "json" };

const Weights = z.object(Object.fromEntries(FEATURE_NAMES.map((name) => [name, z.number()])) as Record<(typeof FEATURE_NAMES)[number], z.ZodNumber>);

/**
 * How the fit is made; a model fitted another way is fitted again at the next sync. 2: questions
 * across languages, and an on-topic model and bar per language. 3: coverage counts the question's
 * subject (not its conversational words, and one-letter words too). 4: the built-in thesaurus's
 * client/customer, billing and deployment groups. 5: the learned questions are asked too, and a
 * match with one is a signal of its own. 6: the search counts two swapped letters as one typo.
 * 7: answers at 90% precision on the generated questions instead of 95%. 8: a passage's search
 * statistics come from the Help Center alone, not from the learned questions beside it. 9: a learned
 * question is searched by its own words, without its article's title and description. 10: a match
 * with the learned questions counts the words the article's customers used across all of them, and
 * a learned question is fitted without its near-copies.
 */
export const FIT_METHOD = 10;

const LinearModel = z.object({ bias: z.number(), weights: Weights, mean: Weights, scale: Weights });

export const CalibrationModel = z.object({
  /** "fitted" on the workspace's own Help Center, or the shipped "prior". */
  kind: z.enum(["fitted", "prior"]),
  /** The FIT_METHOD it was fitted with (models stored before it was recorded: 1). */
  method: z.number().int().default(1),
  /** The embedder the model was fitted with (the prior: the offline one). */
  embedderId: z.string(),
  /** The Help Center version (HelpCenterVersion.digest) it was fitted on. */
  helpCenterVersion: z.string(),
  /** How many learned questions the index held when fitted (it asks them, or a sample): when many more are learned, it is fitted again. */
  learnedQuestions: z.number().int().default(0),
  fittedAt: z.string(),
  bias: z.number(),
  /** Per feature: the weight of its standardised value. */
  weights: Weights,
  mean: Weights,
  scale: Weights,
  /** The domain model: the probability that a question is about this Help Center at all, from its best article's signals. */
  domain: LinearModel,
  /**
   * The same, fitted on one language's questions alone, for each language of a Help Center written
   * in several: a French question's signals are not read on the English questions' scale.
   */
  domainIn: z.record(z.string(), LinearModel).default({}),
  thresholds: z.object({
    /** The best article's probability at or above which the assistant answers from it. */
    answer: z.number().min(0).max(1),
    /** The domain probability at or above which the likely articles are offered as a choice (the strictest language's). */
    choice: z.number().min(0).max(1),
    /** The same per language of the question: a question in French is measured against French questions about other businesses. */
    choiceIn: z.record(z.string(), z.number().min(0).max(1)).default({}),
    /** An article at least this likely is cited beside the answer, or offered in a choice. */
    related: z.number().min(0).max(1),
  }),
  quality: z.object({
    articles: z.number().int(),
    questions: z.number().int(),
    /** Brier score of the fitted probabilities on held-back generated questions (lower is better). */
    brier: z.number(),
    /** On held-back questions: share of answers whose first article is right. */
    answerPrecision: z.number(),
    /** On held-back questions whose article exists: share answered, and share one click away (answered or offered). */
    answerRate: z.number(),
    oneClick: z.number(),
    /** Questions about other kinds of business: share handed over. */
    elsewhereHandedOver: z.number(),
  }),
});
export type CalibrationModel = z.infer<typeof CalibrationModel>;

let parsedPrior: CalibrationModel | undefined;
/** Written by `npm run eval -- --fit-prior`: self-calibration on the bundled demo Help Center with the offline embedder. */
export const priorModel = (): CalibrationModel => (parsedPrior ??= CalibrationModel.parse(prior));

export function linearScore(model: Pick<CalibrationModel, "bias" | "weights" | "mean" | "scale">, features: ConfidenceFeatures): number {
  let z = model.bias;
  for (const name of FEATURE_NAMES) z += (model.weights[name] * (features[name] - model.mean[name])) / (model.scale[name] || 1);
  return z;
}

export const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** The probability that an article with these signals is the right one. */
export const scorerOf =
  (model: Pick<CalibrationModel, "bias" | "weights" | "mean" | "scale">): Scorer =>
  (features) =>
    sigmoid(linearScore(model, features));

/** The thresholds for a question in `language`: its own choice threshold when the fit has one, else the strictest. */
export function thresholdsFor(model: Pick<CalibrationModel, "thresholds">, language: string): CalibrationModel["thresholds"] {
  const choice = model.thresholds.choiceIn[language];
  return choice === undefined ? model.thresholds : { ...model.thresholds, choice };
}

/** The probability that a question in `language` is about this Help Center at all, from its best article's signals. */
export const domainScorerOf = (model: Pick<CalibrationModel, "domain" | "domainIn">, language: string): Scorer => scorerOf(model.domainIn[language] ?? model.domain);
