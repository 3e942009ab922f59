// The chat model behind the LLM paths: any OpenAI-compatible API through the openai SDK.
import OpenAI from "openai";
import { llmFetch } from "../llm-fetch.ts";

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

export interface ChatModel {
  /** The model and its endpoint: a measurement of one model says nothing of another. */
  readonly id: string;
  readonly name: string;
  /** The model's reply text; `json` asks for a JSON object where the API supports it. */
  complete(messages: ChatMessage[], options?: { json?: boolean; signal?: AbortSignal; maxTokens?: number }): Promise<string>;
}

export class OpenAIChatModel implements ChatModel {
  private readonly client: OpenAI;

  constructor(private readonly options: { apiKey?: string; baseUrl?: string; model: string; timeoutMs?: number }) {
    this.client = new OpenAI({
      apiKey: options.apiKey ?? "not-needed",
      baseURL: options.baseUrl,
      fetch: llmFetch,
      // The canvas has its own time budget; one retry is all it can afford.
      maxRetries: 1,
      timeout: options.timeoutMs ?? 15_000,
    });
  }

  get name(): string {
    return this.options.model;
  }

  get id(): string {
    return `${this.options.model} at ${this.options.baseUrl ?? "https://api.openai.com/v1"}`;
  }

  async complete(messages: ChatMessage[], options: { json?: boolean; signal?: AbortSignal; maxTokens?: number } = {}): Promise<string> {
    const response = await this.client.chat.completions.create(
      {
        model: this.options.model,
        messages,
        temperature: 0,
        max_tokens: options.maxTokens ?? 500,
        ...(options.json ? { response_format: { type: "json_object" as const } } : {}),
      },
      { signal: options.signal },
    );
    return response.choices[0]?.message?.content ?? "";
  }
}
