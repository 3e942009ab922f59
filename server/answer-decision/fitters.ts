// Where a workspace's self-calibration runs. In the app's own thread (tests, the eval, the
// command-line tools) or in a thread of its own (the running app): a fit makes thousands of
// searches, and in a thread their garbage goes with the thread instead of staying in the app's heap
// (the first start held ~200 MiB more than a restart until V8 happened to collect it), and cards
// keep the app's event loop while it runs. Both run the very same selfCalibrate.
import { Worker } from "node:worker_threads";
import { z } from "zod";
import { EmbedderSpec } from "../knowledge/create-embedder.ts";
import type { KnowledgeBase } from "../knowledge/knowledge-base.ts";
import { CalibrationModel } from "./model.ts";
import { selfCalibrate } from "./self-calibration.ts";

/** Fits a workspace's model on its Help Center as Chroma holds it; undefined when it is too small to fit. */
export type Fit = (workspaceId: string, options: { synonyms?: string[][] }) => Promise<CalibrationModel | undefined>;

export const inProcessFit =
  (knowledge: KnowledgeBase): Fit =>
  (workspaceId, options) =>
    selfCalibrate(knowledge, workspaceId, options);

/** What the fit's thread is given: where Chroma is, which embedder, and which workspace. */
export const FitRequest = z.object({
  chromaUrl: z.string(),
  namespace: z.string(),
  embedder: EmbedderSpec,
  workspaceId: z.string(),
  synonyms: z.array(z.array(z.string())).optional(),
});
export type FitRequest = z.infer<typeof FitRequest>;

/** What it answers: the model, none (the Help Center is too small to fit), or why it failed. */
export const FitAnswer = z.union([z.object({ model: CalibrationModel.nullable() }), z.object({ error: z.string() })]);
export type FitAnswer = z.infer<typeof FitAnswer>;

/**
 * The thread's module beside this one: built JavaScript in the running app; from the sources (the
 * tests, tsx), tsx is registered in the thread first so the TypeScript module runs there too.
 */
const FROM_SOURCES = import.meta.url.endsWith(".ts");
const THREAD = new URL(`./fit-thread${FROM_SOURCES ? ".ts" : ".js"}`, import.meta.url);
const startThread = (workerData: FitRequest) =>
  FROM_SOURCES
    ? new Worker(`import("tsx/esm/api").then(({ register }) => { register(); return import(${JSON.stringify(THREAD.href)}); });`, { eval: true, workerData })
    : new Worker(THREAD, { workerData });

/** One fit's thread at a time: each holds an index and its searches' garbage, and two fits on 2 cores are no sooner done. */
export function threadFit(where: Omit<FitRequest, "workspaceId" | "synonyms">): Fit {
  let previous: Promise<unknown> = Promise.resolve();
  return (workspaceId, options) => {
    const request: FitRequest = { ...where, workspaceId, ...(options.synonyms ? { synonyms: options.synonyms } : {}) };
    const fitted = previous.catch(() => undefined).then(() => fitInThread(request));
    previous = fitted;
    return fitted;
  };
}

function fitInThread(request: FitRequest): Promise<CalibrationModel | undefined> {
  return new Promise((resolve, reject) => {
    const thread = startThread(request);
    let answered = false;
    thread.once("message", (message: unknown) => {
      answered = true;
      const answer = FitAnswer.safeParse(message);
      if (!answer.success) reject(new Error(`the fit's thread answered something unreadable: ${answer.error.message}`));
      else if ("error" in answer.data) reject(new Error(`the fit's thread failed: ${answer.data.error}`));
      else resolve(answer.data.model ?? undefined);
    });
    thread.once("error", reject);
    thread.once("exit", (code) => answered || reject(new Error(`the fit's thread stopped (exit ${code}) without an answer`)));
  });
}
