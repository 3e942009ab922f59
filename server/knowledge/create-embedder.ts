import { z } from "zod";
import type { Config } from "../config.ts";
import type { Embedder } from "./embedder.ts";
import { OfflineEmbedder } from "./offline-embedder.ts";
import { OpenAIEmbedder } from "./openai-embedder.ts";

/** Which embedder, as plain data: what a thread of the app needs to make the same one. */
export const EmbedderSpec = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("offline") }),
  z.object({ kind: z.literal("openai"), apiKey: z.string().optional(), baseUrl: z.string().optional(), model: z.string() }),
]);
export type EmbedderSpec = z.infer<typeof EmbedderSpec>;

/** The OpenAI-compatible embedder when an API is configured (unless EMBEDDER=offline), else the offline default. */
export function embedderSpec(config: Config): EmbedderSpec {
  const { openai } = config;
  return openai.embeddings ? { kind: "openai", apiKey: openai.apiKey, baseUrl: openai.baseUrl, model: openai.embeddingModel } : { kind: "offline" };
}

export function embedderOf(spec: EmbedderSpec): Embedder {
  return spec.kind === "openai" ? new OpenAIEmbedder({ apiKey: spec.apiKey, baseUrl: spec.baseUrl, model: spec.model }) : new OfflineEmbedder();
}

export function createEmbedder(config: Config): Embedder {
  return embedderOf(embedderSpec(config));
}
