// Where the app's memory goes, part by part: run by the bench in a process of its own
// (node --expose-gc --import tsx test/bench/memory-parts.ts <chroma url>), it loads each part in
// turn and prints, as one JSON line per part, how much the process's memory grew once garbage is
// collected: the V8 heap plus memory outside it (external, array buffers, WebAssembly), and the
// resident set. Each part is imported when it is measured, so it is counted with the code it
// brings (a module shared by two parts counts with the first). The Help Centers are the bench's
// own: the demo ("preview") and the synthetic 1,000- and 10,000-article ones, read from its Chroma.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const chromaUrl = process.argv[2]!;

function settled() {
  for (let i = 0; i < 3; i++) gc();
  const { heapUsed, external, rss } = process.memoryUsage();
  return { heap: heapUsed + external, rss };
}

/** What holding `load`'s result costs: memory after it, less memory before, both once collected. */
async function part<T>(name: string, load: () => Promise<T>, about: Record<string, unknown> = {}): Promise<T> {
  const before = settled();
  const held = await load();
  const after = settled();
  console.log(JSON.stringify({ part: name, heapMiB: (after.heap - before.heap) / 2 ** 20, rssMiB: (after.rss - before.rss) / 2 ** 20, ...about }));
  return held;
}

const kept: unknown[] = [];
kept.push(await part("language detector (eld, its small n-gram database)", () => import("../../server/i18n/language.ts")));
kept.push(await part("wink-nlp and its English model (nouns, sentiment)", () => import("../../server/knowledge/english-nlp.ts")));
kept.push(await part("request and intent models", async () => new (await import("../../server/assistant/offline-classifier.ts")).OfflineIntentClassifier()));
const dataDir = await mkdtemp(path.join(tmpdir(), "assistant-memory-"));
const db = await part("embedded database (PGlite, migrated)", async () => (await import("../../server/storage/database.ts")).openDatabase({ dataDir }));
const { ChromaStore } = await import("../../server/knowledge/chroma-store.ts");
const { readIndex } = await import("../../server/knowledge/indexes.ts");
const { OfflineEmbedder } = await import("../../server/knowledge/offline-embedder.ts");
const embedder = new OfflineEmbedder();
const store = new ChromaStore(chromaUrl, embedder.id);
for (const [workspace, articles] of [["preview", "demo"], ["bench1000", 1000], ["bench10000", 10000]] as const) {
  const chunks = await store.allChunks(workspace);
  // As the app holds it: with its passages' vectors when there are few enough (passage-vectors.ts).
  kept.push(await part(`index: ${articles === "demo" ? "demo Help Center" : `${articles.toLocaleString("en")} articles`}`, () => readIndex(store, embedder, workspace), { workspace, articles, passages: chunks.length }));
  if (articles === 1000) kept.push(await part("index: 1,000 articles, its vectors left in Chroma", () => readIndex(store, embedder, workspace, 0), { workspace, articles, passages: chunks.length, vectors: false }));
}
const { HelpCenterKnowledge } = await import("../../server/knowledge/help-center-knowledge.ts");
const { inProcessFit } = await import("../../server/answer-decision/fitters.ts");
const { createLogger } = await import("../../server/logger.ts");
const knowledge = new HelpCenterKnowledge({ store, embedder, sourceFor: () => ({ kind: "demo", fetch: () => Promise.reject(new Error("read from Chroma only")) }), logger: createLogger("silent") });
await knowledge.load("preview");
let peak = 0;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
const before = settled();
kept.push(await part("fit of the demo's answer decisions (held)", () => inProcessFit(knowledge)("preview", {})));
clearInterval(sampler);
console.log(JSON.stringify({ part: "fit of the demo, peak while fitting (in the app: in its own thread)", heapMiB: Number.NaN, rssMiB: (peak - before.rss) / 2 ** 20 }));
await db.close();
await rm(dataDir, { recursive: true, force: true });
process.exit(0);
