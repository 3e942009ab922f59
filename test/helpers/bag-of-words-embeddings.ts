// A second embedder for the evaluation, the benchmark and the tests: a local OpenAI-compatible
// embeddings server whose vectors are deliberately unlike the offline embedder's (whole words,
// no stemming, signed hashing into 384 dimensions, so its cosines live on another scale). It
// stands for "some other model" when proving that calibration follows the embedder in use.
import { createHash } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

const DIMENSIONS = 384;

export function bagOfWords(text: string): number[] {
  const vector = new Array<number>(DIMENSIONS).fill(0);
  for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    const digest = createHash("md5").update(word).digest();
    vector[digest.readUInt16LE(0) % DIMENSIONS]! += digest[2]! & 1 ? 1 : -1;
  }
  const norm = Math.hypot(...vector) || 1;
  return vector.map((value) => value / norm);
}

export interface EmbeddingsServer {
  /** The OpenAI-compatible base URL (ends in /v1). */
  url: string;
  /** How many embedding requests it has answered. */
  requests: number;
  close(): Promise<void>;
}

export async function startBagOfWordsEmbeddings(): Promise<EmbeddingsServer> {
  const state = { requests: 0 };
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.method !== "POST" || !req.url?.endsWith("/embeddings")) {
      res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: "not found" } }));
      return;
    }
    state.requests++;
    const body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as { input?: unknown; model?: string; encoding_format?: string };
    // Like OpenAI's API: the SDK asks for base64 (little-endian float32) unless told otherwise.
    const encode = (vector: number[]) => (body.encoding_format === "base64" ? Buffer.from(Float32Array.from(vector).buffer).toString("base64") : vector);
    const input = Array.isArray(body.input) ? body.input.map(String) : [String(body.input ?? "")];
    res.writeHead(200, { "content-type": "application/json" }).end(
      JSON.stringify({
        object: "list",
        model: body.model,
        data: input.map((text, index) => ({ object: "embedding", index, embedding: encode(bagOfWords(text)) })),
        usage: { prompt_tokens: input.length, total_tokens: input.length },
      }),
    );
  });
  server.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  return Object.assign(state, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
