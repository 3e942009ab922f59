// One real Chroma server for the whole test run, started the way the app starts it.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { startEmbeddedChroma } from "../server/knowledge/chroma-server.ts";
import { createLogger } from "../server/logger.ts";

declare module "vitest" {
  export interface ProvidedContext {
    chromaUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const dataDir = await mkdtemp(path.join(tmpdir(), "assistant-test-chroma-"));
  const chroma = await startEmbeddedChroma({ dataDir, logger: createLogger("silent") });
  project.provide("chromaUrl", chroma.url);
  return async () => {
    if (process.env.CHROMA_LOG) (await import("node:fs")).writeFileSync(process.env.CHROMA_LOG, chroma.output());
    await chroma.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
}
