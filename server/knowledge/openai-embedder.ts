// Embeddings from any OpenAI-compatible API (OpenAI, Ollama, vLLM) through the openai SDK, which
// retries 429s and 5xx with exponential backoff. Inputs are sent in batches, and vectors are kept
// in a bounded in-memory cache keyed by a hash of the model and the text, so a text is embedded once.
import { createHash } from "node:crypto";
import OpenAI from "openai";
import { llmFetch } from "../llm-fetch.ts";
import type { CorpusStats, Embedder } from "./embedder.ts";

const BATCH = 96;
const CACHE_ENTRIES = 5000;

export class OpenAIEmbedder implements Embedder {
  readonly id: string;
  private readonly client: OpenAI;
  private readonly cache = new Map<string, number[]>();

  constructor(private readonly options: { apiKey?: string; baseUrl?: string; model: string; maxRetries?: number; timeoutMs?: number }) {
    this.id = `openai:${options.baseUrl ?? "api.openai.com"}:${options.model}`;
    this.client = new OpenAI({
      // Local servers such as Ollama accept any key; the SDK insists on one being set.
      apiKey: options.apiKey ?? "not-needed",
      baseURL: options.baseUrl,
      fetch: llmFetch,
      maxRetries: options.maxRetries ?? 4,
      timeout: options.timeoutMs ?? 30_000,
    });
  }

  private key(text: string): string {
    return createHash("sha256").update(this.options.model).update("\0").update(text).digest("hex");
  }

  private remember(key: string, vector: number[]) {
    if (this.cache.size >= CACHE_ENTRIES) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, vector);
  }

  async embedDocuments(texts: string[]): Promise<number[][]> {
    const keys = texts.map((text) => this.key(text));
    const found = new Map<string, number[]>();
    for (const key of keys) {
      const cached = this.cache.get(key);
      if (cached) found.set(key, cached);
    }
    const textOf = new Map(keys.map((key, i) => [key, texts[i]!]));
    const missing = [...textOf.keys()].filter((key) => !found.has(key));
    for (let start = 0; start < missing.length; start += BATCH) {
      const batch = missing.slice(start, start + BATCH);
      // Floats, not the SDK's default base64: servers that ignore the format (some local ones do) would be decoded into garbage.
      const response = await this.client.embeddings.create({ model: this.options.model, input: batch.map((key) => textOf.get(key)!), encoding_format: "float" });
      for (const item of response.data) {
        found.set(batch[item.index]!, item.embedding);
        this.remember(batch[item.index]!, item.embedding);
      }
    }
    return keys.map((key) => found.get(key)!);
  }

  async embedQuery(text: string, corpus?: CorpusStats): Promise<number[]> {
    const [vector] = await this.embedQueries([text], corpus);
    return vector!;
  }

  /** The model cannot weigh a query by this Help Center's statistics, so it is asked without the words most of its articles hold. */
  embedQueries(texts: string[], corpus?: CorpusStats): Promise<number[][]> {
    return this.embedDocuments(corpus ? texts.map((text) => corpus.withoutCommonWords(text)) : texts);
  }
}
