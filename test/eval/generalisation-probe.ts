// What a team's teaching does for wordings it did not teach: faq-queries.dev in two halves (the
// replays' seed, or SEED=…), the first taught as teammates' links, and of the second only the
// questions sharing less than half their terms with every question taught for their article asked
// through signed cards, before and after (ALL=1 asks the whole second half). The answer decisions
// are fitted again after the teaching, as the reading of the history does. A quicker probe than
// npm run eval -- --history, for trying a change to the learned signal (docs/decisions.md, What we
// tried); the held-out set is not read here.
//   npx tsx test/eval/generalisation-probe.ts [SEED=20261204] [ALL=1]
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { startEmbeddedChroma } from "../../server/knowledge/chroma-server.ts";
import { OfflineEmbedder } from "../../server/knowledge/offline-embedder.ts";
import { wordingOverlap } from "../../server/knowledge/text-analysis.ts";
import { createLogger } from "../../server/logger.ts";
import { loadFaqDataset } from "./faq-dataset.ts";
import { replayApp, SEED, shuffled, WORKSPACE } from "./learning-replay.ts";

const dataset = loadFaqDataset(path.resolve("../shared/datasets"));
if (!dataset) {
  console.error("No datasets found in ../shared/datasets.");
  process.exit(2);
}
const dataDir = await mkdtemp(path.join(tmpdir(), "generalisation-"));
const chroma = await startEmbeddedChroma({ dataDir, logger: createLogger("silent") });
const halves = shuffled(dataset.queries, Number(process.env.SEED ?? SEED));
const taught = halves.slice(0, Math.ceil(halves.length / 2));
const nearest = (query: { query: string; doc_id: string }) => Math.max(0, ...taught.filter((t) => t.doc_id === query.doc_id).map((t) => wordingOverlap(t.query, query.query)));
const asked = halves.slice(taught.length).filter((query) => process.env.ALL || nearest(query) < 0.5);
const replay = await replayApp({ chromaUrl: chroma.url, dataset, secret: "probe-secret", embedder: new OfflineEmbedder(), halves: { taught, asked } });
try {
  const line = (label: string, c: Awaited<ReturnType<typeof replay.measure>>) =>
    console.log(`${label}: answered directly ${(c.answered / asked.length).toFixed(3)}, one click ${(c.oneClick / asked.length).toFixed(3)}, wrong ${(c.wrong / asked.length).toFixed(3)}, off-topic answered ${(c.offAnswered / dataset.offTopic.length).toFixed(3)}`);
  console.log(`${asked.length} questions asked, ${taught.length} taught`);
  line("before", await replay.measure());
  const keyOf = new Map((await replay.knowledge.articles(WORKSPACE)).map((article) => [article.articleId, article.articleKey]));
  for (const { query, doc_id } of taught) await replay.learned.learn({ workspaceId: WORKSPACE, articleKey: keyOf.get(doc_id)!, questions: [query], source: "teammate", mode: "on" });
  await replay.calibrations.refit(WORKSPACE, { force: true });
  line("after", await replay.measure());
} finally {
  await replay.close();
  await chroma.stop();
  await rm(dataDir, { recursive: true, force: true });
}
