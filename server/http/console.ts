// The admin console at /console: an admin signs in with Intercom (OAuth with the app's client id;
// the admin and the workspace come from GET /me) or, for a private app, with the operator's
// ADMIN_TOKEN; then sees and changes their own workspace only. The session is a signed, HttpOnly,
// SameSite=Lax cookie (Secure behind an https PUBLIC_URL) that expires; every form carries the
// session's CSRF token; sign-in attempts are rate-limited per address. No route takes a workspace
// id: the session names the workspace, so another workspace's data is never reachable.
import { readFileSync } from "node:fs";
import { parse as parseCookies, serialize as serializeCookie } from "cookie";
import express, { type Express, type Request, type RequestHandler, type Response } from "express";
import { rateLimit } from "express-rate-limit";
import Handlebars from "handlebars";
import { ZodError } from "zod";
import { ESCALATION_REASONS, respond, type AssistantDeps, type Decision } from "../assistant/assistant.ts";
import { customerProfile } from "../assistant/context.ts";
import { INTENT_NAMES } from "../assistant/intents.ts";
import { RULE_CONDITIONS, changesFromForm, formOf } from "../console/settings-form.ts";
import { SESSION_COOKIE, type ConsoleSession, type ConsoleSessions } from "../console/sessions.ts";
import { createIntercomClient } from "../intercom/client.ts";
import type { CustomerDirectory } from "../intercom/directory.ts";
import type { WorkspaceTokens } from "../intercom/token-store.ts";
import type { Logger } from "../logger.ts";
import { sameSecret } from "../same-secret.ts";
import type { WorkspaceSettings } from "../settings/workspace-settings.ts";
import { describeIssue } from "./describe-issue.ts";
import { authorizeUrl, exchangeCode, stateIsValid } from "./oauth.ts";
import { reportRouter, type ReportAccess, type ReportDeps } from "./report.ts";
import type { ModelTrusts } from "../answer-decision/model-trusts.ts";
import type { ModelTrust } from "../answer-decision/model-trust.ts";
import { ANSWER_PRECISION_TARGET } from "../answer-decision/fit.ts";
import { needsAttention, when, type SetupLine } from "../setup/checks.ts";
import type { HistoryRun } from "../learning/backfill.ts";
import { forecastSummary, OUTCOMES, type ForecastRow, type Outcome } from "../learning/forecast.ts";

const views = Handlebars.create();
const template = (name: string) => readFileSync(new URL(`../../templates/console/${name}.hbs`, import.meta.url), "utf8");
views.registerPartial("head", template("head"));
views.registerPartial("nav", template("nav"));
views.registerHelper("eq", (a: unknown, b: unknown) => a === b);
const PAGES = { signin: views.compile(template("signin.html")), settings: views.compile(template("settings.html")), setup: views.compile(template("setup.html")), history: views.compile(template("history.html")) };
const NAV = views.compile("{{> nav}}");

/** Failed sign-in attempts per address and minute. */
const SIGN_IN_LIMIT = 20;
/** The dropdowns must not hold the page: without Intercom's lists in time, the fields are typed. */
const LISTS_BUDGET_MS = 2000;

export interface ConsoleDeps {
  sessions: ConsoleSessions;
  settings: WorkspaceSettings;
  assistant: AssistantDeps;
  logger: Logger;
  /** https: the cookie is Secure. */
  publicUrl?: string;
  /** Sign in with Intercom: the public app's OAuth client. */
  oauth?: { clientId: string; clientSecret: string; publicUrl: string; apiBaseUrl: string; authorizeUrl: string; tokens: WorkspaceTokens; onInstalled?: (workspaceId: string) => void };
  /** A private app's one workspace, signed into with the operator's ADMIN_TOKEN. */
  operator?: { token: string; workspaceId: string };
  /** The workspace's teams, segments and tags for the routing dropdowns. */
  directoryFor(workspaceId: string): CustomerDirectory | undefined;
  /** The report, learned questions and content gaps, scoped to the session's workspace. */
  report?: ReportDeps;
  /** The configured model's measured trust per workspace, shown and measured again on demand. */
  trusts?: Pick<ModelTrusts, "trustFor" | "measure" | "isMeasuring">;
  /** The Setup page: what works and what to fix, from the evidence the app recorded (server/setup). */
  setup?: {
    status(workspaceId: string): Promise<SetupLine[]>;
    /** Puts a parked job of the workspace back in line; false when it is not parked (or not the workspace's). */
    retry(workspaceId: string, jobId: string): Promise<boolean>;
  };
  /** Reading the team's past conversations (server/learning/backfill.ts): its progress, started again or cancelled by an admin. */
  history?: {
    latest(workspaceId: string): Promise<HistoryRun | undefined>;
    start(workspaceId: string): Promise<boolean>;
    cancel(workspaceId: string): Promise<boolean>;
    /** The latest reading's forecast, row by row. */
    forecast(workspaceId: string): Promise<ForecastRow[]>;
  };
  now?: () => number;
}

const SKIP_LABELS: Record<string, string> = {
  no_teammate_reply: "no teammate reply after a customer's message",
  attachments_only: "messages with attachments only",
  no_text: "parts without text",
  other_language: "messages in a language the Help Center lacks",
};

/** A duration in an admin's words. */
const aboutTime = (seconds: number) => (seconds < 90 ? `${Math.max(1, Math.round(seconds))} s` : seconds < 5400 ? `${Math.round(seconds / 60)} min` : `${Math.round(seconds / 3600)} h`);

/** The history page's view of a run. */
function historyView(run: HistoryRun | undefined) {
  if (!run) return {};
  const { progress } = run;
  return {
    run,
    running: run.state === "running",
    stateText: { running: "Reading now", done: "Done", cancelled: "Cancelled", failed: "Failed" }[run.state],
    total: progress.total ?? progress.read,
    ...(run.secondsLeft !== null ? { timeLeft: aboutTime(run.secondsLeft) } : {}),
    skipped: [...Object.entries(progress.skipped).map(([reason, count]) => ({ label: SKIP_LABELS[reason] ?? reason, count })), ...(progress.notFound ? [{ label: "deleted or not found", count: progress.notFound }] : [])],
    startedAt: when(run.startedAt),
    ...(progress.finishedAt ? { finishedAt: when(new Date(progress.finishedAt)) } : {}),
  };
}

/** The forecast as the History page shows it: each outcome before and after, with examples. */
function forecastView(rows: ForecastRow[], titles: Map<string, string>) {
  if (!rows.length) return {};
  const summary = forecastSummary(rows);
  const share = (count: number, of: number) => (of ? `${Math.round((count / of) * 100)}%` : "–");
  const named = (keys: string[]) => keys.map((key) => titles.get(key) ?? key).join(", ");
  return {
    forecast: {
      total: summary.total,
      linked: summary.linked,
      outcomes: (Object.keys(OUTCOMES) as Outcome[])
        .filter((outcome) => summary.counts[outcome].before || summary.counts[outcome].after)
        .map((outcome) => {
          const { before, after, examples } = summary.counts[outcome];
          const of = outcome === "unanswered_by_team" ? summary.total : outcome.startsWith("gap") ? rows.filter((row) => row.team === "unlinked").length : summary.linked;
          return {
            outcome,
            label: OUTCOMES[outcome],
            before: `${before} (${share(before, of)})`,
            after: `${after} (${share(after, of)})`,
            examples: examples.map((row) => {
              const card = row.after ?? row.before;
              return {
                question: row.question,
                card: card.action === "answer" ? `Answers from “${named(card.articles)}”: ${card.card}` : card.action === "choice" ? `Offers: ${named(card.articles)}` : card.card,
                team: row.team === "linked" ? `Linked “${named(row.teamArticles)}”: ${row.teamReply ?? ""}` : row.team === "unlinked" ? `Replied: ${row.teamReply ?? ""}` : "No teammate reply.",
              };
            }),
          };
        }),
    },
  };
}

/** The Setup page's lines grouped as it shows them. */
function setupView(lines: SetupLine[]) {
  const groups: Array<{ name: string; lines: unknown[] }> = [];
  for (const line of lines) {
    const view = { ...line, ...(line.lastSeen ? { lastSeen: when(line.lastSeen) } : {}), ...(line.jobs ? { jobs: line.jobs.map((job) => ({ ...job, parkedAt: when(job.parkedAt) })) } : {}) };
    const group = groups.at(-1)?.name === line.group ? groups.at(-1)! : groups[groups.push({ name: line.group, lines: [] }) - 1]!;
    group.lines.push(view);
  }
  const count = (status: SetupLine["status"]) => lines.filter((line) => line.status === status).length;
  return { groups, attention: needsAttention(lines), counts: { red: count("red"), amber: count("amber"), all: lines.length } };
}

const percent = (share: number) => `${Math.round(share * 100)}%`;

/** The model's measurement, in the words the settings page shows. */
function trustView(trust: ModelTrust) {
  const probes = trust.probes;
  return {
    ...trust,
    when: trust.measuredAt.slice(0, 16).replace("T", " "),
    probeCount: probes.answerable + probes.unanswerable + probes.elsewhere,
    falseAnswer: `${percent(trust.falseAnswerRate)} of ${probes.unanswerable + probes.elsewhere} questions the passages do not answer`,
    citation: `${percent(trust.citationAgreement)} of its answers to ${probes.answerable} answerable questions`,
    settles:
      trust.status === "failed"
        ? `No: the measurement failed (${trust.reason ?? "the model did not answer"}); it is tried again at the next sync.`
        : trust.settleFrom === null
          ? "No: its answers were not right often enough on this Help Center. Those cards offer the choice."
          : `Yes, when the article it cites is at least ${percent(trust.settleFrom)} likely (its answers were right ${Math.round(ANSWER_PRECISION_TARGET * 10)} times in 10 from there).`,
  };
}

/** What the assistant would do with a message, in a sentence an admin reads. */
export function describeDecision(decision: Decision): string {
  const titles = (sources: Array<{ title: string; confidence: number }>) => sources.map((source) => `“${source.title}” (${Math.round(source.confidence * 100)}%)`).join(", ");
  switch (decision.action) {
    case "answer":
      return `Answer from ${titles(decision.sources.slice(0, 1))}${decision.sources.length > 1 ? `, also citing ${titles(decision.sources.slice(1))}` : ""}:\n${decision.text}`;
    case "offer_choice":
      return `Offer a choice of articles: ${titles(decision.options)}, with "Talk to a human".`;
    case "clarify":
      return `Ask for more detail${decision.options.length ? `, suggesting ${titles(decision.options)}` : ""}.`;
    case "escalate":
      return `Hand over to a person: ${decision.reason.replace(/_/g, " ")} (${decision.detail}), priority ${decision.priority}.`;
    case "acknowledge_feedback":
      return `Thank the customer for their ${decision.positive ? "kind words" : "feedback"}.`;
  }
}

export function mountConsole(app: Express, deps: ConsoleDeps) {
  const now = deps.now ?? Date.now;
  /** Which of the console's pages this app has, for the navigation. */
  const pages = { setup: Boolean(deps.setup), history: Boolean(deps.history) };
  const secure = deps.publicUrl?.startsWith("https://") ?? false;
  const router = express.Router();
  const form = express.urlencoded({ extended: false, limit: "64kb" });
  const limited = rateLimit({
    windowMs: 60_000,
    limit: SIGN_IN_LIMIT,
    standardHeaders: "draft-8",
    legacyHeaders: false,
    // Failed attempts count: guessing a token or replaying codes, not admins signing in.
    skipSuccessfulRequests: true,
    handler: (req, res) => {
      deps.logger.warn({ ip: req.ip }, "console sign-in rate-limited");
      res.status(429).type("html").send(PAGES.signin({ intercom: Boolean(deps.oauth), operator: Boolean(deps.operator), error: "Too many sign-in attempts: wait a minute and try again." }));
    },
  });

  const sessionOf = (req: Request) => deps.sessions.find(parseCookies(req.get("cookie") ?? "")[SESSION_COOKIE]);
  const setCookie = (res: Response, value: string, expires: Date) =>
    res.append("Set-Cookie", serializeCookie(SESSION_COOKIE, value, { httpOnly: true, secure, sameSite: "lax", path: "/console", expires }));
  const signInPage = (res: Response, status: number, error?: string) =>
    res.status(status).type("html").send(PAGES.signin({ intercom: Boolean(deps.oauth), operator: Boolean(deps.operator), ...(error ? { error } : {}) }));

  /** Pages need a session; forms also need its CSRF token. */
  const signedIn: RequestHandler = async (req, res, next) => {
    const session = await sessionOf(req).catch((error) => {
      deps.logger.error({ err: error }, "could not read a console session");
      return undefined;
    });
    if (!session) return void signInPage(res, 401, req.method === "GET" ? undefined : "Your session has ended: sign in again.");
    if (req.method !== "GET" && !deps.sessions.csrfIsValid(session, (req.body as Record<string, unknown> | undefined)?._csrf)) {
      deps.logger.warn({ workspaceId: session.workspaceId, path: req.path }, "console form without a valid CSRF token");
      return void res.status(403).type("text").send("This form has expired or did not come from the console: reload the page and try again.");
    }
    res.locals.session = session;
    next();
  };

  /** The Setup page while anything on it needs an admin, the settings otherwise. */
  const landing = async (workspaceId: string) => {
    if (!deps.setup) return "/console/settings";
    const lines = await deps.setup.status(workspaceId).catch((error) => {
      deps.logger.error({ err: error, workspaceId }, "could not check the setup");
      return [];
    });
    return needsAttention(lines) ? "/console/setup" : "/console/settings";
  };

  router.get("/", async (req, res) => {
    const session = await sessionOf(req);
    if (session) return res.redirect(303, await landing(session.workspaceId));
    signInPage(res, 200);
  });

  router.get("/signin", limited, (_req, res) => {
    if (!deps.oauth) return void signInPage(res, 404, "Sign in with Intercom is not set up for this app.");
    res.redirect(302, authorizeUrl(deps.oauth, "/console/callback", "console", now()));
  });

  router.get("/callback", limited, async (req, res) => {
    const oauth = deps.oauth;
    const code = typeof req.query.code === "string" ? req.query.code : "";
    const state = typeof req.query.state === "string" ? req.query.state : "";
    if (!oauth) return void signInPage(res, 404, "Sign in with Intercom is not set up for this app.");
    if (!code || !stateIsValid(oauth.clientSecret, state, now(), "console")) {
      deps.logger.warn({ hasCode: Boolean(code) }, "rejected console sign-in: missing code or invalid state");
      return void signInPage(res, 400, "That sign-in link has expired: sign in again.");
    }
    try {
      const token = await exchangeCode(oauth, code);
      const me = await createIntercomClient({ token, baseUrl: oauth.apiBaseUrl }).admins.identify();
      const workspaceId = me?.app?.id_code;
      if (!me?.id || !workspaceId) throw new Error("GET /me named no admin or workspace");
      // Signing in through the app's OAuth installs it; a workspace that has it keeps its installation.
      if (!oauth.tokens.get(workspaceId)) {
        await oauth.tokens.save(workspaceId, token);
        oauth.onInstalled?.(workspaceId);
      }
      const { cookie, expiresAt } = await deps.sessions.start({ workspaceId, adminId: String(me.id), adminName: me.name || me.email || `admin ${me.id}`, via: "intercom" });
      setCookie(res, cookie, expiresAt);
      deps.logger.info({ workspaceId, adminId: me.id }, "admin signed into the console");
      res.redirect(303, await landing(workspaceId));
    } catch (error) {
      deps.logger.error({ err: error }, "console sign-in failed");
      signInPage(res, 502, "Intercom did not confirm the sign-in. Try again in a minute.");
    }
  });

  router.post("/signin/token", limited, form, async (req, res) => {
    const operator = deps.operator;
    if (!operator || !sameSecret(typeof req.body?.token === "string" ? req.body.token : "", operator.token)) {
      deps.logger.warn({ ip: req.ip }, "rejected console sign-in with a token");
      return void signInPage(res, 401, operator ? "That is not the admin token." : "Signing in with the admin token is only for a private app.");
    }
    const { cookie, expiresAt } = await deps.sessions.start({ workspaceId: operator.workspaceId, adminId: "operator", adminName: "the operator (admin token)", via: "admin_token" });
    setCookie(res, cookie, expiresAt);
    res.redirect(303, await landing(operator.workspaceId));
  });

  router.post("/signout", form, signedIn, async (_req, res) => {
    await deps.sessions.end(res.locals.session as ConsoleSession);
    setCookie(res, "", new Date(0));
    res.redirect(303, "/console");
  });

  const lists = async (workspaceId: string) => {
    const directory = deps.directoryFor(workspaceId);
    if (!directory) return { teams: [], ruleValues: [] };
    const signal = AbortSignal.timeout(LISTS_BUDGET_MS);
    const quietly = <T>(work: Promise<T[]>, what: string) =>
      work.catch((error) => {
        deps.logger.warn({ err: error, workspaceId }, `could not list the workspace's ${what}; the console shows no choice of them`);
        return [] as T[];
      });
    const [teams, segments, tags] = await Promise.all([quietly(directory.teams(signal), "teams"), quietly(directory.segments(signal), "segments"), quietly(directory.tags(signal), "tags")]);
    return { teams, ruleValues: [...ESCALATION_REASONS, ...INTENT_NAMES, "low", "normal", "high", "urgent", ...segments, ...tags] };
  };

  const modelOf = async (workspaceId: string) => {
    const model = deps.assistant.model;
    if (!model || !deps.trusts) return {};
    const trust = await deps.trusts.trustFor(workspaceId).catch(() => undefined);
    return { model: { name: model.name, measuring: deps.trusts.isMeasuring(workspaceId), ...(trust ? { trust: trustView(trust) } : {}) } };
  };

  const settingsPage = async (res: Response, session: ConsoleSession, extra: { status?: number; notice?: string; error?: string; tried?: { question: string; result: string } } = {}) => {
    const [policy, audit, choices] = await Promise.all([deps.settings.policyFor(session.workspaceId), deps.settings.auditOf(session.workspaceId, 50), lists(session.workspaceId)]);
    const show = (value: unknown) => (Array.isArray(value) && value.length > 3 ? `${JSON.stringify(value.slice(0, 3)).slice(0, -1)}, … ${value.length} in all]` : JSON.stringify(value));
    res.status(extra.status ?? 200).type("html").send(
      PAGES.settings({
        session,
        ...pages,
        form: formOf(policy),
        ...choices,
        conditions: RULE_CONDITIONS.map((value) => ({ value, label: value === "reason" ? "hand-over reason" : value })),
        audit: audit.map((change) => ({ ...change, when: change.changedAt.toISOString().slice(0, 16).replace("T", " "), oldValue: show(change.oldValue), newValue: show(change.newValue) })),
        ...(await modelOf(session.workspaceId)),
        ...extra,
      }),
    );
  };

  router.get("/settings", signedIn, async (req, res) => {
    await settingsPage(res, res.locals.session as ConsoleSession, req.query.saved === "1" ? { notice: "Saved. The assistant uses the new settings within seconds." } : {});
  });

  router.post("/settings", form, signedIn, async (req, res) => {
    const session = res.locals.session as ConsoleSession;
    try {
      const change = changesFromForm(req.body as Record<string, unknown>, deps.settings.defaults);
      await deps.settings.update(session.workspaceId, change, session.via === "admin_token" ? session.adminName : `${session.adminName} (${session.adminId})`);
      res.redirect(303, "/console/settings?saved=1");
    } catch (error) {
      if (!(error instanceof ZodError)) throw error;
      await settingsPage(res, session, { status: 400, error: `Not saved: ${describeIssue(error)}` });
    }
  });

  router.post("/settings/try", form, signedIn, async (req, res) => {
    const session = res.locals.session as ConsoleSession;
    const question = String(req.body?.question ?? "").trim().slice(0, 500);
    if (!question) return void (await settingsPage(res, session, { status: 400, error: "Type a message to try." }));
    const decision = await respond({ workspaceId: session.workspaceId, message: question, history: [], previousSentiments: [], turnNumber: 1, customer: customerProfile(undefined) }, deps.assistant);
    await settingsPage(res, session, { tried: { question, result: describeDecision(decision) } });
  });

  router.post("/model/measure", form, signedIn, async (_req, res) => {
    const session = res.locals.session as ConsoleSession;
    if (!deps.trusts) return void (await settingsPage(res, session, { status: 404, error: "No model is configured: there is nothing to measure." }));
    void deps.trusts.measure(session.workspaceId).catch((error) => deps.logger.error({ err: error, workspaceId: session.workspaceId }, "could not measure the model's trust"));
    await settingsPage(res, session, { notice: "Measuring the model on your Help Center: reload this page in a minute for its figures." });
  });

  const setupPage = async (res: Response, session: ConsoleSession, extra: { status?: number; notice?: string; error?: string } = {}) => {
    const lines = await deps.setup!.status(session.workspaceId);
    res.status(extra.status ?? 200).type("html").send(PAGES.setup({ session, ...pages, checkedAt: when(new Date(now())), ...setupView(lines), ...extra }));
  };

  router.get("/setup", signedIn, async (_req, res) => {
    if (!deps.setup) return void res.redirect(303, "/console/settings");
    await setupPage(res, res.locals.session as ConsoleSession);
  });

  router.post("/setup/jobs/:id/retry", form, signedIn, async (req, res) => {
    const session = res.locals.session as ConsoleSession;
    if (!deps.setup) return void res.redirect(303, "/console/settings");
    const retried = await deps.setup.retry(session.workspaceId, String(req.params.id));
    deps.logger.info({ workspaceId: session.workspaceId, jobId: req.params.id, retried, by: session.adminName }, "parked job retried from the console");
    await setupPage(res, session, retried ? { notice: `Job #${req.params.id} is back in line: it runs within seconds.` } : { status: 404, error: `Job #${req.params.id} is not parked (already retried or done).` });
  });

  const historyPage = async (res: Response, session: ConsoleSession, extra: { status?: number; notice?: string; error?: string } = {}) => {
    const [run, policy, forecast, articles] = await Promise.all([
      deps.history!.latest(session.workspaceId),
      deps.settings.policyFor(session.workspaceId),
      deps.history!.forecast(session.workspaceId),
      deps.assistant.knowledge.articles(session.workspaceId).catch(() => []),
    ]);
    res.status(extra.status ?? 200).type("html").send(
      PAGES.history({
        session,
        ...pages,
        days: policy.history.days,
        max: policy.history.max_conversations,
        learning: policy.learning === "on" ? "learning is on" : policy.learning === "review" ? "learning waits for your review" : "learning is off in the settings: nothing is learned",
        ...historyView(run),
        ...forecastView(forecast, new Map(articles.map((article) => [article.articleKey, article.title]))),
        ...extra,
      }),
    );
  };

  router.get("/history", signedIn, async (_req, res) => {
    if (!deps.history) return void res.redirect(303, "/console/settings");
    await historyPage(res, res.locals.session as ConsoleSession);
  });

  router.post("/history/start", form, signedIn, async (_req, res) => {
    const session = res.locals.session as ConsoleSession;
    if (!deps.history) return void res.redirect(303, "/console/settings");
    const started = await deps.history.start(session.workspaceId);
    deps.logger.info({ workspaceId: session.workspaceId, started, by: session.adminName }, "reading past conversations asked from the console");
    await historyPage(res, session, started ? { notice: "Reading your past conversations: this page follows its progress." } : { status: 409, error: "A reading is already under way." });
  });

  router.post("/history/cancel", form, signedIn, async (_req, res) => {
    const session = res.locals.session as ConsoleSession;
    if (!deps.history) return void res.redirect(303, "/console/settings");
    const cancelled = await deps.history.cancel(session.workspaceId);
    await historyPage(res, session, cancelled ? { notice: "Cancelled: what was learned so far is kept." } : { status: 409, error: "No reading was under way." });
  });

  if (deps.report) {
    const session = (res: Response) => res.locals.session as ConsoleSession;
    const access: ReportAccess = {
      base: "/console/report",
      // The session's workspace, whatever a form or URL says.
      workspaceOf: async (_fields, res) => session(res).workspaceId,
      formFields: (_workspace, res) => [{ name: "_csrf", value: session(res).csrf }],
      queryFields: () => ({}),
      // signedIn checked the CSRF token of every form before the report saw it.
      formAllowed: () => true,
      header: (res) => NAV({ session: session(res), page: "report", ...pages }),
    };
    router.use("/report", form, signedIn, reportRouter(deps.report, access));
  }

  app.use("/console", router);
}
