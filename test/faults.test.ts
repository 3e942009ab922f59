// Faults injected with real local servers: the vector store down, or slow, then back.
import { randomBytes } from "node:crypto";
import { describe, expect, inject, it } from "vitest";
import { ChromaStore } from "../server/knowledge/chroma-store.ts";
import { HelpCenterKnowledge } from "../server/knowledge/help-center-knowledge.ts";
import { OfflineEmbedder } from "../server/knowledge/offline-embedder.ts";
import { demoSource } from "../server/knowledge/sources.ts";
import { createLogger } from "../server/logger.ts";
import { fixture, startTestApp } from "./helpers/app.ts";
import { freePort } from "./helpers/process.ts";
import { startSlowProxy } from "./helpers/slow-proxy.ts";

describe("Chroma down", () => {
  it("still answers the card in time with an honest hand-over, and /readyz says what is wrong", async () => {
    // A port that accepts connections and never answers would hang; a closed one refuses at once.
    const port = await freePort();
    const embedder = new OfflineEmbedder();
    const knowledge = new HelpCenterKnowledge({ store: new ChromaStore(`http://127.0.0.1:${port}`, embedder.id), embedder, sourceFor: () => demoSource, logger: createLogger("silent") });
    const escalations: string[] = [];
    const app = await startTestApp({ knowledge, onEscalation: async (escalation) => void escalations.push(escalation.decision.reason) });
    try {
      const started = Date.now();
      const response = await app.canvas("/canvas/messenger/submit", fixture("messenger-submit"));
      expect(Date.now() - started).toBeLessThan(8000);
      expect(response.status).toBe(200);
      const json = await response.json();
      expect(json.canvas.content.components[0].text).toMatch(/can't reach the Help Center right now, Maria/);
      expect(json.event).toEqual({ type: "completed" });
      expect(escalations).toEqual(["service_unavailable"]);

      const ready = await fetch(`${app.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({ status: "not ready", reason: `Chroma is not reachable at http://127.0.0.1:${port}` });
    } finally {
      await app.close();
    }
  }, 20_000);
});


describe("Chroma slow", () => {
  it("hands over in time while Chroma is slow, for a Help Center searched in Chroma, says so on /readyz, and answers again once it is fast", async () => {
    const proxy = await startSlowProxy(inject("chromaUrl"));
    const embedder = new OfflineEmbedder();
    // As a Help Center too large to hold its vectors is searched: every card asks Chroma.
    const knowledge = new HelpCenterKnowledge({ store: new ChromaStore(proxy.url, embedder.id, `slow${randomBytes(3).toString("hex")}`), embedder, sourceFor: () => demoSource, logger: createLogger("silent"), maxHeldPassages: 0 });
    const escalations: string[] = [];
    const app = await startTestApp({ knowledge, onEscalation: async (escalation) => void escalations.push(escalation.decision.reason) });
    const ask = async () => {
      const started = Date.now();
      const response = await app.canvas("/canvas/messenger/submit", fixture("messenger-submit"));
      expect(response.status).toBe(200);
      return { json: await response.json(), ms: Date.now() - started };
    };
    try {
      expect((await ask()).json.canvas.content.components[0].text).toMatch(/recurring/i);

      proxy.delayMs = 20_000;
      const slow = await ask();
      expect(slow.ms).toBeLessThan(3500);
      expect(slow.json.canvas.content.components[0].text).toMatch(/can't reach the Help Center right now, Maria/);
      expect(slow.json.event).toEqual({ type: "completed" });
      expect(escalations).toEqual(["service_unavailable"]);
      const ready = await fetch(`${app.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({ status: "not ready", reason: `Chroma at ${proxy.url} is not answering within 1000 ms` });

      proxy.delayMs = 0;
      const back = await ask();
      expect(back.json.canvas.content.components[0].text).toMatch(/recurring/i);
      expect(escalations).toHaveLength(1);
      expect((await fetch(`${app.url}/readyz`)).status).toBe(200);
    } finally {
      await app.close();
      await proxy.close();
    }
  }, 30_000);

  it("keeps answering in time from the vectors a small Help Center's index holds while Chroma is slow", async () => {
    const proxy = await startSlowProxy(inject("chromaUrl"));
    const embedder = new OfflineEmbedder();
    const knowledge = new HelpCenterKnowledge({ store: new ChromaStore(proxy.url, embedder.id, `slow${randomBytes(3).toString("hex")}`), embedder, sourceFor: () => demoSource, logger: createLogger("silent") });
    const escalations: string[] = [];
    const app = await startTestApp({ knowledge, onEscalation: async (escalation) => void escalations.push(escalation.decision.reason) });
    try {
      proxy.delayMs = 20_000;
      const started = Date.now();
      const response = await app.canvas("/canvas/messenger/submit", fixture("messenger-submit"));
      expect(Date.now() - started).toBeLessThan(3500);
      expect((await response.json()).canvas.content.components[0].text).toMatch(/recurring/i);
      expect(escalations).toEqual([]);
    } finally {
      await app.close();
      await proxy.close();
    }
  }, 30_000);
});
