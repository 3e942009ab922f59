// npm run sync [-- --workspace <id>] [--history]
// Syncs a Help Center into Chroma from the command line, with a progress bar and a summary line.
// Uses the same configuration as the app: INTERCOM_ACCESS_TOKEN for a real Help Center (its own
// workspace), otherwise the bundled demo into the preview workspace. With --history it then reads
// the team's past conversations (server/learning/backfill.ts), or follows the run already under
// way, with its own progress bar: beside running instances on DATABASE_URL, or on the embedded
// database of a stopped app.
import { SingleBar, Presets } from "cli-progress";
import type { IntercomClient } from "intercom-client";
import { parseArgs } from "node:util";
import { configFromEnvironment } from "./environment.ts";
import { PREVIEW_WORKSPACE_ID } from "../http/preview.ts";
import { createIntercomClient, workspaceOfToken } from "../intercom/client.ts";
import { startEmbeddedChroma, type ChromaServer } from "../knowledge/chroma-server.ts";
import { ChromaStore } from "../knowledge/chroma-store.ts";
import { HelpCenterKnowledge } from "../knowledge/help-center-knowledge.ts";
import { createEmbedder } from "../knowledge/create-embedder.ts";
import { sourceRouter } from "../knowledge/sources.ts";
import { createLogger } from "../logger.ts";
import { readHistory } from "./history.ts";

const { values } = parseArgs({ options: { workspace: { type: "string" }, history: { type: "boolean", default: false } } });
const config = configFromEnvironment();
const logger = createLogger(config.logLevel === "info" ? "warn" : config.logLevel);

let chroma: ChromaServer | undefined;
let failed = false;
try {
  const chromaUrl = config.chromaUrl ?? (chroma = await startEmbeddedChroma({ dataDir: config.dataDir, logger })).url;
  let own: { workspaceId: string; client: IntercomClient } | undefined;
  if (config.intercom.accessToken) {
    const client = createIntercomClient({ token: config.intercom.accessToken, baseUrl: config.intercom.apiBaseUrl });
    own = { workspaceId: await workspaceOfToken(client), client };
  }
  const workspaceId = values.workspace ?? own?.workspaceId ?? PREVIEW_WORKSPACE_ID;
  const embedder = createEmbedder(config);
  const knowledge = new HelpCenterKnowledge({
    store: new ChromaStore(chromaUrl, embedder.id),
    embedder,
    sourceFor: sourceRouter({ previewWorkspaceId: PREVIEW_WORKSPACE_ID, clientFor: (id) => (id === own?.workspaceId ? own.client : undefined), connected: Boolean(own) }),
    logger,
  });

  const bar = new SingleBar({ format: `Syncing ${workspaceId} [{bar}] {value}/{total} articles {article}`, hideCursor: true, clearOnComplete: true, stream: process.stderr }, Presets.shades_classic);
  const started = Date.now();
  let startedBar = false;
  const summary = await knowledge.sync(workspaceId, ({ done, total, articleKey }) => {
    if (!startedBar) {
      bar.start(total, 0, { article: "" });
      startedBar = true;
    }
    bar.update(done, { article: articleKey });
  });
  if (startedBar) bar.stop();
  console.log(
    `${workspaceId}: synced ${summary.synced}, unchanged ${summary.unchanged}, removed ${summary.removed}, skipped drafts ${summary.skippedDrafts}, errors ${summary.errors.length} (${((Date.now() - started) / 1000).toFixed(1)} s)`,
  );
  for (const error of summary.errors) console.error(`  ${error.articleKey}: ${error.message}`);
  failed = summary.errors.length > 0;
  if (values.history) {
    if (!own || own.workspaceId !== workspaceId) throw new Error("--history reads the conversations of the workspace of INTERCOM_ACCESS_TOKEN: set it");
    failed = (await readHistory({ config, logger, knowledge, workspaceId, client: own.client })) || failed;
  }
} catch (error) {
  console.error(`Sync failed: ${error instanceof Error ? error.message : String(error)}`);
  failed = true;
} finally {
  await chroma?.stop();
}
process.exit(failed ? 1 : 0);
