// Chat models with a personality, behind a real OpenAI-compatible server: what the app must survive
// when an operator plugs in their model. Each reads the app's own prompt (the documents and the
// message) and replies as that kind of model would:
// - credulous: always "answerable", cites the first document, answers from its first words;
// - cautious: never "answerable";
// - honest: "answerable" only when the right article is among the documents (it knows the right
//   article of the eval's questions); for any other question it judges by words: the one document
//   that holds the message's content words (all but one at most) better than any other;
// - broken: invalid JSON, ids it was not given, and invented links with numbers, in turn.
// A first-token delay and a token rate make any of them as slow as a hosted model.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { terms } from "../../server/knowledge/text-analysis.ts";

export const PERSONAS = ["credulous", "cautious", "honest", "broken"] as const;
export type Persona = (typeof PERSONAS)[number];

export interface PersonaModel {
  url: string;
  persona: Persona;
  /** Questions whose right article the honest model knows (null: no article answers it). */
  oracle: Map<string, string | null>;
  calls: number;
  close(): Promise<void>;
}

const unescape = (text: string) =>
  text.replace(/&#x27;/g, "'").replace(/&quot;/g, '"').replace(/&#x3D;/g, "=").replace(/&#x60;/g, "`").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");

interface Document {
  id: string;
  title: string;
  text: string;
}

function documentsOf(prompt: string): Document[] {
  return [...prompt.matchAll(/<document id="([^"]*)" title="([^"]*)"[^>]*>\n([\s\S]*?)\n<\/document>/g)].map((m) => ({ id: unescape(m[1]!), title: unescape(m[2]!), text: unescape(m[3]!) }));
}

const messageOf = (prompt: string) => unescape(/<message>\n([\s\S]*?)\n<\/message>/.exec(prompt)?.[1] ?? "");
const firstWords = (text: string, count: number) => text.replace(/\s+/g, " ").split(" ").slice(0, count).join(" ");

/**
 * The document that clearly holds the message, as a careful reader judges by words alone: it holds
 * all of the message's content words but one at most (a typo, another word for the same thing),
 * and no other document comes as close. Otherwise the documents do not clearly answer it.
 */
function byWords(message: string, documents: Document[]): Document | undefined {
  const asked = [...new Set(terms(message))];
  if (!asked.length) return undefined;
  const held = documents.map((document) => {
    const present = new Set(terms(`${document.title}\n${document.text}`));
    return { document, held: asked.filter((term) => present.has(term)).length };
  });
  const [best, second] = held.sort((a, b) => b.held - a.held);
  return best && best.held >= Math.max(1, asked.length - 1) && (!second || second.held < best.held) ? best.document : undefined;
}

const reply = (answerable: boolean, cited: string[], answer: string) => JSON.stringify({ intent: "faq_question", needs_human: false, answerable, cited, answer });
const NOT_HERE = "A person from the team can help with that.";

function replyTo(persona: Persona, oracle: Map<string, string | null>, messages: Array<{ role: string; content: string }>, call: number): string {
  const system = messages[0]?.content ?? "";
  if (persona === "broken" && call % 3 === 0) return "Sure! Here is what I found: the answer is in the docs.";
  if (system.startsWith("You classify")) return JSON.stringify({ intent: "faq_question", needs_human: false, reason: "a question" });
  const prompt = messages.map((message) => message.content).join("\n");
  const documents = documentsOf(prompt);
  const first = documents[0];
  if (!first) return reply(false, [], NOT_HERE);
  switch (persona) {
    case "credulous":
      return reply(true, [first.id], firstWords(first.text, 70));
    case "cautious":
      return reply(false, [], NOT_HERE);
    case "broken":
      return call % 3 === 1 ? reply(true, ["999999999"], firstWords(first.text, 40)) : reply(true, [first.id], `See https://help.example.invalid/made-up-page: it takes 37 days on the ${first.title} plan.`);
    case "honest": {
      const message = messageOf(prompt);
      const known = oracle.get(message.trim());
      const right = known === undefined ? byWords(message, documents) : documents.find((document) => document.id === known);
      return right ? reply(true, [right.id], firstWords(right.text, 60)) : reply(false, [], NOT_HERE);
    }
  }
}

/** About four characters per token, as OpenAI's tokenizers average on English. */
const tokensOf = (text: string) => Math.ceil(text.length / 4);

export async function startPersonaModel(persona: Persona, options: { oracle?: Map<string, string | null>; firstTokenMs?: number; tokensPerSecond?: number } = {}): Promise<PersonaModel> {
  const state = { calls: 0, persona, oracle: options.oracle ?? new Map<string, string | null>() };
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.method !== "POST" || !req.url?.endsWith("/chat/completions")) {
      res.writeHead(404, { "content-type": "application/json" });
      return res.end(JSON.stringify({ error: { message: "not found" } }));
    }
    const body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as { model?: string; messages?: Array<{ role: string; content: string }> };
    const content = replyTo(state.persona, state.oracle, body.messages ?? [], state.calls++);
    const delay = (options.firstTokenMs ?? 0) + (options.tokensPerSecond ? (tokensOf(content) / options.tokensPerSecond) * 1000 : 0);
    if (delay) await new Promise((resolve) => setTimeout(resolve, delay));
    if (res.destroyed) return;
    res.writeHead(200, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        id: "chatcmpl-persona",
        object: "chat.completion",
        created: Math.floor(Date.now() / 1000),
        model: body.model,
        choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
        usage: { prompt_tokens: 1, completion_tokens: tokensOf(content), total_tokens: 1 + tokensOf(content) },
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
