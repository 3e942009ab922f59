// Faults injected with real local servers: the vector store down, then back.
import { describe, expect, it } from "vitest";
import { ChromaStore } from "../server/knowledge/chroma-store.ts";
import { HelpCenterKnowledge } from "../server/knowledge/help-center-knowledge.ts";
import { OfflineEmbedder } from "../server/knowledge/offline-embedder.ts";
import { demoSource } from "../server/knowledge/sources.ts";
import { createLogger } from "../server/logger.ts";
import { fixture, startTestApp } from "./helpers/app.ts";
import { freePort } from "./helpers/process.ts";

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

