// What the customer asks for, as opposed to what they ask about: a request (a person, sales, a
// refund, closing the account, "this is not helping"), an urgent problem (fraud, a hacked account),
// or a question the Help Center settles. A multinomial logistic regression over the message's
// words, word pairs and stems, trained by `npm run train:intents` (server/assistant/request-training.ts),
// its probabilities calibrated (a temperature and a shift per class) on held-out folds, and the
// thresholds that act on them chosen on those folds. The phrase list (escalation-triggers) stays the guaranteed floor.
import { readFileSync } from "node:fs";
import { z } from "zod";
import { foldText, terms, type AnalyzedLanguage } from "../knowledge/text-analysis.ts";

export const REQUEST_CLASSES = ["question", "request", "urgent"] as const;
export type RequestClass = (typeof REQUEST_CLASSES)[number];
export type RequestProbabilities = Record<RequestClass, number>;

const Triple = z.tuple([z.number(), z.number(), z.number()]);

export const SavedRequestModel = z.object({
  trainedOn: z.string(),
  /** Logits are divided by it, then shifted per class, before the softmax: both fitted on the held-out folds' log loss. */
  temperature: z.number().positive(),
  shift: Triple,
  /**
   * Calibrated probabilities at or above which the model acts on its own, chosen on the held-out
   * folds: `person` on a request's and an urgent problem's together (hand over), `urgent` on an
   * urgent problem's alone (flag it urgent).
   */
  thresholds: z.object({ person: z.number(), urgent: z.number() }),
  bias: Triple,
  weights: z.record(z.string(), Triple),
  /** How the held-out folds fared: reported by the trainer and the eval, never used to decide. */
  heldOut: z.object({
    rows: z.number(),
    brier: z.number(),
    reliability: z.array(z.object({ from: z.number(), to: z.number(), count: z.number(), predicted: z.number(), observed: z.number() })),
    /** Share of the rows needing a person that reach `person`, and of questions that do. */
    personRecall: z.number(),
    falsePerson: z.number(),
    urgentRecall: z.number(),
    falseUrgent: z.number(),
  }),
});
export type SavedRequestModel = z.infer<typeof SavedRequestModel>;

export const REQUEST_MODEL_FILE = new URL("./models/request-model.json", import.meta.url);

/** Apostrophes are dropped so "don't" and "dont" are one word, as customers type both. */
const plainWords = (text: string) => foldText(text).replace(/'/g, "").match(/[\p{L}\p{N}]+/gu) ?? [];

/**
 * The message's features, read in the customer's language: every word (function words carry a
 * request: "is anyone there", "ne… pas", "not what I want"), each pair of neighbouring words, the
 * stems of the content words, the first word, whether it ends asking, and its length.
 */
export function requestFeatures(text: string, language: AnalyzedLanguage = "en"): string[] {
  const words = plainWords(text);
  const features = new Set<string>();
  for (const word of words) features.add(`w:${word}`);
  for (let i = 0; i + 1 < words.length; i++) features.add(`b:${words[i]}_${words[i + 1]}`);
  for (const term of terms(text, language)) features.add(`s:${term}`);
  if (words[0]) features.add(`first:${words[0]}`);
  if (/\?\s*$/.test(text)) features.add("asks");
  features.add(words.length <= 2 ? "len:short" : words.length <= 6 ? "len:mid" : "len:long");
  return [...features];
}

/** The features that describe a message's shape, not its words. */
export const isShape = (feature: string) => feature === "asks" || feature.startsWith("len:");

/** Logits divided by the temperature and shifted per class: the calibration. */
export const calibrated = (logits: readonly number[], temperature: number, shift: readonly number[]) => logits.map((value, k) => value / temperature + shift[k]!);

export function softmax(logits: readonly number[]): number[] {
  const max = Math.max(...logits);
  const exps = logits.map((value) => Math.exp(value - max));
  const total = exps.reduce((sum, value) => sum + value, 0);
  return exps.map((value) => value / total);
}

export function logitsOf(features: string[], bias: readonly number[], weightOf: (feature: string) => ArrayLike<number> | undefined): number[] {
  const logits = [...bias];
  for (const feature of features) {
    const weights = weightOf(feature);
    if (weights) for (let k = 0; k < logits.length; k++) logits[k]! += weights[k]!;
  }
  return logits;
}

/** How many times the words must raise the odds of a person being needed over the message's shape alone. */
const EVIDENCE = 2;

/** Whether the words raised the odds that a person is needed enough: from P(question) with the words and with the shape alone. */
export const evidenced = (question: number, shapeQuestion: number) => (1 - question) / Math.max(1e-9, question) >= (EVIDENCE * (1 - shapeQuestion)) / Math.max(1e-9, shapeQuestion);

export class RequestModel {
  private readonly weights: Map<string, readonly number[]>;

  constructor(readonly saved: SavedRequestModel) {
    this.weights = new Map(Object.entries(saved.weights));
  }

  static load(json = readFileSync(REQUEST_MODEL_FILE, "utf8")): RequestModel {
    return new RequestModel(SavedRequestModel.parse(JSON.parse(json)));
  }

  get thresholds() {
    return this.saved.thresholds;
  }

  probabilities(text: string, language: AnalyzedLanguage = "en"): RequestProbabilities {
    return this.of(requestFeatures(text, language));
  }

  private of(features: string[]): RequestProbabilities {
    const [question, request, urgent] = softmax(calibrated(logitsOf(features, this.saved.bias, (feature) => this.weights.get(feature)), this.saved.temperature, this.saved.shift)) as [number, number, number];
    return { question, request, urgent };
  }

  /**
   * A person is needed, and whether it is urgent, by the model alone. Only on evidence: above the
   * threshold, and the message's words must at least double the odds its shape alone gives (a
   * message of words the model never saw, such as a product's own names, is no request).
   */
  verdict(text: string, language: AnalyzedLanguage = "en"): { probabilities: RequestProbabilities; person: number; needsPerson: boolean; urgent: boolean } {
    const features = requestFeatures(text, language);
    const probabilities = this.of(features);
    const shape = this.of(features.filter(isShape));
    // A person is needed for a request and for an urgent problem alike.
    const person = probabilities.request + probabilities.urgent;
    const needsPerson = person >= this.thresholds.person && evidenced(probabilities.question, shape.question);
    return { probabilities, person, needsPerson, urgent: needsPerson && probabilities.urgent >= this.thresholds.urgent };
  }
}
