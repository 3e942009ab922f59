// A hosted chat model as it behaves from here: an OpenAI-compatible server whose reply takes a
// first-token delay plus its length at a token rate (both settable), so the benchmark sees what a
// card sees with a real API. The replies are plausible for each prompt the app sends: a short
// classification, or the one call's judgement with an answer of about 70 words drawn from the
// first document, cited.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface HostedModel {
  url: string;
  /** Calls answered, and tokens written. */
  calls: number;
  close(): Promise<void>;
}

/** About four characters per token, as OpenAI's tokenizers average on English. */
const tokensOf = (text: string) => Math.ceil(text.length / 4);

function replyTo(messages: Array<{ role: string; content: string }>): string {
  const prompt = messages.map((message) => message.content).join("\n");
  if (prompt.startsWith("You classify")) return JSON.stringify({ intent: "faq_question", needs_human: false, reason: "a how-to question" });
  const document = /<document id="([^"]*)"[^>]*>\n([\s\S]*?)\n<\/document>/.exec(prompt);
  if (!document) return JSON.stringify({ intent: "faq_question", needs_human: false, answerable: false, cited: [], answer: "A person from the team can help with that." });
  const words = document[2]!.replace(/\s+/g, " ").split(" ").slice(0, 70).join(" ");
  return JSON.stringify({ intent: "faq_question", needs_human: false, answerable: true, cited: [document[1]], answer: words });
}

export async function startHostedModel(options: { firstTokenMs: number; tokensPerSecond: number }): Promise<HostedModel> {
  const state = { calls: 0 };
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as { model?: string; messages?: Array<{ role: string; content: string }> };
    if (req.method !== "POST" || !req.url?.endsWith("/chat/completions")) {
      res.writeHead(404, { "content-type": "application/json" });
      return res.end(JSON.stringify({ error: { message: "not found" } }));
    }
    state.calls++;
    const content = replyTo(body.messages ?? []);
    const tokens = tokensOf(content);
    await new Promise((resolve) => setTimeout(resolve, options.firstTokenMs + (tokens / options.tokensPerSecond) * 1000));
    if (res.destroyed) return;
    res.writeHead(200, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        id: "chatcmpl-hosted",
        object: "chat.completion",
        created: Math.floor(Date.now() / 1000),
        model: body.model,
        choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
        usage: { prompt_tokens: tokensOf(JSON.stringify(body.messages ?? [])), completion_tokens: tokens, total_tokens: tokens },
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
