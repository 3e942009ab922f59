// The Setup page's lines, from the evidence the app recorded: each green, amber or red (grey: no
// evidence yet, which is no fault), with what was seen, when, and one sentence saying what to do.
// A plain function of what was read, so the console and `npm run doctor` say the same.
import { CAPABILITIES, type Capability } from "../intercom/capabilities.ts";
import type { ModelTrust } from "../answer-decision/model-trust.ts";
import type { EvidenceFact } from "./evidence.ts";
import { ABANDONED, FAILED } from "./record.ts";

export type LineStatus = "green" | "amber" | "red" | "grey";

export interface SetupLine {
  id: string;
  group: string;
  title: string;
  status: LineStatus;
  /** What the app saw. */
  evidence: string;
  lastSeen?: Date;
  /** What to do, when anything is to be done. */
  fix?: string;
  /** Parked jobs, each retried from the page. */
  jobs?: ParkedJob[];
}

export interface ParkedJob {
  id: string;
  kind: string;
  attempts: number;
  lastError: string;
  parkedAt: Date;
}

export interface SetupInput {
  now: Date;
  facts: EvidenceFact[];
  /** The webhook topics the product needs (the manifest's). */
  topics: string[];
  /** Where Intercom must send webhooks, to name in the fix. */
  webhookUrl: string;
  /** The configured chat model, when there is one. */
  model?: {
    name: string;
    budgetMs: number;
    trust?: ModelTrust;
    measuring: boolean;
    /** Cards decided in the last day, and those whose answer the model wrote. */
    cards: number;
    writtenByModel: number;
  };
  jobs: { parked: ParkedJob[]; oldestWaitingMs?: number };
}

const DAY_MS = 86_400_000;
/** Webhook topics not received for this long are missing. */
export const TOPIC_WINDOW_MS = 7 * DAY_MS;
const QUEUE_AMBER_MS = 2 * 60_000;
const QUEUE_RED_MS = 15 * 60_000;

export const when = (date: Date) => date.toISOString().slice(0, 16).replace("T", " ") + " UTC";
const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? "" : "s"}`;
const latest = (facts: EvidenceFact[]) => facts.reduce<Date | undefined>((last, fact) => (!last || fact.lastSeen > last ? fact.lastSeen : last), undefined);
const statusOf = (fact: EvidenceFact) => Number(fact.detail.status ?? 0);
/** Intercom answered the call (a missing conversation is an answer): the permission is there. */
const answered = (status: number) => (status >= 200 && status < 300) || status === 404 || status === 409 || status === 422;

function callLine(facts: Map<string, EvidenceFact>, id: string, title: string, kinds: string[], missing: { status: LineStatus; fix: string }): SetupLine {
  const seen = kinds.flatMap((kind) => facts.get(`call:${kind}`) ?? []);
  const last = latest(seen);
  if (!last) return { id, group: "Intercom calls the app", title, status: missing.status, evidence: "Not seen yet.", fix: missing.fix };
  const count = seen.reduce((sum, fact) => sum + fact.seen, 0);
  return { id, group: "Intercom calls the app", title, status: "green", evidence: `${plural(count, "signed request")} verified, the last at ${when(last)}.`, lastSeen: last };
}

function signatureLine(facts: EvidenceFact[]): SetupLine {
  const base = { id: "signatures", group: "Intercom calls the app", title: "Signatures" };
  const rejected = facts.filter((fact) => fact.fact === "rejected:canvas" || fact.fact === "rejected:webhook");
  const lastVerified = latest(facts.filter((fact) => fact.fact.startsWith("call:") || fact.fact.startsWith("webhook:")));
  const lastRejected = latest(rejected);
  if (!lastRejected) return { ...base, status: lastVerified ? "green" : "grey", evidence: lastVerified ? "Every signed request passed verification." : "No signed request yet.", ...(lastVerified ? { lastSeen: lastVerified } : {}) };
  const count = rejected.reduce((sum, fact) => sum + fact.seen, 0);
  const reason = String(rejected.find((fact) => fact.lastSeen === lastRejected)?.detail.reason ?? "");
  const seen = `${plural(count, "request")} failed verification since ${when(rejected.reduce((first, fact) => (fact.firstSeen < first ? fact.firstSeen : first), lastRejected))}, the last at ${when(lastRejected)} (${reason}).`;
  if (!lastVerified)
    return { ...base, status: "red", evidence: `${seen} None ever passed.`, lastSeen: lastRejected, fix: "INTERCOM_CLIENT_SECRET is not this app's client secret: copy it from the Developer Hub (Basic information → Client secret) and restart the app." };
  if (lastRejected > lastVerified)
    return { ...base, status: "amber", evidence: `${seen} Others pass, the last at ${when(lastVerified)}.`, lastSeen: lastRejected, fix: "Some requests fail while others pass: bodies altered on the way (a proxy rewriting them) or replayed by someone else. Check what sits in front of the app." };
  return { ...base, status: "green", evidence: `${seen} Every request since passed, the last at ${when(lastVerified)}.`, lastSeen: lastVerified };
}

function webhookLines(facts: Map<string, EvidenceFact>, all: EvidenceFact[], input: SetupInput): SetupLine[] {
  const group = "Webhooks";
  const received = input.topics.filter((topic) => {
    const fact = facts.get(`webhook:${topic}`);
    return fact && input.now.getTime() - fact.lastSeen.getTime() <= TOPIC_WINDOW_MS;
  });
  const missing = input.topics.filter((topic) => !received.includes(topic));
  const ping = facts.get("webhook:ping");
  const accepted = all.filter((fact) => fact.fact.startsWith("webhook:"));
  const lastAccepted = latest(accepted);
  const subscribe = `Subscribe ${input.webhookUrl} under Webhooks in the Developer Hub, with the topics ${input.topics.join(", ")}.`;
  const topics: SetupLine = !missing.length
    ? { id: "webhook-topics", group, title: "Topics", status: "green", evidence: `All ${input.topics.length} topics the app needs were received in the last 7 days.`, ...(lastAccepted ? { lastSeen: lastAccepted } : {}) }
    : !lastAccepted
      ? { id: "webhook-topics", group, title: "Topics", status: "amber", evidence: "No webhook notification yet.", fix: subscribe }
      : {
          id: "webhook-topics",
          group,
          title: "Topics",
          status: "red",
          evidence: `Not received in the last 7 days: ${missing.join(", ")} (${received.length} of ${input.topics.length} were${ping ? `; the last ping at ${when(ping.lastSeen)}` : ""}).`,
          lastSeen: lastAccepted,
          fix: `Tick ${missing.length === 1 ? "it" : "them"} under Webhooks in the Developer Hub. Without them the app does not learn from teammates or count CSAT. A topic whose event did not happen this week (no rating) turns green at its first.`,
        };
  const rejected = all.filter((fact) => fact.fact === "rejected:webhook" || fact.fact === "invalid:webhook");
  const lastRejected = latest(rejected);
  const count = rejected.reduce((sum, fact) => sum + fact.seen, 0);
  const reason = String(rejected.find((fact) => fact.lastSeen === lastRejected)?.detail.reason ?? "");
  const deliveries: SetupLine = !lastRejected
    ? { id: "webhook-deliveries", group, title: "Deliveries", status: lastAccepted ? "green" : "grey", evidence: lastAccepted ? `Every notification was accepted, the last at ${when(lastAccepted)}${ping ? `; the last ping at ${when(ping.lastSeen)}` : ""}.` : "No notification yet.", ...(lastAccepted ? { lastSeen: lastAccepted } : {}) }
    : !lastAccepted || lastRejected > lastAccepted
      ? {
          id: "webhook-deliveries",
          group,
          title: "Deliveries",
          status: lastAccepted ? "amber" : "red",
          evidence: `${plural(count, "notification")} rejected, the last at ${when(lastRejected)} (${reason})${lastAccepted ? `; the last accepted at ${when(lastAccepted)}` : "; none accepted"}.`,
          lastSeen: lastRejected,
          fix: reason.startsWith("invalid: ") ? "Intercom sent notifications the app cannot read: check that the webhook's API version is the one the app pins (2.14)." : "Notifications fail their signature: the app's INTERCOM_CLIENT_SECRET must be the client secret of the app that sends them.",
        }
      : { id: "webhook-deliveries", group, title: "Deliveries", status: "green", evidence: `${plural(count, "notification")} rejected before ${when(lastAccepted)}; every one since was accepted.`, lastSeen: lastAccepted };
  return [topics, deliveries];
}

function capabilityLines(facts: Map<string, EvidenceFact>): SetupLine[] {
  const group = "Intercom access";
  const token = facts.get("intercom:token");
  const lines: SetupLine[] = [];
  if (!token) lines.push({ id: "intercom-token", group, title: CAPABILITIES.token.label, status: "amber", evidence: "The app has not called Intercom for this workspace.", fix: "Connect it: set INTERCOM_ACCESS_TOKEN (a private app) or install the app from the Developer Hub (a public app)." });
  else {
    const status = statusOf(token);
    lines.push(
      answered(status)
        ? { id: "intercom-token", group, title: CAPABILITIES.token.label, status: "green", evidence: `Intercom answered ${status} at ${when(token.lastSeen)}.`, lastSeen: token.lastSeen }
        : status === 401 || status === 403
          ? { id: "intercom-token", group, title: CAPABILITIES.token.label, status: "red", evidence: `Intercom refused the token (${status}) at ${when(token.lastSeen)}.`, lastSeen: token.lastSeen, fix: "The token was revoked or the app uninstalled: install the app again, or set a new INTERCOM_ACCESS_TOKEN and restart." }
          : { id: "intercom-token", group, title: CAPABILITIES.token.label, status: "amber", evidence: `Intercom did not answer (${status || "unreachable"}) at ${when(token.lastSeen)}.`, lastSeen: token.lastSeen, fix: "Check that the app can reach Intercom's API (INTERCOM_API_BASE_URL and the network); it tries again." },
    );
  }
  for (const capability of Object.keys(CAPABILITIES) as Capability[]) {
    if (capability === "token") continue;
    const { label, permission } = CAPABILITIES[capability];
    const fact = facts.get(`intercom:${capability}`);
    const id = `intercom-${capability.replace(/_/g, "-")}`;
    if (!fact) {
      lines.push({ id, group, title: label, status: "grey", evidence: "Not used yet: the first call's outcome shows here." });
      continue;
    }
    const status = statusOf(fact);
    const calls = `${plural(fact.seen, "call")}, the last at ${when(fact.lastSeen)}`;
    lines.push(
      answered(status)
        ? { id, group, title: label, status: "green", evidence: `${calls}: answered ${status}.`, lastSeen: fact.lastSeen }
        : status === 401 || status === 403
          ? { id, group, title: label, status: "red", evidence: `${calls}: refused (${status}).`, lastSeen: fact.lastSeen, fix: `The app lacks the permission “${permission}”: add it in the Developer Hub (Authentication → Edit permissions), then reinstall the app (or, for a private app, use the token it gives).` }
          : { id, group, title: label, status: "amber", evidence: `${calls}: failed (${status || "Intercom unreachable"}).`, lastSeen: fact.lastSeen, fix: status === 429 ? "Intercom's rate limit: the app waits for the reset and retries." : "Intercom failed or could not be reached: the app retries; if it lasts, see status.intercom.com." },
    );
  }
  return lines;
}

function helpCenterLines(facts: Map<string, EvidenceFact>): SetupLine[] {
  const group = "Help Center";
  const sync = facts.get("help_center:sync");
  const lines: SetupLine[] = [];
  if (!sync) lines.push({ id: "help-center-sync", group, title: "Sync", status: "amber", evidence: "Not synced yet.", fix: "The app syncs at start and on every Help Center change; if this lasts, check the Intercom access lines above." });
  else {
    const detail = sync.detail as { ok?: boolean; error?: string; articles?: number; languages?: string[]; skippedDrafts?: number; failed?: Array<{ articleKey: string; message: string }>; failedCount?: number; lastOk?: string };
    const skipped = detail.skippedDrafts ? ` ${plural(detail.skippedDrafts, "draft")} skipped (only published articles are read).` : "";
    const indexed = `${plural(detail.articles ?? 0, "article")} indexed${detail.languages?.length ? ` in ${detail.languages.join(", ")}` : ""}.`;
    if (detail.ok === false)
      lines.push({ id: "help-center-sync", group, title: "Sync", status: "red", evidence: `The last sync, at ${when(sync.lastSeen)}, failed: ${detail.error ?? "unknown error"}.${detail.lastOk ? ` The index of ${detail.lastOk} keeps serving.` : ""}`, lastSeen: sync.lastSeen, fix: "Check the “Read the Help Center” line above and the embedder's endpoint; the app tries again at the next sync." });
    else if (detail.failedCount)
      lines.push({ id: "help-center-sync", group, title: "Sync", status: "amber", evidence: `Synced at ${when(sync.lastSeen)}: ${indexed} ${plural(detail.failedCount, "article")} could not be indexed (${detail.failed?.[0]?.articleKey}: ${detail.failed?.[0]?.message}).${skipped}`, lastSeen: sync.lastSeen, fix: "Those articles are tried again at the next sync; if they keep failing, check the embedder's endpoint." });
    else if (!detail.articles)
      lines.push({ id: "help-center-sync", group, title: "Sync", status: "amber", evidence: `Synced at ${when(sync.lastSeen)}: no published article.${skipped}`, lastSeen: sync.lastSeen, fix: "Publish articles in your Help Center: the assistant answers only from published ones." });
    else lines.push({ id: "help-center-sync", group, title: "Sync", status: "green", evidence: `Synced at ${when(sync.lastSeen)}: ${indexed}${skipped}`, lastSeen: sync.lastSeen });
  }
  const fit = facts.get("help_center:calibration");
  if (!fit) lines.push({ id: "help-center-calibration", group, title: "Answer decisions", status: "grey", evidence: "Not calibrated yet: it runs after the first sync." });
  else if (fit.detail.kind === "fitted") lines.push({ id: "help-center-calibration", group, title: "Answer decisions", status: "green", evidence: `Calibrated on this Help Center at ${when(fit.lastSeen)}.`, lastSeen: fit.lastSeen });
  else lines.push({ id: "help-center-calibration", group, title: "Answer decisions", status: "amber", evidence: `Using the shipped defaults since ${when(fit.lastSeen)}: the Help Center gave too little to calibrate on.`, lastSeen: fit.lastSeen, fix: "Publish more articles (a few dozen at least); the next sync calibrates again." });
  return lines;
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

function modelLines(facts: Map<string, EvidenceFact>, model: NonNullable<SetupInput["model"]>): SetupLine[] {
  const group = "Model";
  const lines: SetupLine[] = [];
  const calls = facts.get("model:calls");
  const samples = Array.isArray(calls?.detail.samples) ? (calls.detail.samples as number[]) : [];
  // A call the card stopped waiting for took longer than its budget: it sorts last.
  const timings = samples.filter((ms) => ms !== FAILED).map((ms) => (ms === ABANDONED ? Infinity : ms)).sort((a, b) => a - b);
  const failures = samples.length - timings.length;
  const title = `${model.name}: reachable and fast enough`;
  const ms = (value: number) => (value === Infinity ? `over ${model.budgetMs} ms (the card stopped waiting)` : `${Math.round(value)} ms`);
  if (!calls || !samples.length) lines.push({ id: "model-latency", group, title, status: "grey", evidence: "No call yet." });
  else if (failures * 2 > samples.length)
    lines.push({ id: "model-latency", group, title, status: "red", evidence: `${failures} of the last ${samples.length} calls failed, the last at ${when(calls.lastSeen)}${calls.detail.error ? ` (${String(calls.detail.error)})` : ""}.`, lastSeen: calls.lastSeen, fix: "Check OPENAI_BASE_URL, OPENAI_API_KEY and the model's name; until it answers, cards are answered without it." });
  else {
    const p50 = quantile(timings, 0.5);
    const p95 = quantile(timings, 0.95);
    const seen = `p50 ${ms(p50)}, p95 ${ms(p95)} over the last ${plural(timings.length, "call")}, against the card's budget of ${model.budgetMs} ms${failures ? `; ${failures} failed` : ""}.`;
    const fix = "Use a faster model or endpoint, or raise llm_time_budget_ms in the settings (Intercom waits about 10 s for a card).";
    lines.push(
      p50 > model.budgetMs
        ? { id: "model-latency", group, title, status: "red", evidence: `${seen} Most cards are answered without the model.`, lastSeen: calls.lastSeen, fix }
        : p95 > model.budgetMs
          ? { id: "model-latency", group, title, status: "amber", evidence: `${seen} Some cards are answered without it.`, lastSeen: calls.lastSeen, fix }
          : { id: "model-latency", group, title, status: "green", evidence: seen, lastSeen: calls.lastSeen },
    );
  }
  const share = model.cards ? model.writtenByModel / model.cards : 0;
  lines.push(
    !model.cards
      ? { id: "model-share", group, title: "Cards the model wrote", status: "grey", evidence: "No card in the last day." }
      : {
          id: "model-share",
          group,
          title: "Cards the model wrote",
          status: model.writtenByModel ? "green" : "amber",
          evidence: `${model.writtenByModel} of ${plural(model.cards, "card")} in the last day (${Math.round(share * 100)}%).`,
          ...(model.writtenByModel ? {} : { fix: "The model wrote no card: see its speed above and its measurement below." }),
        },
  );
  const trust = model.trust;
  const measured = "Measured on your Help Center";
  if (!trust) lines.push({ id: "model-trust", group, title: measured, status: "grey", evidence: model.measuring ? "Being measured now." : "Not measured yet: it is measured after each sync." });
  else {
    const at = new Date(trust.measuredAt);
    lines.push(
      trust.status === "failed"
        ? { id: "model-trust", group, title: measured, status: "red", evidence: `The measurement at ${when(at)} failed: ${trust.reason ?? "the model did not answer"}.`, lastSeen: at, fix: "Make the model answer (see its speed above), then “Measure again” on the settings page." }
        : trust.settleFrom === null
          ? { id: "model-trust", group, title: measured, status: "amber", evidence: `Measured at ${when(at)}: it claimed ${Math.round(trust.falseAnswerRate * 100)}% of the questions the passages do not answer; its word settles no unsure card.`, lastSeen: at, fix: "A more careful model would settle more cards; cards stay safe as they are (the choice of articles)." }
          : { id: "model-trust", group, title: measured, status: "green", evidence: `Measured at ${when(at)}: its word settles a card from ${Math.round(trust.settleFrom * 100)}% likely.`, lastSeen: at },
    );
  }
  return lines;
}

function jobLines(jobs: SetupInput["jobs"]): SetupLine[] {
  const group = "Hand-offs and jobs";
  const parked = jobs.parked;
  const latestParked = parked.reduce<Date | undefined>((last, job) => (!last || job.parkedAt > last ? job.parkedAt : last), undefined);
  const wait = jobs.oldestWaitingMs;
  const minutes = (ms: number) => (ms < 120_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 60_000)} min`);
  return [
    parked.length
      ? {
          id: "parked-jobs",
          group,
          title: "Parked jobs",
          status: "red",
          evidence: `${plural(parked.length, "job")} failed too often and ${parked.length === 1 ? "is" : "are"} parked; the last: ${parked[0]!.kind}, “${parked[0]!.lastError}”.`,
          ...(latestParked ? { lastSeen: latestParked } : {}),
          fix: "Fix the cause the error names (often a line above), then retry each one.",
          jobs: parked,
        }
      : { id: "parked-jobs", group, title: "Parked jobs", status: "green", evidence: "No parked job: every hand-off and webhook was carried out or is on its way." },
    wait === undefined
      ? { id: "queue-age", group, title: "Queue", status: "green", evidence: "No job is waiting." }
      : wait < QUEUE_AMBER_MS
        ? { id: "queue-age", group, title: "Queue", status: "green", evidence: `The oldest waiting job has waited ${minutes(wait)}.` }
        : { id: "queue-age", group, title: "Queue", status: wait < QUEUE_RED_MS ? "amber" : "red", evidence: `The oldest waiting job has waited ${minutes(wait)}.`, fix: "Jobs are not being carried out: check that an instance of the app is running and can reach its database." },
  ];
}

export function setupLines(input: SetupInput): SetupLine[] {
  // A workspace's own fact wins over the app-wide one of the same name.
  const facts = new Map<string, EvidenceFact>();
  for (const fact of [...input.facts].sort((a, b) => (a.workspaceId === "" ? -1 : 0) - (b.workspaceId === "" ? -1 : 0))) facts.set(fact.fact, fact);
  return [
    callLine(facts, "messenger", "Messenger cards", ["messenger_initialize", "messenger_submit"], { status: "amber", fix: "Add the app to your Messenger (Messenger settings → Home → Add apps) and open it once." }),
    callLine(facts, "inbox", "Inbox app", ["inbox_initialize"], { status: "amber", fix: "Add the app to the Inbox's conversation details (Inbox → a conversation → the apps panel → Add)." }),
    callLine(facts, "configure", "Configure", ["messenger_configure"], { status: "grey", fix: "Shown once an admin adds the app to the Messenger home and configures it." }),
    signatureLine(input.facts),
    ...webhookLines(facts, input.facts, input),
    ...capabilityLines(facts),
    ...helpCenterLines(facts),
    ...(input.model ? modelLines(facts, input.model) : []),
    ...jobLines(input.jobs),
  ];
}

/** True while anything needs an admin: the Setup page is then the console's first. */
export const needsAttention = (lines: SetupLine[]) => lines.some((line) => line.status === "red" || line.status === "amber");
