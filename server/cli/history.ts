// `npm run sync -- --history`: reads the workspace's past conversations from the terminal (or
// follows the run already under way on another instance), with a progress bar and a summary line.
import { SingleBar, Presets } from "cli-progress";
import type { IntercomClient } from "intercom-client";
import { Calibrations, databaseCalibrationStore } from "../answer-decision/calibrations.ts";
import { OpenAIChatModel } from "../assistant/chat-model.ts";
import { createAssistant } from "../assistant/create-assistant.ts";
import { loadPolicy } from "../assistant/policy.ts";
import { databaseModelTrustStore } from "../answer-decision/model-trusts.ts";
import type { Config } from "../config.ts";
import type { HelpCenterKnowledge } from "../knowledge/help-center-knowledge.ts";
import { HISTORY_JOB, HistoryBackfill } from "../learning/backfill.ts";
import { LearnedQuestions, type TaughtQuestion } from "../learning/learned-questions.ts";
import { requestParaphrases } from "../learning/paraphrases.ts";
import type { Logger } from "../logger.ts";
import { WorkspaceSettings } from "../settings/workspace-settings.ts";
import { openDatabase } from "../storage/database.ts";
import { JobQueue, Worker } from "../storage/queue.ts";

/** Reads the history; true when the run failed. */
export async function readHistory(options: { config: Config; logger: Logger; knowledge: HelpCenterKnowledge; workspaceId: string; client: IntercomClient }): Promise<boolean> {
  const { config, logger, knowledge, workspaceId, client } = options;
  const db = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  const bar = new SingleBar({ format: `History of ${workspaceId} [{bar}] {value}/{total} conversations, {learned} questions learned, {left}`, hideCursor: true, clearOnComplete: true, stream: process.stderr }, Presets.shades_classic);
  let worker: Worker | undefined;
  try {
    const queue = new JobQueue(db);
    // A run the embedded database's last owner left mid-way goes on from where it stopped.
    await queue.releaseAbandoned();
    const settings = new WorkspaceSettings({ db, defaults: loadPolicy(config.assistantConfigFile), logger });
    const calibrations = new Calibrations({ knowledge, store: databaseCalibrationStore(db), logger, synonymsFor: async (id) => (await settings.policyFor(id)).synonyms });
    // The forecast asks the assistant the app runs: the same settings, fits and model.
    const model = config.openai.enabled ? new OpenAIChatModel({ apiKey: config.openai.apiKey, baseUrl: config.openai.baseUrl, model: config.openai.chatModel }) : undefined;
    const assistant = createAssistant({ knowledge, logger, settings, calibrations, ...(model ? { model } : {}), trustStore: databaseModelTrustStore(db) });
    const history = new HistoryBackfill({
      assistant,
      db,
      queue,
      clientFor: (id) => (id === workspaceId ? client : undefined),
      knowledge,
      // With a model, what the reading teaches is queued to be reworded: the app does it when it runs.
      learned: new LearnedQuestions({ db, index: knowledge, logger, ...(model ? { onTaught: (id: string, questions: TaughtQuestion[]) => requestParaphrases(queue, id, questions) } : {}) }),
      settings,
      refit: (id) => calibrations.refit(id, { force: true }),
      logger,
    });
    const started = await history.start(workspaceId);
    if (!started) console.error("A reading is already under way: following it.");
    worker = new Worker(queue, { [HISTORY_JOB]: history.handler() }, logger, { pollMs: 1000, batch: 1, kinds: { only: [HISTORY_JOB] } });
    worker.start();
    let barStarted = false;
    for (;;) {
      const run = await history.latest(workspaceId);
      if (!run) throw new Error("the run was not recorded");
      const total = run.progress.total ?? 0;
      const left = run.secondsLeft === null ? "" : `about ${Math.ceil(run.secondsLeft / 60)} min left`;
      if (!barStarted && total) {
        bar.start(total, run.progress.read, { learned: run.progress.learned, left });
        barStarted = true;
      }
      if (barStarted) bar.update(run.progress.read, { learned: run.progress.learned, left });
      if (run.state !== "running") {
        if (barStarted) bar.stop();
        const { progress } = run;
        const skipped = Object.entries(progress.skipped).map(([reason, count]) => `${reason.replace(/_/g, " ")} ${count}`);
        console.log(
          `${workspaceId}: ${run.state}, read ${progress.read} of ${progress.total ?? progress.read} conversations, learned ${progress.learned} questions from ${progress.linked} linking replies (${progress.unlinked} replies without a link, ${progress.notFound} not found${skipped.length ? `, skipped: ${skipped.join(", ")}` : ""})${progress.stopped ? `; stopped: ${progress.stopped}` : ""}`,
        );
        if (run.error) console.error(`  last error: ${run.error}`);
        return run.state === "failed";
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  } finally {
    await worker?.stop();
    await db.close();
  }
}
