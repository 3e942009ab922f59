// The offline intent classifier: escalation trigger patterns, then two naive Bayes models
// (wink-naive-bayes-text-classifier) trained by `npm run train:intents` on BANKING77 (PolyAI,
// CC BY 4.0) and on examples written for this project. One model answers "does this need a
// person?", the other names the intent. A message in another catalog language is asked of that
// language's own needs-human model, trained on the examples written for it.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { matchTrigger, type TriggerMatch } from "./escalation-triggers.ts";
import { intentFeatures } from "./intent-features.ts";
import { INTENT_NAMES, type Intent } from "./intents.ts";
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
/**
 * Above this probability the needs-human model escalates on its own. Chosen on intents.dev: a
 * missed hand-off costs a customer more than an unneeded one costs an agent, so the threshold sits
 * low (0.4: recall 0.950, false escalation 0.043; 0.7 would give 0.946 and 0.035).
 */
export const NEEDS_HUMAN_THRESHOLD = 0.4;
export const NB_CONFIG = { considerOnlyPresence: true, smoothingFactor: 0.1 };
/**
 * The other languages learn from about a hundred rows each, not ten thousand: a word seen once,
 * in one request for a person, must not decide alone (Laplace smoothing).
 */
const SMALL_NB_CONFIG = { ...NB_CONFIG, smoothingFactor: 1 };

export interface Classification {
  intent: Intent;
  needsHuman: boolean;
  /** Probability that a person is needed, according to the needs-human model alone. */
  modelProbability: number;
  trigger?: TriggerMatch;
}

export function newModel(language: AnalyzedLanguage = "en"): NaiveBayesModel {
  const model = NaiveBayes();
  model.definePrepTasks([(text) => intentFeatures(text, language)]);
  model.defineConfig(language === "en" ? NB_CONFIG : SMALL_NB_CONFIG);
  return model;
}

/** The saved models (server/assistant/models/intent-model.json). */
export interface SavedModels {
  trainedOn: string;
  needsHuman: string;
  intents: string;
  /** Per other language: its needs-human model. */
  needsHumanIn: Partial<Record<AnalyzedLanguage, string>>;
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

function loaded(json: string, language: AnalyzedLanguage = "en"): NaiveBayesModel {
  const model = newModel(language);
  model.importJSON(json);
  model.consolidate();
  return model;
}

export class OfflineIntentClassifier {
  private readonly needsHuman: NaiveBayesModel;
  private readonly intents: NaiveBayesModel;
  private readonly needsHumanIn = new Map<AnalyzedLanguage, NaiveBayesModel>();

  constructor(modelJson = readFileSync(MODEL_FILE, "utf8")) {
    const saved = JSON.parse(modelJson) as SavedModels;
    this.needsHuman = loaded(saved.needsHuman);
    this.intents = loaded(saved.intents);
    for (const [language, json] of Object.entries(saved.needsHumanIn) as Array<[AnalyzedLanguage, string]>) this.needsHumanIn.set(language, loaded(json, language));
  }

  /** `language`: the language the customer writes in (the card's); English unless told. */
  classify(message: string, configuredTriggers: string[] = [], language: AnalyzedLanguage = "en"): Classification {
    const trigger = matchTrigger(message, configuredTriggers);
    const own = this.needsHumanIn.get(language);
    const content = terms(message, own ? language : "en");
    const asks = ASKS.test(message);
    const evaluative = sentimentOf(message) !== 0;
    // Customers mix in English ("support", "manager", "chat"): the English model is asked too.
    const english = (own ? terms(message) : content).length ? (probabilities(this.needsHuman, message).get("human") ?? 0) : 0;
    const human = own && content.length ? Math.max(english, probabilities(own, message).get("human") ?? 0) : english;
    const needsHuman = Boolean(trigger) || human > NEEDS_HUMAN_THRESHOLD;
    const byIntent = content.length ? probabilities(this.intents, message) : new Map<string, number>();
    const best = (allowed: Intent[]) => allowed.reduce((a, b) => ((byIntent.get(b) ?? 0) > (byIntent.get(a) ?? 0) ? b : a));
    let intent: Intent;
    if (trigger) intent = trigger.kind;
    else if (needsHuman) intent = best(["human_request", "urgent_problem"]);
    // A word or two with at most one content word ("invoice", "help", "not working") says too
    // little to act on, whatever the model thinks of the word.
    // A word or two of thanks, praise or complaint ("thanks!", "lol", "useless") is feedback.
    else if (evaluative && !asks && words(message).length <= 2) intent = "feedback";
    else if (content.length === 0 || (content.length === 1 && words(message).length <= 2)) intent = "incomplete_info";
    else intent = best(INTENT_NAMES.filter((name) => name !== "human_request" && name !== "urgent_problem"));
    // Feedback is a remark about an answer with no new question, said with some feeling: a message
    // that asks is a question, and one with no praise or complaint in it ("voice bot", "rasa bot
    // tutorial") names a topic, whatever words it shares with feedback.
    if (intent === "feedback" && (asks || !evaluative)) intent = best(["faq_question", "technical_question"]);
    return { intent, needsHuman, modelProbability: human, ...(trigger ? { trigger } : {}) };
  }
}
