// GET /metrics in Prometheus format (prom-client): HTTP traffic per endpoint, what the assistant
// did, Help Center syncs, and the work queue.
import type { RequestHandler } from "express";
import type { ModelTrust } from "../answer-decision/model-trust.ts";
import type { CalibrationModel } from "../answer-decision/model.ts";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { AnswerStats } from "../assistant/answerer.ts";
import type { JobQueue } from "../storage/queue.ts";
import type { MetricsEvent } from "./events.ts";

const TRUST_FIGURES = ["false_answer_rate", "citation_agreement", "settles_from"] as const;

export class AppMetrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({ name: "http_requests_total", help: "HTTP requests by route and status", labelNames: ["route", "status"], registers: [this.registry] });
  private readonly latency = new Histogram({
    name: "http_request_duration_seconds",
    help: "HTTP request latency by route",
    labelNames: ["route"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 6],
    registers: [this.registry],
  });
  private readonly answers = new Counter({ name: "assistant_answers_total", help: "Answers sent, by who wrote them (llm or extractive)", labelNames: ["by"], registers: [this.registry] });
  private readonly escalations = new Counter({ name: "assistant_escalations_total", help: "Hand-overs to a person, by reason", labelNames: ["reason"], registers: [this.registry] });
  private readonly choices = new Counter({ name: "assistant_choices_total", help: "\"Is it one of these?\" choices, shown and picked", labelNames: ["event"], registers: [this.registry] });
  private readonly calibration = new Gauge({
    name: "assistant_calibration",
    help: "The answer-decision model each workspace uses: its thresholds and fit quality (Brier score, answer precision, one-click share on held-back generated questions); kind is fitted or prior",
    labelNames: ["workspace", "kind", "embedder", "figure"],
    registers: [this.registry],
  });
  private readonly modelTrust = new Gauge({
    name: "assistant_model_trust",
    help: "The configured chat model's measured trust per workspace: false-answer rate, citation agreement and the retrieval probability from which its claim settles an unsure card (-1: it settles none); status is measured or failed",
    labelNames: ["workspace", "model", "status", "figure"],
    registers: [this.registry],
  });
  private readonly syncs = new Counter({ name: "knowledge_sync_runs_total", help: "Help Center syncs, by result", labelNames: ["result"], registers: [this.registry] });
  private readonly syncSeconds = new Histogram({ name: "knowledge_sync_duration_seconds", help: "Help Center sync duration", buckets: [0.1, 0.5, 1, 2, 5, 15, 60, 300], registers: [this.registry] });

  constructor(options: { queue?: JobQueue } = {}) {
    const { queue } = options;
    collectDefaultMetrics({ register: this.registry });
    new Gauge({
      // Not among prom-client's defaults (PGlite's WebAssembly memory counts in external memory, not here).
      name: "nodejs_array_buffers_bytes",
      help: "Memory held by ArrayBuffers (part of nodejs_external_memory_bytes)",
      registers: [this.registry],
      collect() {
        this.set(process.memoryUsage().arrayBuffers);
      },
    });
    if (queue) {
      new Gauge({
        name: "queue_jobs",
        help: "Jobs in the durable queue by status (parked: failed too often, waiting for an admin)",
        labelNames: ["status"],
        registers: [this.registry],
        async collect() {
          const counts = await queue.counts();
          for (const status of ["pending", "running", "done", "parked"]) this.set({ status }, counts[status] ?? 0);
        },
      });
    }
  }

  /** Reports the assistant's LLM fallbacks (counted where they happen) at each scrape. */
  watchAnswers(answers: AnswerStats): void {
    new Gauge({
      name: "assistant_llm_fallbacks_total",
      help: "Answers where the LLM was replaced by the extractive answer, by reason (timeout, error, invalid)",
      labelNames: ["reason"],
      registers: [this.registry],
      collect() {
        for (const [reason, count] of Object.entries(answers.fallbacks)) this.set({ reason }, count);
      },
    });
  }

  /** Counts and times every request under its route pattern (not its raw path, which would explode the labels). */
  middleware(): RequestHandler {
    return (req, res, next) => {
      const stop = this.latency.startTimer();
      res.on("finish", () => {
        const route = req.route?.path ? `${req.baseUrl}${req.route.path}` : "unmatched";
        stop({ route });
        this.requests.inc({ route, status: String(res.statusCode) });
      });
      next();
    };
  }

  /** Feeds the assistant counters from the event log as events are written. */
  observe(event: MetricsEvent): void {
    if (event.kind === "bot_answer") this.answers.inc({ by: String(event.data?.by ?? "unknown") });
    if (event.kind === "escalation") this.escalations.inc({ reason: String(event.data?.reason ?? "unknown") });
    if (event.kind === "bot_choice") this.choices.inc({ event: "shown" });
    if (event.kind === "choice_picked") this.choices.inc({ event: "picked" });
  }

  /** Which answer-decision model a workspace uses, and how well it fits. */
  /** The configured model's latest measurement in a workspace. */
  trusted(workspaceId: string, trust: ModelTrust): void {
    for (const status of ["measured", "failed"] as const) if (status !== trust.status) for (const figure of TRUST_FIGURES) this.modelTrust.remove({ workspace: workspaceId, model: trust.model, status, figure });
    const figures: Record<(typeof TRUST_FIGURES)[number], number> = { false_answer_rate: trust.falseAnswerRate, citation_agreement: trust.citationAgreement, settles_from: trust.settleFrom ?? -1 };
    for (const [figure, value] of Object.entries(figures)) this.modelTrust.set({ workspace: workspaceId, model: trust.model, status: trust.status, figure }, value);
  }

  calibrated(workspaceId: string, model: CalibrationModel): void {
    const labels = { workspace: workspaceId, kind: model.kind, embedder: model.embedderId };
    this.calibration.remove({ ...labels, kind: model.kind === "fitted" ? "prior" : "fitted" });
    const figures: Record<string, number> = {
      answer_threshold: model.thresholds.answer,
      choice_threshold: model.thresholds.choice,
      brier: model.quality.brier,
      answer_precision: model.quality.answerPrecision,
      one_click: model.quality.oneClick,
    };
    for (const [figure, value] of Object.entries(figures)) this.calibration.set({ ...labels, figure }, value);
  }

  synced(ok: boolean, seconds: number): void {
    this.syncs.inc({ result: ok ? "ok" : "failed" });
    this.syncSeconds.observe(seconds);
  }

  handler(): RequestHandler {
    return async (_req, res) => {
      res.type(this.registry.contentType).send(await this.registry.metrics());
    };
  }
}
