import type { KnowledgeBase } from "../knowledge/knowledge-base.ts";
import type { Logger } from "../logger.ts";
import { newAnswerStats } from "./answerer.ts";
import type { AssistantDeps, DecisionModels } from "./assistant.ts";
import { Calibrations, memoryCalibrationStore } from "../answer-decision/calibrations.ts";
import type { ChatModel } from "./chat-model.ts";
import { llmClassifier, offlineClassifier } from "./classifier.ts";
import { OfflineIntentClassifier } from "./offline-classifier.ts";
import { DEFAULT_POLICY, fixedPolicy, type AssistantPolicy, type PolicySource } from "./policy.ts";

let offline: OfflineIntentClassifier | undefined;

/** The assistant's dependencies: the LLM paths when a chat model is given, the offline ones otherwise. */
/** `settings` gives each workspace its own policy; without it, `policy` (or the defaults) serves every workspace. */
export function createAssistant(options: {
  knowledge: KnowledgeBase;
  logger: Logger;
  model?: ChatModel;
  policy?: AssistantPolicy;
  settings?: PolicySource;
  calibrations?: DecisionModels;
  notHelped?: AssistantDeps["notHelped"];
  reading?: AssistantDeps["reading"];
}): AssistantDeps {
  offline ??= new OfflineIntentClassifier();
  return {
    knowledge: options.knowledge,
    // Without a database the fits live in this process; the prior serves until one is made.
    calibrations: options.calibrations ?? new Calibrations({ knowledge: options.knowledge, store: memoryCalibrationStore(), logger: options.logger }),
    classifier: options.model ? llmClassifier(options.model, offline, options.logger) : offlineClassifier(offline),
    offline,
    ...(options.notHelped ? { notHelped: options.notHelped } : {}),
    ...(options.reading ? { reading: options.reading } : {}),
    ...(options.model ? { model: options.model } : {}),
    settings: options.settings ?? fixedPolicy(options.policy ?? DEFAULT_POLICY),
    logger: options.logger,
    stats: newAnswerStats(),
  };
}
