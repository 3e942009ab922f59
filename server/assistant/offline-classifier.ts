// The offline intent classifier: escalation trigger phrases (the guaranteed floor), then the
// request model (request-model.ts), a calibrated logistic regression over the seven languages that
// says whether the customer asks for a person or reports an urgent problem, then a naive Bayes
// model (wink-naive-bayes-text-classifier) that names the intent of everything else. Both models
// are trained by `npm run train:intents` on BANKING77 (PolyAI, CC BY 4.0) and on examples written
// for this project.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { matchTrigger, type TriggerMatch } from "./escalation-triggers.ts";
import { intentFeatures } from "./intent-features.ts";
import { INTENT_NAMES, type Intent } from "./intents.ts";
import { RequestModel } from "./request-model.ts";
import { terms, words, type AnalyzedLanguage } from "../knowledge/text-analysis.ts";
import { sentimentOf } from "./sentiment.ts";

const require = createRequire(import.meta.url);
const NaiveBayes = require("wink-naive-bayes-text-classifier") as () => NaiveBayesModel;

interface NaiveBayesModel {
  definePrepTasks(tasks: Array<(text: string) => string[]>): void;
  defineConfig(config: { considerOnlyPresence: boolean; smoothingFactor: number }): void;
  learn(text: string, label: string): void;
  consolidate(): void;
  computeOdds(text: string): Array<[string, number]>;
  exportJSON(): string;
  importJSON(json: string): void;
}

export const MODEL_FILE = new URL("./models/intent-model.json", import.meta.url);
export const NB_CONFIG = { considerOnlyPresence: true, smoothingFactor: 0.1 };

export interface Classification {
  intent: Intent;
  /** A trigger phrase matched, or the request model is sure enough to hand over on its own. */
  needsHuman: boolean;
  /** Calibrated probability that a person is needed (a request or an urgent problem), by the request model alone. */
  modelProbability: number;
  trigger?: TriggerMatch;
}

export function newModel(): NaiveBayesModel {
  const model = NaiveBayes();
  model.definePrepTasks([(text) => intentFeatures(text)]);
  model.defineConfig(NB_CONFIG);
  return model;
}

/** The saved intent model (server/assistant/models/intent-model.json). */
export interface SavedModels {
  trainedOn: string;
  intents: string;
}

function probabilities(model: NaiveBayesModel, text: string): Map<string, number> {
  const odds = model.computeOdds(text);
  const max = Math.max(...odds.map(([, logOdds]) => logOdds));
  const weights = odds.map(([label, logOdds]) => [label, Math.exp(logOdds - max)] as const);
  const total = weights.reduce((sum, [, weight]) => sum + weight, 0);
  return new Map(weights.map(([label, weight]) => [label, weight / total]));
}

/** A question mark, or an opening that asks or requests something ("in which…", "help me…", "yes, I want to…" too). */
const ASKS = /\?|^\s*(?:(?:yes|yeah|ok|okay|well|hi|hello|hey)\b[\s,.!]*)?(?:(?:in|on|for|with|from|to|at|and|so|but|please)\s+)?(how|what|why|where|when|who|which|can|could|do|does|did|is|are|should|will|would|may|i(?: want| need| would like|'d like| like) to|i wanna|is there|are there|(?:help|tell|show|teach) me|explain|recommend)\b/i;

export class OfflineIntentClassifier {
  private readonly intents: NaiveBayesModel;

  constructor(
    readonly requests: RequestModel = RequestModel.load(),
    modelJson = readFileSync(MODEL_FILE, "utf8"),
  ) {
    const saved = JSON.parse(modelJson) as SavedModels;
    this.intents = newModel();
    this.intents.importJSON(saved.intents);
    this.intents.consolidate();
  }

  /** `language`: the language the customer writes in (the card's); English unless told. */
  classify(message: string, configuredTriggers: string[] = [], language: AnalyzedLanguage = "en"): Classification {
    const trigger = matchTrigger(message, configuredTriggers);
    const verdict = this.requests.verdict(message, language);
    const needsHuman = Boolean(trigger) || verdict.needsPerson;
    const content = terms(message, language);
    const asks = ASKS.test(message);
    const sentiment = sentimentOf(message);
    const evaluative = sentiment !== 0;
    const byIntent = content.length ? probabilities(this.intents, message) : new Map<string, number>();
    const best = (allowed: Intent[]) => allowed.reduce((a, b) => ((byIntent.get(b) ?? 0) > (byIntent.get(a) ?? 0) ? b : a));
    let intent: Intent;
    if (trigger) intent = trigger.kind;
    // Urgent only on evidence: the request model's calibrated probability above its threshold.
    else if (verdict.needsPerson) intent = verdict.urgent ? "urgent_problem" : "human_request";
    // A word or two of thanks, praise or complaint ("thanks!", "lol", "useless") is feedback: a
    // complaint whatever its words, praise only if the model also reads feedback, since a topic can
    // hold a word of praise ("languages supported", "entity recognition").
    else if (evaluative && !asks && words(message).length <= 2 && (sentiment < 0 || best(["feedback", "faq_question", "technical_question"]) === "feedback")) intent = "feedback";
    // A word or two with at most one content word ("invoice", "help", "not working") says too
    // little to act on, whatever the model thinks of the word.
    else if (content.length === 0 || (content.length === 1 && words(message).length <= 2)) intent = "incomplete_info";
    else intent = best(INTENT_NAMES.filter((name) => name !== "human_request" && name !== "urgent_problem"));
    // Feedback is a remark about an answer with no new question, said with some feeling: a message
    // that asks is a question, and one with no praise or complaint in it ("voice bot", "rasa bot
    // tutorial") names a topic, whatever words it shares with feedback.
    if (intent === "feedback" && (asks || !evaluative)) intent = best(["faq_question", "technical_question"]);
    return { intent, needsHuman, modelProbability: verdict.person, ...(trigger ? { trigger } : {}) };
  }
}
