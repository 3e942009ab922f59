// Starts the real HTTP app on an ephemeral port with the bundled demo Help Center, and signs
// requests the way Intercom does.
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { readFileSync } from "node:fs";
import { createApp, type AppDeps } from "../../server/http/app.ts";
import { canvasSignature, webhookSignature } from "../../server/intercom/signature.ts";
import { inject } from "vitest";
import { ChromaStore } from "../../server/knowledge/chroma-store.ts";
import { HelpCenterKnowledge } from "../../server/knowledge/help-center-knowledge.ts";
import { OfflineEmbedder } from "../../server/knowledge/offline-embedder.ts";
import { demoSource, type HelpCenterSource } from "../../server/knowledge/sources.ts";
import { createLogger, type Logger } from "../../server/logger.ts";
import type { ChatModel } from "../../server/assistant/chat-model.ts";
import { createAssistant } from "../../server/assistant/create-assistant.ts";
import type { AssistantPolicy } from "../../server/assistant/policy.ts";
import type { KnowledgeBase } from "../../server/knowledge/knowledge-base.ts";
import type { ModelTrustStore } from "../../server/answer-decision/model-trusts.ts";

export const SECRET = "test-client-secret-0123456789";

/** A request payload from test/fixtures, loosely typed so a test can alter any field. */
export function fixture(name: string): Record<string, any> {
  return JSON.parse(readFileSync(new URL(`../fixtures/${name}.json`, import.meta.url), "utf8"));
}

export interface TestApp {
  url: string;
  logs: string[];
  close(): Promise<void>;
  /** POST a body signed like a Canvas Kit request; `secret` overrides the signing key. */
  canvas(path: string, body: unknown, options?: { secret?: string; signature?: string | null }): Promise<Response>;
  webhook(body: unknown, options?: { secret?: string }): Promise<Response>;
}

/** Collections of this test file, apart from other files' that share the run's Chroma. */
const NAMESPACE = `t${randomBytes(4).toString("hex")}`;

/** A knowledge base on the test run's Chroma; every workspace reads the demo unless told otherwise. */
export function testKnowledge(options: { sourceFor?: (workspaceId: string) => HelpCenterSource; logger?: Logger } = {}) {
  const embedder = new OfflineEmbedder();
  return new HelpCenterKnowledge({
    store: new ChromaStore(inject("chromaUrl"), embedder.id, NAMESPACE),
    embedder,
    sourceFor: options.sourceFor ?? (() => demoSource),
    logger: options.logger ?? createLogger("silent"),
  });
}

/** The workspace of the Intercom payloads in test/fixtures. */
export const FIXTURE_WORKSPACE = "ecahpwf5";

/**
 * `workspaces` are loaded before the app answers, as start-up loads every connected workspace (the
 * fixtures' one unless told otherwise); a card for any other finds it still loading and hands over.
 */
export async function startTestApp(
  overrides: Partial<AppDeps> & { knowledge?: KnowledgeBase; model?: ChatModel; policy?: AssistantPolicy; trustStore?: ModelTrustStore; workspaces?: string[] } = {},
): Promise<TestApp> {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(chunk.toString());
      done();
    },
  });
  const logger = createLogger("debug", sink);
  const { knowledge = testKnowledge(), model, policy, trustStore, workspaces = [FIXTURE_WORKSPACE], ...rest } = overrides;
  // As at start-up, a workspace that cannot be loaded (Chroma down) does not stop the app.
  for (const workspaceId of workspaces) await knowledge.load(workspaceId).catch(() => undefined);
  const app = createApp({
    logger,
    clientSecret: SECRET,
    assistant: createAssistant({ knowledge, logger, model, policy, ...(trustStore ? { trustStore } : {}) }),
    readiness: () => knowledge.readiness(),
    ...rest,
  });
  const server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const post = (path: string, raw: string, headers: Record<string, string>) =>
    fetch(`${url}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: raw });

  return {
    url,
    logs,
    close: () => new Promise((resolve) => server.close(() => resolve())),
    canvas(path, body, options = {}) {
      const raw = typeof body === "string" ? body : JSON.stringify(body);
      const signature = options.signature === undefined ? canvasSignature(raw, options.secret ?? SECRET) : options.signature;
      return post(path, raw, signature === null ? {} : { "x-body-signature": signature });
    },
    webhook(body, options = {}) {
      const raw = typeof body === "string" ? body : JSON.stringify(body);
      return post("/webhooks/intercom", raw, { "x-hub-signature": webhookSignature(raw, options.secret ?? SECRET) });
    },
  };
}
