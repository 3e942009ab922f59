// Start-up: configuration, the embedded Chroma server (unless CHROMA_URL is set), the knowledge
// base, then the HTTP server. Shuts everything down on SIGINT/SIGTERM and on a crash.
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import type { Server } from "node:http";
import { ConfigError, loadConfig, type Config } from "./config.ts";
import { createApp } from "./http/app.ts";
import { PREVIEW_WORKSPACE_ID } from "./http/preview.ts";
import { OpenAIChatModel } from "./assistant/chat-model.ts";
import { createAssistant } from "./assistant/create-assistant.ts";
import { loadPolicy } from "./assistant/policy.ts";
import type { IntercomClient } from "intercom-client";
import { enqueueHandoff } from "./handoff/escalations.ts";
import { HANDOFF_JOB, handoffHandler } from "./handoff/handoff.ts";
import { createIntercomClient, workspaceOfToken } from "./intercom/client.ts";
import { BotIdentity } from "./intercom/bot-identity.ts";
import { HelpCenterFreshness } from "./knowledge/freshness.ts";
import { WEBHOOK_JOB, webhookHandler } from "./webhooks/process.ts";
import { openDatabase, type Database } from "./storage/database.ts";
import { JobQueue, Worker } from "./storage/queue.ts";
import { intercomDirectory, type CustomerDirectory } from "./intercom/directory.ts";
import { startEmbeddedChroma, type ChromaServer } from "./knowledge/chroma-server.ts";
import { ChromaStore } from "./knowledge/chroma-store.ts";
import { HelpCenterKnowledge } from "./knowledge/help-center-knowledge.ts";
import { createEmbedder } from "./knowledge/create-embedder.ts";
import { intercomSource, sourceRouter, type HelpCenterSource } from "./knowledge/sources.ts";
import { createLogger, type Logger } from "./logger.ts";

function readConfig(): Config {
  // A .env file in the working directory is read if present; real environment variables win.
  if (existsSync(".env")) process.loadEnvFile(".env");
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

/** With an access token, the workspace it belongs to reads its Help Center from Intercom. */
async function connectIntercom(config: Config, logger: Logger): Promise<{ id: string; client: IntercomClient; source: HelpCenterSource; directory: CustomerDirectory } | undefined> {
  if (!config.intercom.accessToken) return undefined;
  const client = createIntercomClient({ token: config.intercom.accessToken, baseUrl: config.intercom.apiBaseUrl });
  try {
    const id = await workspaceOfToken(client);
    logger.info({ workspaceId: id }, "connected to Intercom");
    return { id, client, source: intercomSource(client), directory: intercomDirectory(client) };
  } catch (error) {
    logger.error({ err: error }, "could not reach Intercom with INTERCOM_ACCESS_TOKEN; only the demo Help Center is served");
    return undefined;
  }
}

async function main() {
  const config = readConfig();
  const logger = createLogger(config.logLevel);

  let clientSecret = config.intercom.clientSecret;
  if (!clientSecret) {
    clientSecret = randomBytes(32).toString("hex");
    logger.warn("INTERCOM_CLIENT_SECRET is not set: using a random secret, so only the local preview can call the canvas endpoints");
  }

  let chroma: ChromaServer | undefined;
  let server: Server | undefined;
  let worker: Worker | undefined;
  let freshness: HelpCenterFreshness | undefined;
  let db: Database | undefined;
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    // Jobs in hand finish; anything not done stays in the database for the next start.
    freshness?.stop();
    await worker?.stop();
    await db?.close();
    await chroma?.stop();
    process.exit(code);
  };
  process.on("SIGINT", () => void stop(0));
  process.on("SIGTERM", () => void stop(0));
  process.on("uncaughtException", (error) => {
    logger.fatal({ err: error }, "crashed");
    void stop(1);
  });

  // The vector store and the database start side by side: both take a moment on a first run.
  const [chromaUrl, database] = await Promise.all([
    config.chromaUrl ?? startEmbeddedChroma({ dataDir: config.dataDir, logger }).then((started) => (chroma = started).url),
    openDatabase({ url: config.databaseUrl, dataDir: config.dataDir }).then((opened) => (db = opened)),
  ]);

  const embedder = createEmbedder(config);
  const tokenWorkspace = await connectIntercom(config, logger);
  const knowledge = new HelpCenterKnowledge({
    store: new ChromaStore(chromaUrl, embedder.id),
    embedder,
    sourceFor: sourceRouter({ previewWorkspaceId: PREVIEW_WORKSPACE_ID, tokenWorkspace }),
    logger,
  });
  const workspaces = [PREVIEW_WORKSPACE_ID, ...(tokenWorkspace ? [tokenWorkspace.id] : [])];
  const syncAll = () =>
    Promise.all(workspaces.map((id) => knowledge.sync(id).catch((error) => logger.error({ err: error, workspaceId: id }, "help center sync failed"))));
  await syncAll();
  setInterval(() => void syncAll(), config.syncIntervalMinutes * 60_000).unref();

  const queue = new JobQueue(database);
  const resumed = await queue.releaseAbandoned();
  if (resumed) logger.warn({ jobs: resumed }, "resuming jobs a previous run left unfinished");
  const policy = loadPolicy(config.assistantConfigFile);
  const model = config.openai.enabled
    ? new OpenAIChatModel({ apiKey: config.openai.apiKey, baseUrl: config.openai.baseUrl, model: config.openai.chatModel })
    : undefined;
  const assistant = createAssistant({ knowledge, logger, model, policy });
  const clientFor = (id: string) => (tokenWorkspace && id === tokenWorkspace.id ? tokenWorkspace.client : undefined);
  const directoryFor = (id: string) => (tokenWorkspace && id === tokenWorkspace.id ? tokenWorkspace.directory : undefined);
  const bot = new BotIdentity();
  freshness = new HelpCenterFreshness(knowledge, logger, { debounceMs: 30_000, maxAgeMs: config.syncIntervalMinutes * 60_000 });
  worker = new Worker(
    queue,
    {
      [HANDOFF_JOB]: handoffHandler({ clientFor, bot, policy, db: database, logger }),
      [WEBHOOK_JOB]: webhookHandler({ assistant, clientFor, directoryFor, bot, queue, db: database, logger, freshness }),
    },
    logger,
  );
  worker.start();
  const app = createApp({
    logger,
    clientSecret,
    assistant,
    intercomAppId: config.intercom.appId,
    publicUrl: config.publicUrl,
    directoryFor,
    onEscalation: enqueueHandoff(queue),
    queue,
    adminToken: config.adminToken,
    readiness: async () => {
      try {
        await database.query("SELECT 1");
      } catch {
        return { ready: false, reason: config.databaseUrl ? "the database at DATABASE_URL is not reachable" : "the embedded database is not available" };
      }
      return knowledge.readiness();
    },
  });
  server = app.listen(config.port, () => {
    const local = `http://localhost:${config.port}`;
    logger.info({ port: config.port, chroma: chromaUrl }, "ready");
    console.log(`\n  Messenger preview: ${local}/\n  Canvas Kit endpoints: ${config.publicUrl ?? local}/canvas/…\n`);
  });
}

main().catch((error) => {
  console.error(`Could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
