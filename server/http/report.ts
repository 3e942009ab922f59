// GET /report: the figures as a page with charts (Chart.js), the content-gap and article tables,
// what the team taught the assistant (learned questions, with remove and approve), a period filter
// and CSV exports. Behind ADMIN_TOKEN, given as a Bearer token or as the password of HTTP Basic
// authentication (so a browser can simply ask for it).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import express, { type Express, type Request, type RequestHandler, type Response, type Router } from "express";
import Handlebars from "handlebars";
import { WorkspaceId } from "../../canvas/requests.ts";
import type { Logger } from "../logger.ts";
import { sameSecret } from "../same-secret.ts";
import { toCsv } from "../metrics/csv.ts";
import { forecastCsv, latestForecast } from "../learning/forecast.ts";
import { BUSIEST_WORKSPACE_SQL, periodOf } from "../metrics/period.ts";
import type { Report } from "../metrics/report.ts";
import { reportOf } from "../metrics/report-query.ts";
import type { Database } from "../storage/database.ts";
import type { KnowledgeBase } from "../knowledge/knowledge-base.ts";
import type { LearnedQuestions } from "../learning/learned-questions.ts";
import type { ArticleDrafts, DraftOutcome } from "../flows/article-drafts.ts";

const require = createRequire(import.meta.url);
// The browser build sits beside the package's entry point (it is not in its "exports").
const CHART_JS = path.join(path.dirname(require.resolve("chart.js")), "chart.umd.min.js");
const PAGE = Handlebars.compile(readFileSync(new URL("../../templates/report.html.hbs", import.meta.url), "utf8"));

const pct = (value: number | null) => (value === null ? "n/a" : `${(value * 100).toFixed(1)}%`);
const duration = (seconds: number | null) => (seconds === null ? "n/a" : seconds < 90 ? `${Math.round(seconds)} s` : seconds < 5400 ? `${Math.round(seconds / 60)} min` : `${(seconds / 3600).toFixed(1)} h`);

function authorised(token: string | undefined, header: string | undefined): boolean {
  if (!token || !header) return false;
  const bearer = /^Bearer (.+)$/.exec(header)?.[1];
  const basic = /^Basic (.+)$/.exec(header)?.[1];
  const given = bearer ?? (basic ? Buffer.from(basic, "base64").toString("utf8").split(":").slice(1).join(":") : "");
  return sameSecret(given, token);
}

/** A form posted from another site would carry the browser's Basic credentials: only this page's own forms may change anything. */
function sameOrigin(req: express.Request): boolean {
  const origin = req.get("origin") ?? req.get("referer");
  if (!origin) return true;
  try {
    return new URL(origin).host === req.get("host");
  } catch {
    return false;
  }
}

/** What the page says after an admin asked for a draft article. */
const DRAFT_NOTICES: Record<DraftOutcome["status"] | "failed", string> = {
  created: "The draft article was created in Intercom. Edit and publish it there.",
  already_drafted: "A draft for this topic was created already.",
  covered: "The Help Center answers these questions now: no draft was created.",
  not_connected: "This workspace is not connected to Intercom, so no draft can be created.",
  failed: "Intercom did not accept the draft; nothing was created. Try again in a moment.",
};

export interface ReportDeps {
  db: Database;
  logger: Logger;
  knowledge: KnowledgeBase;
  learned?: LearnedQuestions;
  drafts?: ArticleDrafts;
}

/**
 * Who sees which workspace's report, and what its forms carry. The operator's ADMIN_TOKEN may name
 * any workspace (`?workspace=`); a console session sees its own and nothing else.
 */
export interface ReportAccess {
  /** Where the routes are mounted: links and redirects start here. */
  base: string;
  /** The workspace a request is about (from the request's fields, or the session). */
  workspaceOf(fields: Record<string, unknown>, res: Response): Promise<string | { error: string }>;
  /** Hidden fields every form of the page posts (the workspace, or the session's CSRF token). */
  formFields(workspace: string, res: Response): Array<{ name: string; value: string }>;
  /** Fields the period form and the CSV links keep. */
  queryFields(workspace: string): Record<string, string>;
  /** Whether a posted form may act (it came from this page). */
  formAllowed(req: Request, res: Response): boolean;
  /** HTML shown above the report (the console's navigation). */
  header?(res: Response): string;
}

/** The report's routes (page, CSVs, learned questions, drafts) for one kind of access. */
export function reportRouter(deps: ReportDeps, access: ReportAccess): Router {
  const router = express.Router();
  const load = async (fields: Record<string, unknown>, res: Response): Promise<{ report: Report; workspace: string } | { error: string }> => {
    const period = periodOf({ from: fields.from, to: fields.to });
    if ("error" in period) return period;
    const workspace = await access.workspaceOf(fields, res);
    if (typeof workspace !== "string") return workspace;
    return { workspace, report: await reportOf(deps.db, workspace, period) };
  };
  const pageUrl = (workspace: string, extra: Record<string, string> = {}) => `${access.base}?${new URLSearchParams({ ...access.queryFields(workspace), ...extra })}`;

  const learnedOf = async (workspace: string) => {
    if (!deps.learned) return [];
    const [questions, articles] = await Promise.all([deps.learned.list(workspace), deps.knowledge.articles(workspace).catch(() => [])]);
    const byKey = new Map(articles.map((article) => [article.articleKey, article]));
    return questions.map((question) => ({
      ...question,
      title: byKey.get(question.articleKey)?.title ?? question.articleKey,
      url: byKey.get(question.articleKey)?.url,
      when: question.learnedAt.toISOString().slice(0, 16).replace("T", " "),
      pending: question.status === "pending",
      removed: question.status === "removed",
    }));
  };

  router.get("/", async (req, res) => {
    const loaded = await load(req.query, res);
    if ("error" in loaded) return void res.status(400).json({ error: loaded.error });
    const { report, workspace } = loaded;
    const query = new URLSearchParams({ ...access.queryFields(workspace), from: report.from.slice(0, 10), to: report.to.slice(0, 10) }).toString();
    const [learned, drafts] = await Promise.all([learnedOf(workspace), deps.drafts?.list(workspace) ?? []]);
    const draftOf = new Map(drafts.map((draft) => [draft.topic, draft]));
    const notice = typeof req.query.draft === "string" && req.query.draft in DRAFT_NOTICES ? DRAFT_NOTICES[req.query.draft as keyof typeof DRAFT_NOTICES] : undefined;
    res.type("html").send(
      PAGE({
        workspace,
        base: access.base,
        header: access.header?.(res),
        queryFields: Object.entries(access.queryFields(workspace)).map(([name, value]) => ({ name, value })),
        formFields: access.formFields(workspace, res),
        learned,
        learning: Boolean(deps.learned),
        drafting: Boolean(deps.drafts),
        notice,
        gaps: report.contentGaps.map((gap) => ({ ...gap, drafted: draftOf.get(gap.topic) })),
        drafts: drafts.map((draft) => ({
          ...draft,
          when: draft.createdAt.toISOString().slice(0, 16).replace("T", " "),
          writtenByLabel: draft.writtenBy === "model" ? "the model, from teammates' replies" : "teammates' replies, as they are",
        })),
        from: report.from.slice(0, 10),
        to: report.to.slice(0, 10),
        query,
        report,
        cards: [
          ["Conversations", String(report.conversations)],
          ["Involvement", pct(report.rates.involvement)],
          ["Answer rate", pct(report.rates.answer)],
          ["Deflection", pct(report.rates.deflection)],
          ["Resolution", pct(report.rates.resolution)],
          ["Choices shown, picked", `${report.choices.shown}, ${pct(report.choices.pickRate)}`],
          ["CSAT, bot only", report.csat.botOnly === null ? "n/a" : report.csat.botOnly.toFixed(2)],
          ["CSAT, handed over", report.csat.handedOver === null ? "n/a" : report.csat.handedOver.toFixed(2)],
          ["Median first response", duration(report.medians.firstResponseSeconds)],
          ["Median resolution time", duration(report.medians.resolutionSeconds)],
        ].map(([label, value]) => ({ label, value })),
        reasons: Object.entries(report.escalationsByReason).map(([reason, { count, rate }]) => ({ reason: reason.replace(/_/g, " "), count, rate: pct(rate) })),
        chartData: JSON.stringify({
          days: report.daily.map((day) => day.day),
          deflection: report.daily.map((day) => (day.involved ? Math.round((100 * day.deflected) / day.involved) : null)),
          involvement: report.daily.map((day) => (day.conversations ? Math.round((100 * day.involved) / day.conversations) : null)),
          reasons: Object.keys(report.escalationsByReason),
          reasonCounts: Object.values(report.escalationsByReason).map((entry) => entry.count),
          csat: [report.csat.botOnly ?? 0, report.csat.handedOver ?? 0],
        }).replace(/</g, "\\u003c"),
      }),
    );
  });

  // Sent from memory: sendFile refuses paths with a dot-folder in them (e.g. a checkout in ~/.apps).
  let chartJs: string | undefined;
  router.get("/chart.js", (_req, res) => {
    chartJs ??= readFileSync(CHART_JS, "utf8");
    res.type("application/javascript").set("Cache-Control", "public, max-age=86400").send(chartJs);
  });

  router.get("/:table.csv", async (req, res) => {
    const loaded = await load(req.query, res);
    if ("error" in loaded) return void res.status(400).json({ error: loaded.error });
    const { report } = loaded;
    const table = req.params.table;
    let csv: string;
    if (table === "content-gaps") csv = toCsv(["topic", "questions", "examples", "teammate_replies"], report.contentGaps.map((gap) => [gap.topic, gap.count, gap.examples.join(" | "), gap.answers.map((answer) => answer.reply).join(" | ")]));
    else if (table === "articles") csv = toCsv(["article_id", "title", "url", "cited", "helped", "handed_over_after"], report.articles.map((a) => [a.articleId, a.title, a.url ?? "", a.cited, a.helped, a.handedOverAfter]));
    else if (table === "learned-questions") csv = toCsv(["question", "article", "title", "source", "conversation", "learned_at", "status", "uses", "confirmed_by", "rewording_of"], (await learnedOf(loaded.workspace)).map((q) => [q.question, q.articleKey, q.title, q.source, q.conversationId ?? "", q.learnedAt.toISOString(), q.status, q.uses, q.confirmedBy, q.paraphraseOf ?? ""]));
    else if (table === "forecast") csv = forecastCsv(await latestForecast(deps.db, loaded.workspace));
    else return void res.status(404).json({ error: "unknown table" });
    res.type("text/csv").set("Content-Disposition", `attachment; filename="${table}.csv"`).send(csv);
  });

  // Remove (and never learn again) or approve a learned question; the page's own forms post here.
  router.post("/learned/:id/:action", express.urlencoded({ extended: false, limit: "4kb" }), async (req, res) => {
    const { id, action } = req.params as { id: string; action: string };
    if (!access.formAllowed(req, res)) return void res.status(403).json({ error: "this form may only be posted from the report page" });
    const workspace = await access.workspaceOf((req.body ?? {}) as Record<string, unknown>, res);
    if (!deps.learned || !/^\d{1,18}$/.test(id) || typeof workspace !== "string" || (action !== "remove" && action !== "approve")) return void res.status(400).json({ error: "unknown learned question or action" });
    const done = action === "remove" ? await deps.learned.remove(workspace, id) : await deps.learned.approve(workspace, id);
    if (!done) return void res.status(404).json({ error: "no such learned question in this workspace" });
    deps.logger.info({ workspaceId: workspace, id, action }, "learned question changed from the report");
    res.redirect(303, `${pageUrl(workspace)}#learned`);
  });

  // Creates a draft article in Intercom for a content-gap topic of the period shown.
  router.post("/drafts", express.urlencoded({ extended: false, limit: "4kb" }), async (req, res) => {
    if (!access.formAllowed(req, res)) return void res.status(403).json({ error: "this form may only be posted from the report page" });
    const fields = (req.body ?? {}) as Record<string, unknown>;
    if (!deps.drafts || typeof fields.topic !== "string") return void res.status(400).json({ error: "unknown content gap" });
    const loaded = await load(fields, res);
    if ("error" in loaded) return void res.status(400).json({ error: loaded.error });
    const gap = loaded.report.contentGaps.find((candidate) => candidate.topic === fields.topic);
    if (!gap) return void res.status(404).json({ error: "no such content gap in this workspace and period" });
    let status: keyof typeof DRAFT_NOTICES;
    try {
      status = (await deps.drafts.create(loaded.workspace, gap)).status;
    } catch (error) {
      deps.logger.error({ err: error, workspaceId: loaded.workspace, topic: gap.topic }, "draft article could not be created");
      status = "failed";
    }
    res.redirect(303, `${pageUrl(loaded.workspace, { from: loaded.report.from.slice(0, 10), to: loaded.report.to.slice(0, 10), draft: status })}#gaps`);
  });

  return router;
}

/** The operator's report at /report, behind ADMIN_TOKEN: any workspace, named by `?workspace=`. */
export function mountReport(app: Express, deps: ReportDeps & { token: string | undefined }) {
  const guard: RequestHandler = (req, res, next) => {
    if (authorised(deps.token, req.get("authorization"))) return next();
    deps.logger.warn({ path: req.originalUrl.split("?")[0] }, "rejected report request");
    res.status(401).set("WWW-Authenticate", 'Basic realm="Help Center Assistant report"').json({ error: deps.token ? "admin token required" : "the report is off: set ADMIN_TOKEN" });
  };
  const access: ReportAccess = {
    base: "/report",
    async workspaceOf(fields) {
      const named = typeof fields.workspace === "string" && fields.workspace ? fields.workspace : undefined;
      const workspace = named ?? (await deps.db.query<{ workspace_id: string }>(BUSIEST_WORKSPACE_SQL))[0]?.workspace_id ?? "preview";
      return WorkspaceId.safeParse(workspace).success ? workspace : { error: "workspace: must be a workspace id" };
    },
    formFields: (workspace) => [{ name: "workspace", value: workspace }],
    queryFields: (workspace) => ({ workspace }),
    formAllowed: sameOrigin,
  };
  app.use("/report", guard, reportRouter(deps, access));
}
