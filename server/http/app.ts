// The HTTP edge: routes, body limits and error shapes. Everything behind it is plain functions.
import express, { type ErrorRequestHandler, type Express } from "express";
import type { z } from "zod";
import { questionCard } from "../../canvas/messenger-cards.ts";
import {
  InboxInitializeRequest,
  InboxSubmitRequest,
  LiveCanvasRequest,
  MessengerConfigureRequest,
  MessengerInitializeRequest,
  MessengerSubmitRequest,
  SheetRequest,
} from "../../canvas/requests.ts";
import { readState } from "../../canvas/stored-data.ts";
import * as configureFlow from "../flows/configure.ts";
import * as inboxFlow from "../flows/inbox.ts";
import * as messengerFlow from "../flows/messenger.ts";
import type { MessengerDeps } from "../flows/messenger.ts";
import { verifyCanvasSignature, verifyWebhookSignature } from "../intercom/signature.ts";
import { WebhookNotification } from "../intercom/webhook.ts";
import type { AssistantDeps } from "../assistant/assistant.ts";
import type { Readiness } from "../knowledge/knowledge-base.ts";
import type { Logger } from "../logger.ts";
import { cardWords, translatorForLocale, type Language } from "../i18n/catalog.ts";
import { ArticleStats } from "../assistant/article-stats.ts";
import { eventsOfConversation, type EventSink } from "../metrics/events.ts";
import { EventPopularArticles } from "../metrics/popular-articles.ts";
import { conversationFigures } from "../metrics/report.ts";
import type { JobQueue } from "../storage/queue.ts";
import { WEBHOOK_JOB } from "../webhooks/process.ts";
import { mountAdmin } from "./admin.ts";
import { mountOAuth, type OAuthDeps } from "./oauth.ts";
import { mountReport } from "./report.ts";
import { mountConsole, type ConsoleDeps } from "./console.ts";
import type { LearnedQuestions } from "../learning/learned-questions.ts";
import type { CustomerPicks } from "../learning/customer-picks.ts";
import type { ArticleDrafts } from "../flows/article-drafts.ts";
import type { AppMetrics } from "../metrics/prometheus.ts";
import type { Database } from "../storage/database.ts";
import { mountPreview } from "./preview.ts";
import type { InFlight } from "./in-flight.ts";
import { mountSheets, sheetUrl } from "./sheets.ts";
import { signedEndpoint, type Verifier } from "./signed-endpoint.ts";
import type { EvidenceSink } from "../setup/evidence.ts";
import { APP_WIDE } from "../setup/evidence.ts";

export interface AppDeps {
  logger: Logger;
  /** Verifies every signed request; the preview signs its own requests with it. */
  clientSecret: string;
  assistant: AssistantDeps;
  readiness: () => Promise<Readiness>;
  /** Syncs a workspace's Help Center and refits its answer decisions (the admin and Inbox "sync now"); the bare sync unless given. */
  sync?: (workspaceId: string) => Promise<unknown>;
  /** Carries out the hand-offs the assistant decides on (the handoff issue wires Intercom in). */
  onEscalation?: MessengerDeps["onEscalation"];
  /** The Intercom app id, to boot the real Messenger on the preview page. */
  intercomAppId?: string;
  /** Intercom's view of a workspace's conversations and contacts, where the app is connected to it. */
  directoryFor?: MessengerDeps["directoryFor"];
  /** Where the metrics' events go (the database's event log). */
  events?: EventSink;
  /** The database the report is computed from. */
  db?: Database;
  /** Prometheus metrics (GET /metrics). */
  metrics?: AppMetrics;
  /** The OAuth install flow of the public app, when configured. */
  oauth?: OAuthDeps;
  /** Bearer token for the /admin endpoints; unset, they answer 401. */
  adminToken?: string;
  /** The durable queue webhooks are written to; without it they are acknowledged and logged only. */
  queue?: JobQueue;
  /** What the team taught the assistant (server/learning), shown and controlled in the report. */
  learned?: LearnedQuestions;
  /** Customers' picks from a choice, which teach once confirmed (server/learning). */
  picks?: CustomerPicks;
  /** Turns the report's content gaps into draft articles in Intercom. */
  drafts?: ArticleDrafts;
  /** The admin console (/console): sign-in, each workspace's settings and figures. */
  console?: Omit<ConsoleDeps, "assistant" | "logger" | "report">;
  /** The public HTTPS address of the app: enables sheets and the live canvas, which Intercom fetches by URL. */
  publicUrl?: string;
  /**
   * Where the edge records what it sees of the setup (verified calls, rejected signatures, webhook
   * topics); `known` says which workspaces a rejected request may be recorded under (its body is
   * not trusted, so a name it gives is only taken when the app serves that workspace).
   */
  evidence?: { sink: EvidenceSink; known(workspaceId: string): boolean };
  /** Counts the signed requests still being answered, which a shutdown lets finish (in-flight.ts). */
  inFlight?: InFlight;
}

/** The workspace an unverified body names, when the app serves it; otherwise the app-wide record. */
function claimedWorkspace(raw: Buffer, known: (workspaceId: string) => boolean): string {
  try {
    const body = JSON.parse(raw.toString("utf8")) as { workspace_id?: unknown; app_id?: unknown };
    const claimed = typeof body.workspace_id === "string" ? body.workspace_id : typeof body.app_id === "string" ? body.app_id : undefined;
    return claimed && known(claimed) ? claimed : APP_WIDE;
  } catch {
    return APP_WIDE;
  }
}

/** Canvas requests hold at most two 64 KB canvases plus the contact: 512 KB is generous. */
const BODY_LIMIT = "512kb";

export function createApp(deps: AppDeps): Express {
  const { logger, clientSecret, assistant } = deps;
  const { knowledge } = assistant;
  const publicUrl = deps.publicUrl;
  const messenger: MessengerDeps = {
    assistant,
    onEscalation: deps.onEscalation,
    directoryFor: deps.directoryFor,
    articles: deps.db ? new EventPopularArticles(deps.db) : new ArticleStats(),
    ...(deps.events ? { events: deps.events } : {}),
    ...(deps.learned ? { learned: deps.learned } : {}),
    ...(deps.picks ? { picks: deps.picks } : {}),
    ...(publicUrl
      ? {
          links: {
            contentUrl: `${publicUrl}/canvas/messenger/content`,
            sheetUrl: (workspaceId: string, passageId: string, language: Language) => sheetUrl(publicUrl, clientSecret, workspaceId, passageId, language),
          },
        }
      : {}),
  };
  const app = express();
  app.disable("x-powered-by");
  if (deps.metrics) {
    app.use(deps.metrics.middleware());
    app.get("/metrics", deps.metrics.handler());
  }
  const rawBody = express.raw({ type: () => true, limit: BODY_LIMIT });

  const evidence = deps.evidence;
  /** What a verified request of this path is recorded as (webhooks: their topic). */
  const callFact = (path: string, body: { topic?: string }) => (path === "/webhooks/intercom" ? `webhook:${body.topic}` : `call:${path.replace(/^\/canvas\//, "").replace("/", "_")}`);
  const witnessOf = (path: string) => {
    if (!evidence) return undefined;
    const channel = path === "/webhooks/intercom" ? "webhook" : "canvas";
    return {
      verified: (parsed: unknown) => {
        const body = parsed as { workspace_id?: string; app_id?: string; topic?: string };
        evidence.sink.saw(body.workspace_id ?? body.app_id ?? APP_WIDE, callFact(path, body));
      },
      rejected: (raw: Buffer, reason: string) =>
        evidence.sink.saw(claimedWorkspace(raw, evidence.known), `${reason.startsWith("invalid: ") ? "invalid" : "rejected"}:${channel}`, { path, reason }),
    };
  };
  const signed = <S extends z.ZodType, R>(
    path: string,
    verify: Verifier,
    schema: S,
    handle: (body: z.infer<S>) => Promise<R> | R,
    fallback?: (body: z.infer<S>) => R,
  ) => {
    const { inFlight } = deps;
    const answer = inFlight ? (body: z.infer<S>) => inFlight.track(() => handle(body)) : handle;
    return app.post(path, rawBody, signedEndpoint({ schema, verify, secret: clientSecret, logger, handle: answer, fallback, witness: witnessOf(path) }));
  };

  // An error while answering still shows the user a card with a way to a person.
  const apologise = (body: { workspace_id: string; context?: { locale?: string }; current_canvas?: { stored_data?: unknown } | null }) => {
    const state = readState(body.current_canvas?.stored_data);
    const t = translatorForLocale(body.context?.locale, state.lang);
    return questionCard({ greeting: t("greeting"), intro: t("error") }, state, cardWords(t));
  };

  signed("/canvas/messenger/initialize", verifyCanvasSignature, MessengerInitializeRequest, (body) => messengerFlow.initialize(body, messenger), apologise);
  signed("/canvas/messenger/submit", verifyCanvasSignature, MessengerSubmitRequest, (body) => messengerFlow.submit(body, messenger), apologise);
  signed("/canvas/messenger/configure", verifyCanvasSignature, MessengerConfigureRequest, (body) => configureFlow.configure(body, { knowledge, logger, teamsFor: (workspaceId, signal) => deps.directoryFor?.(workspaceId)?.teams(signal) }));
  signed("/canvas/messenger/content", verifyCanvasSignature, LiveCanvasRequest, (body) => messengerFlow.content(body, messenger));
  signed("/canvas/messenger/sheet", verifyCanvasSignature, SheetRequest, (body) => messengerFlow.sheetClosed(body, messenger), apologise);
  const database = deps.db;
  const sync = deps.sync ?? ((workspaceId: string) => knowledge.sync(workspaceId));
  const inbox: inboxFlow.InboxExtras = {
    sync,
    ...(database
      ? {
          figuresFor: async (workspaceId: string, conversationId: string) => {
            const events = await eventsOfConversation(database, workspaceId, conversationId);
            return events.length ? conversationFigures(conversationId, events) : undefined;
          },
        }
      : {}),
    // Intercom opens links from the Inbox app in a new tab: the console must be reachable at the public address.
    ...(deps.console && publicUrl ? { consoleUrl: `${publicUrl}/console` } : {}),
  };
  signed("/canvas/inbox/initialize", verifyCanvasSignature, InboxInitializeRequest, (body) => inboxFlow.initialize(body, assistant, inbox));
  signed("/canvas/inbox/submit", verifyCanvasSignature, InboxSubmitRequest, (body) => inboxFlow.submit(body, assistant, inbox));

  // A notification is written to the queue before Intercom gets its 200; processing happens after.
  signed("/webhooks/intercom", verifyWebhookSignature, WebhookNotification, async (notification) => {
    if (notification.topic === "ping") return { received: true };
    if (!deps.queue) {
      logger.info({ topic: notification.topic, id: notification.id }, "webhook received; no queue configured, not processed");
      return { received: true };
    }
    const { created } = await deps.queue.enqueue({ workspaceId: notification.app_id, kind: WEBHOOK_JOB, dedupeKey: notification.id, payload: notification });
    logger.info({ topic: notification.topic, id: notification.id, duplicate: !created }, "webhook accepted");
    return { received: true, duplicate: !created };
  });

  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  app.get("/readyz", async (_req, res) => {
    const readiness = await deps.readiness();
    if (readiness.ready) res.json({ status: "ready" });
    else res.status(503).json({ status: "not ready", reason: readiness.reason });
  });

  mountSheets(app, { secret: clientSecret, knowledge, logger });
  if (deps.oauth) mountOAuth(app, deps.oauth);
  if (deps.console) {
    const report = deps.db ? { db: deps.db, logger, knowledge, ...(deps.learned ? { learned: deps.learned } : {}), ...(deps.drafts ? { drafts: deps.drafts } : {}) } : undefined;
    mountConsole(app, { ...deps.console, assistant, logger, ...(report ? { report } : {}) });
  }
  if (deps.db) mountReport(app, { db: deps.db, token: deps.adminToken, logger, knowledge, ...(deps.learned ? { learned: deps.learned } : {}), ...(deps.drafts ? { drafts: deps.drafts } : {}) });
  mountAdmin(app, { token: deps.adminToken, sync, queue: deps.queue, logger });
  mountPreview(app, { clientSecret, logger, intercomAppId: deps.intercomAppId });

  app.use((_req, res) => {
    res.status(404).json({ error: "not found" });
  });
  const onError: ErrorRequestHandler = (error, req, res, _next) => {
    const status = typeof error?.status === "number" && error.status >= 400 && error.status < 500 ? error.status : 500;
    if (status === 500) logger.error({ err: error, path: req.path }, "unhandled error");
    res.status(status).json({ error: status === 413 ? "body: too large" : status === 500 ? "internal error" : "bad request" });
  };
  app.use(onError);
  return app;
}
