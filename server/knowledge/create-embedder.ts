import type { Config } from "../config.ts";
import type { Embedder } from "./embedder.ts";
import { OfflineEmbedder } from "./offline-embedder.ts";
import { OpenAIEmbedder } from "./openai-embedder.ts";

/** The OpenAI-compatible embedder when an API is configured (unless EMBEDDER=offline), else the offline default. */
export function createEmbedder(config: Config): Embedder {
  const { openai } = config;
  return openai.embeddings
    ? new OpenAIEmbedder({ apiKey: openai.apiKey, baseUrl: openai.baseUrl, model: openai.embeddingModel })
    : new OfflineEmbedder();
}
