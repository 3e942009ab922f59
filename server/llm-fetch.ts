// The `fetch` the openai SDK calls the model with: undici's request API under a fetch-shaped
// surface. Node's built-in fetch spends ~0.5 ms of CPU per call on WHATWG stream machinery, which
// with two model calls per message was a quarter of a signed submit's CPU (npm run bench); undici's
// request does the same call for about a fifth of that. Bodies the SDK sends for chat and
// embeddings are strings or bytes; anything else (a multipart upload, a stream), and a redirect,
// goes to the built-in fetch.
import { request } from "undici";

type Fetch = typeof globalThis.fetch;

const NO_BODY_STATUS = new Set([101, 204, 205, 304]);

function bodyBytes(body: RequestInit["body"]): string | Uint8Array | undefined | null {
  if (body === undefined || body === null || typeof body === "string" || body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  return null;
}

export const llmFetch: Fetch = async (input, init = {}) => {
  const body = bodyBytes(init.body);
  if (body === null || input instanceof Request) return fetch(input, init);
  const headers: Record<string, string> = {};
  new Headers(init.headers).forEach((value, name) => (headers[name] = value));
  const method = (init.method ?? "GET").toUpperCase() as "GET";
  const response = await request(String(input), { method, headers, body: body ?? undefined, signal: init.signal ?? undefined });
  // undici's request does not follow redirects; the rare server that sends one gets the built-in fetch.
  if (response.statusCode >= 300 && response.statusCode < 400 && response.headers.location) {
    await response.body.dump();
    return fetch(input, init);
  }
  const bytes = NO_BODY_STATUS.has(response.statusCode) || method === ("HEAD" as string) ? (await response.body.dump(), null) : await response.body.arrayBuffer();
  const responseHeaders = new Headers();
  for (const [name, value] of Object.entries(response.headers)) {
    for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value]) responseHeaders.append(name, one);
  }
  return new Response(bytes, { status: response.statusCode, headers: responseHeaders });
};
