// How the app's adapters report to the setup's evidence: Intercom calls by capability, each sync's
// outcome, the chat model's latency. Wired in at start-up (server/main.ts); the adapters only call
// back.
import type { ChatModel } from "../assistant/chat-model.ts";
import type { CalibrationModel } from "../answer-decision/model.ts";
import type { IntercomCall } from "../intercom/capabilities.ts";
import type { KnowledgeBase } from "../knowledge/knowledge-base.ts";
import type { SyncSummary } from "../knowledge/sync.ts";
import type { Logger } from "../logger.ts";
import { APP_WIDE, type EvidenceSink } from "./evidence.ts";

export const recordIntercomCall = (sink: EvidenceSink, workspaceId: string, call: IntercomCall) => sink.saw(workspaceId, `intercom:${call.capability}`, { status: call.status });

/** Failed articles named on the page: the first few. */
const FAILED_SHOWN = 3;

export async function recordSync(
  sink: EvidenceSink,
  knowledge: Pick<KnowledgeBase, "articles">,
  logger: Logger,
  workspaceId: string,
  outcome: { summary: SyncSummary; model?: CalibrationModel } | { error: unknown },
): Promise<void> {
  if ("error" in outcome) {
    sink.saw(workspaceId, "help_center:sync", { ok: false, error: outcome.error instanceof Error ? outcome.error.message : String(outcome.error) });
    return;
  }
  const { summary, model } = outcome;
  const articles = await knowledge.articles(workspaceId).catch((error) => {
    logger.warn({ err: error, workspaceId }, "could not count the indexed articles for the Setup page");
    return [];
  });
  sink.saw(workspaceId, "help_center:sync", {
    ok: true,
    error: null,
    articles: new Set(articles.map((article) => article.articleId)).size,
    languages: [...new Set(articles.map((article) => article.locale))].sort(),
    skippedDrafts: summary.skippedDrafts,
    failedCount: summary.errors.length,
    failed: summary.errors.slice(0, FAILED_SHOWN),
  });
  if (model) sink.saw(workspaceId, "help_center:calibration", { kind: model.kind, fittedAt: model.fittedAt });
}

/** The model's last calls kept: enough for a p95, small enough for a row. */
const SAMPLES = 100;
export const FAILED = -1;
export const ABANDONED = -2;

/**
 * The chat model, timed: each call's milliseconds go to the app-wide evidence (one model serves
 * every workspace), FAILED for an error and ABANDONED for a call its caller stopped waiting for
 * (the card's deadline), which the card saw as never answered.
 */
export function observedModel(model: ChatModel, sink: EvidenceSink): ChatModel {
  const samples: number[] = [];
  const note = (ms: number, error?: string) => {
    samples.push(Math.round(ms));
    if (samples.length > SAMPLES) samples.shift();
    sink.saw(APP_WIDE, "model:calls", { samples: [...samples], ...(error ? { error } : {}) });
  };
  return {
    get id() {
      return model.id;
    },
    get name() {
      return model.name;
    },
    async complete(messages, options) {
      const started = performance.now();
      try {
        const text = await model.complete(messages, options);
        note(performance.now() - started);
        return text;
      } catch (error) {
        if (options?.signal?.aborted) note(ABANDONED);
        else note(FAILED, error instanceof Error ? error.message : String(error));
        throw error;
      }
    },
  };
}
