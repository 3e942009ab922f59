// The fit's thread (threadFit in fitters.ts): reads the workspace's index from Chroma as the app's
// own thread does, runs selfCalibrate on it, answers with the model, and ends.
import { parentPort, workerData } from "node:worker_threads";
import { ChromaStore } from "../knowledge/chroma-store.ts";
import { embedderOf } from "../knowledge/create-embedder.ts";
import { HelpCenterKnowledge } from "../knowledge/help-center-knowledge.ts";
import { createLogger } from "../logger.ts";
import { FitRequest, type FitAnswer } from "./fitters.ts";
import { selfCalibrate } from "./self-calibration.ts";

async function answer(): Promise<FitAnswer> {
  const request = FitRequest.parse(workerData);
  const embedder = embedderOf(request.embedder);
  const knowledge = new HelpCenterKnowledge({
    store: new ChromaStore(request.chromaUrl, embedder.id, request.namespace),
    embedder,
    sourceFor: () => {
      throw new Error("the fit reads what the sync wrote; it never syncs");
    },
    logger: createLogger("silent"),
  });
  await knowledge.load(request.workspaceId);
  const model = await selfCalibrate(knowledge, request.workspaceId, request.synonyms ? { synonyms: request.synonyms } : {});
  return { model: model ?? null };
}

parentPort!.postMessage(await answer().catch((error: unknown): FitAnswer => ({ error: error instanceof Error ? error.message : String(error) })));
