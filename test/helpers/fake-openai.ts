// A local OpenAI-compatible server: real HTTP, the documented response shapes, deterministic
// embeddings (hashed words, so similar texts get similar vectors), scripted failures, and a log
// of every request.
import { createHash } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface ChatRequest {
  model: string;
  messages: Array<{ role: string; content: string }>;
  response_format?: { type: string };
}

export interface FakeOpenAI {
  url: string;
  requests: Array<{ path: string; body: Record<string, unknown> }>;
  /** What the chat model says: a reply text, optionally after a delay. Tests replace it. */
  chat: (request: ChatRequest) => { content: string; delayMs?: number };
  /** Status codes to answer with before behaving normally again (e.g. [429] to rate-limit once). */
  failNext: number[];
  close(): Promise<void>;
}

const DIMENSIONS = 64;

function embed(text: string): number[] {
  const vector = new Array<number>(DIMENSIONS).fill(0);
  for (const word of text.toLowerCase().match(/[a-z0-9]{3,}/g) ?? []) {
    const digest = createHash("md5").update(word.slice(0, 6)).digest();
    vector[digest[0]! % DIMENSIONS]! += 1;
  }
  const norm = Math.hypot(...vector) || 1;
  return vector.map((value) => value / norm);
}

export async function startFakeOpenAI(): Promise<FakeOpenAI> {
  const state: Omit<FakeOpenAI, "url" | "close"> = { requests: [], failNext: [], chat: () => ({ content: "{}" }) };
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as Record<string, unknown>;
    const path = new URL(req.url ?? "/", "http://fake").pathname;
    state.requests.push({ path, body });
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(JSON.stringify(payload));
    };
    const failure = state.failNext.shift();
    if (failure) return send(failure, { error: { message: "scripted failure", type: "rate_limit_error" } }, { "retry-after-ms": "10" });
    if (req.method === "POST" && path === "/v1/embeddings") {
      const input = Array.isArray(body.input) ? (body.input as string[]) : [String(body.input)];
      return send(200, {
        object: "list",
        model: body.model,
        data: input.map((text, index) => ({ object: "embedding", index, embedding: embed(text) })),
        usage: { prompt_tokens: input.length, total_tokens: input.length },
      });
    }
    if (req.method === "POST" && path === "/v1/chat/completions") {
      const { content, delayMs = 0 } = state.chat(body as unknown as ChatRequest);
      if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
      if (res.destroyed) return;
      return send(200, {
        id: "chatcmpl-fake",
        object: "chat.completion",
        created: 1732530000,
        model: body.model,
        choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
        usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
      });
    }
    send(404, { error: { message: `no route ${path}` } });
  });
  server.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  return Object.assign(state, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
