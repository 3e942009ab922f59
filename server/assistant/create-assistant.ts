import type { KnowledgeBase } from "../knowledge/knowledge-base.ts";
import type { Logger } from "../logger.ts";
import { newAnswerStats } from "./answerer.ts";
import type { AssistantDeps, DecisionModels } from "./assistant.ts";
import { Calibrations, memoryCalibrationStore } from "../answer-decision/calibrations.ts";
import type { ChatModel } from "./chat-model.ts";
import { llmClassifier, offlineClassifier } from "./classifier.ts";
import { OfflineIntentClassifier } from "./offline-classifier.ts";
import { DEFAULT_POLICY, fixedPolicy, type AssistantPolicy, type PolicySource } from "./policy.ts";
import { memoryModelTrustStore, ModelTrusts, type ModelTrustStore } from "../answer-decision/model-trusts.ts";
import type { ModelTrust } from "../answer-decision/model-trust.ts";
import { RESPOND_PROMPT_DIGEST } from "../prompts.ts";
import { DEFAULT_PROBE_LIMITS, runProbes, type ProbeLimits } from "./model-probes.ts";

let offline: OfflineIntentClassifier | undefined;

/**
 * The assistant's dependencies: the LLM paths when a chat model is given (with its measured trust
 * per workspace, in `trustStore` or this process), the offline ones otherwise. `settings` gives
 * each workspace its own policy; without it, `policy` (or the defaults) serves every workspace.
 */
export function createAssistant(options: {
  knowledge: KnowledgeBase;
  logger: Logger;
  model?: ChatModel;
  policy?: AssistantPolicy;
  settings?: PolicySource;
  calibrations?: DecisionModels;
  notHelped?: AssistantDeps["notHelped"];
  reading?: AssistantDeps["reading"];
  trustStore?: ModelTrustStore;
  probeLimits?: ProbeLimits;
  onTrust?: (workspaceId: string, trust: ModelTrust) => void;
}): AssistantDeps & { trusts?: ModelTrusts } {
  offline ??= new OfflineIntentClassifier();
  // Without a database the fits live in this process; the prior serves until one is made.
  const calibrations = options.calibrations ?? new Calibrations({ knowledge: options.knowledge, store: memoryCalibrationStore(), logger: options.logger });
  const settings = options.settings ?? fixedPolicy(options.policy ?? DEFAULT_POLICY);
  const model = options.model;
  const trusts = model
    ? new ModelTrusts({
        store: options.trustStore ?? memoryModelTrustStore(),
        modelKey: `${model.id}#${RESPOND_PROMPT_DIGEST}`,
        model: model.name,
        probe: (workspaceId) => runProbes(workspaceId, { knowledge: options.knowledge, calibrations, settings, model }, options.probeLimits ?? DEFAULT_PROBE_LIMITS),
        logger: options.logger,
        ...(options.onTrust ? { onTrust: options.onTrust } : {}),
      })
    : undefined;
  return {
    knowledge: options.knowledge,
    calibrations,
    classifier: options.model ? llmClassifier(options.model, offline, options.logger) : offlineClassifier(offline),
    offline,
    ...(options.notHelped ? { notHelped: options.notHelped } : {}),
    ...(options.reading ? { reading: options.reading } : {}),
    ...(model ? { model } : {}),
    ...(trusts ? { trusts } : {}),
    settings,
    logger: options.logger,
    stats: newAnswerStats(),
  };
}
