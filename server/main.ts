// Start-up: configuration, the embedded Chroma server (unless CHROMA_URL is set) and the database,
// the Intercom connections, the knowledge base, the job worker, then the HTTP server. Shuts
// everything down on SIGINT/SIGTERM and on a crash.
import { randomBytes } from "node:crypto";
import type { Server } from "node:http";
import { OpenAIChatModel } from "./assistant/chat-model.ts";
import { createAssistant } from "./assistant/create-assistant.ts";
import { loadPolicy } from "./assistant/policy.ts";
import { WorkspaceSettings } from "./settings/workspace-settings.ts";
import { configFromEnvironment } from "./cli/environment.ts";
import type { Config } from "./config.ts";
import { enqueueHandoff } from "./handoff/escalations.ts";
import { HANDOFF_JOB, handoffHandler } from "./handoff/handoff.ts";
import { createApp } from "./http/app.ts";
import { InFlight } from "./http/in-flight.ts";
import { PREVIEW_WORKSPACE_ID } from "./http/preview.ts";
import { BotIdentity } from "./intercom/bot-identity.ts";
import { createIntercomClient, workspaceOfToken } from "./intercom/client.ts";
import { IntercomConnections } from "./intercom/connections.ts";
import { TokenSealer, WorkspaceTokens } from "./intercom/token-store.ts";
import { startEmbeddedChroma, type ChromaServer } from "./knowledge/chroma-server.ts";
import { ChromaStore } from "./knowledge/chroma-store.ts";
import { createEmbedder, embedderSpec } from "./knowledge/create-embedder.ts";
import { HelpCenterFreshness } from "./knowledge/freshness.ts";
import { HelpCenterKnowledge } from "./knowledge/help-center-knowledge.ts";
import { LearnedQuestions } from "./learning/learned-questions.ts";
import { CustomerPicks } from "./learning/customer-picks.ts";
import { ArticleDrafts } from "./flows/article-drafts.ts";
import { ConsoleSessions } from "./console/sessions.ts";
import { sourceRouter } from "./knowledge/sources.ts";
import { createLogger, type Logger } from "./logger.ts";
import { Calibrations, databaseCalibrationStore } from "./answer-decision/calibrations.ts";
import { threadFit } from "./answer-decision/fitters.ts";
import { databaseModelTrustStore } from "./answer-decision/model-trusts.ts";
import { openDatabase, type Database } from "./storage/database.ts";
import { JobQueue, Worker } from "./storage/queue.ts";
import { WEBHOOK_JOB, webhookHandler } from "./webhooks/process.ts";
import { EventLog } from "./metrics/events.ts";
import { HISTORY_JOB, HistoryBackfill } from "./learning/backfill.ts";
import { PARAPHRASE_JOB, Paraphrases } from "./learning/paraphrases.ts";
import { latestForecast } from "./learning/forecast.ts";
import { WorkspacePreparation } from "./answer-decision/preparation.ts";
import { AppMetrics } from "./metrics/prometheus.ts";
import { SetupEvidence, type EvidenceSink } from "./setup/evidence.ts";
import { observedModel, recordIntercomCall, recordSync } from "./setup/record.ts";
import { setupStatus } from "./setup/setup-status.ts";

/** The private app's own workspace, from its access token (`GET /me`). */
async function ownWorkspace(config: Config, logger: Logger, evidence: EvidenceSink) {
  if (!config.intercom.accessToken) return undefined;
  // Calls are recorded under the workspace once GET /me has named it; a refused token app-wide.
  const own = { workspaceId: "" };
  const client = createIntercomClient({ token: config.intercom.accessToken, baseUrl: config.intercom.apiBaseUrl, onCall: (call) => recordIntercomCall(evidence, own.workspaceId, call) });
  try {
    own.workspaceId = await workspaceOfToken(client);
    recordIntercomCall(evidence, own.workspaceId, { capability: "token", status: 200, permission: "" });
    logger.info({ workspaceId: own.workspaceId }, "connected to Intercom");
    return { workspaceId: own.workspaceId, client };
  } catch (error) {
    logger.error({ err: error }, "could not reach Intercom with INTERCOM_ACCESS_TOKEN; its workspace is not served");
    return undefined;
  }
}

async function main() {
  const config = configFromEnvironment();
  const logger = createLogger(config.logLevel);

  let clientSecret = config.intercom.clientSecret;
  if (!clientSecret) {
    clientSecret = randomBytes(32).toString("hex");
    logger.warn("INTERCOM_CLIENT_SECRET is not set: using a random secret, so only the local preview can call the canvas endpoints");
  }

  let chroma: ChromaServer | undefined;
  let server: Server | undefined;
  let worker: Worker | undefined;
  let historyWorker: Worker | undefined;
  let freshness: HelpCenterFreshness | undefined;
  let db: Database | undefined;
  let events: EventLog | undefined;
  let evidence: SetupEvidence | undefined;
  let stopping = false;
  const inFlight = new InFlight();
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    // A card whose customer hung up is still being answered: what it does is stored before the database closes.
    await inFlight.settled();
    freshness?.stop();
    // Jobs in hand finish; anything not done stays in the database for the next start.
    await Promise.all([worker?.stop(), historyWorker?.stop()]);
    await events?.flush();
    await evidence?.flush();
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

  const installed = config.intercom.tokenEncryptionKey ? new WorkspaceTokens(database, new TokenSealer(config.intercom.tokenEncryptionKey)) : undefined;
  if (installed) {
    const { loaded, unreadable } = await installed.load();
    logger.info({ workspaces: loaded }, "loaded OAuth installations");
    if (unreadable.length) logger.error({ workspaces: unreadable }, "stored tokens that TOKEN_ENCRYPTION_KEY does not open; those workspaces must reinstall");
  }
  const seen = (evidence = new SetupEvidence(database, { logger }));
  const own = await ownWorkspace(config, logger, seen);
  const connections = new IntercomConnections({ apiBaseUrl: config.intercom.apiBaseUrl, own, installed, logger, onCall: (workspaceId, call) => recordIntercomCall(seen, workspaceId, call) });

  const queue = new JobQueue(database);
  const metrics = new AppMetrics({ queue });
  const embedder = createEmbedder(config);
  const store = new ChromaStore(chromaUrl, embedder.id);
  const knowledge = new HelpCenterKnowledge({
    store,
    embedder,
    sourceFor: sourceRouter({ previewWorkspaceId: PREVIEW_WORKSPACE_ID, clientFor: (id) => connections.clientFor(id), connected: connections.configured }),
    logger,
    onSynced: (ok, seconds) => metrics.synced(ok, seconds),
  });
  // The policy file is every workspace's default; each workspace's admins override it in the console.
  const settings = new WorkspaceSettings({ db: database, defaults: loadPolicy(config.assistantConfigFile), logger });
  const calibrations = new Calibrations({
    knowledge,
    store: databaseCalibrationStore(database),
    logger,
    synonymsFor: async (workspaceId) => (await settings.policyFor(workspaceId)).synonyms,
    onModel: (workspaceId, fitted) => metrics.calibrated(workspaceId, fitted),
    fit: threadFit({ chromaUrl, namespace: store.namespace, embedder: embedderSpec(config) }),
  });
  const model = config.openai.enabled
    ? observedModel(new OpenAIChatModel({ apiKey: config.openai.apiKey, baseUrl: config.openai.baseUrl, model: config.openai.chatModel }), seen)
    : undefined;
  // With a model, every question people teach is reworded by it in the background (paraphrases.ts).
  let paraphrases: Paraphrases | undefined;
  const learned = new LearnedQuestions({ db: database, index: knowledge, logger, onTaught: async (workspaceId, questions) => paraphrases?.request(workspaceId, questions) });
  if (model) paraphrases = new Paraphrases({ queue, model, learned, knowledge, calibrations, settings, logger });
  const assistant = createAssistant({
    knowledge,
    logger,
    model,
    settings,
    calibrations,
    trustStore: databaseModelTrustStore(database),
    probeLimits: config.openai.trustProbes,
    onTrust: (workspaceId, trust) => metrics.trusted(workspaceId, trust),
    reading: (workspaceId) => preparation.isReading(workspaceId),
    notHelped: (workspaceId, question) => learned.notHelpedFor(workspaceId, question),
  });
  // A workspace is served once synced and fitted; /readyz waits for every connected one. The
  // model's trust is measured after, in the background: until then it settles no unsure card.
  const preparation = new WorkspacePreparation({
    knowledge,
    calibrations,
    logger,
    onFitted: (workspaceId, fitted) => void assistant.trusts?.refresh(workspaceId, fitted.helpCenterVersion),
    onSynced: (workspaceId, outcome) => void recordSync(seen, knowledge, logger, workspaceId, outcome),
  });
  /** A failed sync is logged; the index and fit the workspace had keep serving. */
  const syncLogged = (workspaceId: string) => preparation.sync(workspaceId).catch((error) => logger.error({ err: error, workspaceId }, "help center sync failed"));
  const syncAll = () => Promise.all([PREVIEW_WORKSPACE_ID, ...connections.workspaces()].map(syncLogged));
  const prepared = syncAll();
  setInterval(() => void syncAll(), config.syncIntervalMinutes * 60_000).unref();

  const resumed = await queue.releaseAbandoned();
  if (resumed) logger.warn({ jobs: resumed }, "resuming jobs a previous run left unfinished");

  const picks = new CustomerPicks({ db: database, queue, learned, policyFor: (workspaceId) => settings.policyFor(workspaceId), logger });
  metrics.watchAnswers(assistant.stats);
  events = new EventLog(database, (event) => metrics.observe(event));
  const clientFor = (id: string) => connections.clientFor(id);
  const directoryFor = (id: string) => connections.directoryFor(id);
  const bot = new BotIdentity();
  freshness = new HelpCenterFreshness(preparation, logger, { debounceMs: 30_000, maxAgeMs: config.syncIntervalMinutes * 60_000 });
  worker = new Worker(
    queue,
    {
      [HANDOFF_JOB]: handoffHandler({ clientFor, bot, settings, db: database, logger }),
      [WEBHOOK_JOB]: webhookHandler({ assistant, clientFor, directoryFor, bot, queue, db: database, logger, freshness, events, learned }),
      ...picks.handlers(),
    },
    logger,
    { pollMs: 500, batch: 10, kinds: { except: [HISTORY_JOB, PARAPHRASE_JOB] } },
  );
  // Reading past conversations and the model's rewordings have a worker of their own: a hand-off
  // never waits behind them.
  const history = new HistoryBackfill({ db: database, queue, clientFor, knowledge, learned, settings, refit: (workspaceId) => calibrations.refit(workspaceId, { force: true }), assistant, logger });
  historyWorker = new Worker(queue, { [HISTORY_JOB]: history.handler(), ...(paraphrases ? { [PARAPHRASE_JOB]: paraphrases.handler() } : {}) }, logger, { pollMs: 2000, batch: 2, kinds: { only: paraphrases ? [HISTORY_JOB, PARAPHRASE_JOB] : [HISTORY_JOB] } });
  /** A workspace's history is read once when it connects; admins read it again from the console. */
  const readHistoryOnce = (workspaceId: string) => void history.start(workspaceId, "install").catch((error) => logger.error({ err: error, workspaceId }, "could not start reading past conversations"));
  /** A new installation: its Help Center first, then what its team already answered. */
  const installedNow = (workspaceId: string) => void preparation.sync(workspaceId).catch((error) => logger.error({ err: error, workspaceId }, "help center sync failed")).then(() => readHistoryOnce(workspaceId));
  // Queued webhooks wait for the Help Centers: answering them before the first sync and fit would hand them all over.
  void prepared.then(() => {
    worker?.start();
    historyWorker?.start();
    for (const workspaceId of connections.workspaces()) readHistoryOnce(workspaceId);
  });

  const trusts = assistant.trusts;
  const app = createApp({
    logger,
    clientSecret,
    assistant,
    inFlight,
    intercomAppId: config.intercom.appId,
    publicUrl: config.publicUrl,
    directoryFor,
    onEscalation: enqueueHandoff(queue),
    learned,
    picks,
    evidence: { sink: seen, known: (workspaceId) => workspaceId === PREVIEW_WORKSPACE_ID || connections.workspaces().includes(workspaceId) },
    console: {
      sessions: new ConsoleSessions(database, clientSecret),
      setup: {
        status: (workspaceId) =>
          setupStatus(workspaceId, {
            db: database,
            queue,
            factsOf: (id) => seen.factsOf(id),
            ...(config.publicUrl ? { publicUrl: config.publicUrl } : {}),
            ...(model && trusts
              ? { model: { name: model.name, budgetMsFor: async (id) => (await settings.policyFor(id)).llm_time_budget_ms, trustFor: (id) => trusts.trustFor(id), isMeasuring: (id) => trusts.isMeasuring(id) } }
              : {}),
          }),
        retry: (workspaceId, jobId) => queue.retry(workspaceId, jobId),
      },
      history: {
        latest: (workspaceId) => history.latest(workspaceId),
        start: (workspaceId) => history.start(workspaceId),
        cancel: (workspaceId) => history.cancel(workspaceId),
        forecast: (workspaceId) => latestForecast(database, workspaceId),
      },
      ...(trusts ? { trusts } : {}),
      settings,
      directoryFor,
      ...(config.publicUrl ? { publicUrl: config.publicUrl } : {}),
      ...(installed && config.intercom.clientId && config.publicUrl
        ? { oauth: { clientId: config.intercom.clientId, clientSecret, publicUrl: config.publicUrl, apiBaseUrl: config.intercom.apiBaseUrl, authorizeUrl: config.intercom.oauthUrl, tokens: installed, onInstalled: installedNow } }
        : {}),
      // A private app's one workspace; with no Intercom at all, the local preview's.
      ...(config.adminToken && (own || !installed) ? { operator: { token: config.adminToken, workspaceId: own?.workspaceId ?? PREVIEW_WORKSPACE_ID } } : {}),
    },
    drafts: new ArticleDrafts({ db: database, knowledge, calibrations, clientFor, bot, settings, logger, ...(model ? { model } : {}) }),
    queue,
    events,
    db: database,
    metrics,
    adminToken: config.adminToken,
    ...(installed && config.intercom.clientId && config.publicUrl
      ? {
          oauth: {
            clientId: config.intercom.clientId,
            clientSecret,
            publicUrl: config.publicUrl,
            apiBaseUrl: config.intercom.apiBaseUrl,
            authorizeUrl: config.intercom.oauthUrl,
            tokens: installed,
            logger,
            onInstalled: installedNow,
          },
        }
      : {}),
    readiness: async () => {
      try {
        await database.query("SELECT 1");
      } catch {
        return { ready: false, reason: config.databaseUrl ? "the database at DATABASE_URL is not reachable" : "the embedded database is not available" };
      }
      const knowledgeReady = await knowledge.readiness();
      return knowledgeReady.ready ? preparation.readiness() : knowledgeReady;
    },
    sync: (workspaceId) => preparation.sync(workspaceId),
  });
  server = app.listen(config.port, () => {
    const local = `http://localhost:${config.port}`;
    logger.info({ port: config.port, chroma: chromaUrl, database: database.kind }, "ready");
    console.log(`\n  Messenger preview: ${local}/\n  Canvas Kit endpoints: ${config.publicUrl ?? local}/canvas/…\n`);
  });
}

main().catch((error) => {
  console.error(`Could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
