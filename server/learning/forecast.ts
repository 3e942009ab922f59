// The forecast: what the assistant would have done with each past conversation's first message
// (a dry run of the same decision a card makes: nothing is written to Intercom, no event counted),
// before and after what the reading taught, beside what the team did. "After" leaves out what the
// conversation taught itself: it forecasts a new customer asking the same, not the question
// replayed. It measures agreement with
// the article a teammate linked, not customer satisfaction; a teammate's reply without a link is a
// content gap.
import { respond, type AssistantDeps, type Decision } from "../assistant/assistant.ts";
import { newAnswerStats } from "../assistant/answerer.ts";
import { customerProfile } from "../assistant/context.ts";
import { articleKeyOfPassage, type KnowledgeBase } from "../knowledge/knowledge-base.ts";
import { toCsv } from "../metrics/csv.ts";
import type { Database } from "../storage/database.ts";

/** What the assistant would have done, as the forecast keeps it. */
export interface DryDecision {
  action: "answer" | "choice" | "handover" | "other";
  /** The article it answered from, or the articles it offered. */
  articles: string[];
  confidence: number | null;
  /** The card's words: the answer, or what it offered. */
  card: string;
}

export type TeamOutcome = "linked" | "unlinked" | "none";

/** The forecast's outcomes, each a row of its table. */
export const OUTCOMES = {
  answered_agreeing: "Answered directly, with the article the team linked",
  answered_other: "Answered directly, with another article",
  choice_with: "Offered a choice including the team's article",
  choice_without: "Offered a choice without the team's article",
  handed_over: "Handed over to a person",
  gap_answered: "Answered, where the team replied without an article",
  gap: "Not answered, where the team replied without an article (a content gap)",
  unanswered_by_team: "No teammate reply to compare with",
} as const;
export type Outcome = keyof typeof OUTCOMES;

export function outcomeOf(decision: DryDecision, team: TeamOutcome, teamArticles: string[]): Outcome {
  if (team === "none") return "unanswered_by_team";
  if (team === "unlinked") return decision.action === "answer" ? "gap_answered" : "gap";
  if (decision.action === "answer") return teamArticles.includes(decision.articles[0] ?? "") ? "answered_agreeing" : "answered_other";
  if (decision.action === "choice") return decision.articles.some((article) => teamArticles.includes(article)) ? "choice_with" : "choice_without";
  return "handed_over";
}

const keyOf = (source: { passageId: string; articleId: string }) => articleKeyOfPassage(source.passageId) ?? source.articleId;

export function dryDecision(decision: Decision): DryDecision {
  switch (decision.action) {
    case "answer":
      return { action: "answer", articles: decision.sources.slice(0, 1).map(keyOf), confidence: decision.confidence, card: decision.text };
    case "offer_choice":
    case "clarify":
      return { action: "choice", articles: decision.options.map(keyOf), confidence: "confidence" in decision ? (decision.confidence as number) : null, card: decision.options.map((option) => option.title).join(" · ") };
    case "escalate":
      return { action: "handover", articles: [], confidence: decision.confidence, card: `Hand over: ${decision.reason.replace(/_/g, " ")}` };
    default:
      return { action: "other", articles: [], confidence: null, card: "" };
  }
}

/**
 * The knowledge base without some learned questions (their records, `learnedChunkId`): as it was
 * before a reading taught them, or without what one conversation taught itself. The search is the
 * same one, those records left out.
 */
export function withoutLearned(knowledge: KnowledgeBase, records: ReadonlySet<string>): KnowledgeBase {
  const left = [...records];
  return {
    embedderId: knowledge.embedderId,
    search: (workspaceId, query, options = {}) => knowledge.search(workspaceId, query, { ...options, excludeChunkIds: [...(options.excludeChunkIds ?? []), ...left] }),
    searchMany: (workspaceId, queries, options = {}) => knowledge.searchMany(workspaceId, queries.map((query) => ({ ...query, excludeChunkIds: [...(query.excludeChunkIds ?? []), ...left] })), options),
    learnedQuestions: (workspaceId) => knowledge.learnedQuestions(workspaceId),
    unknownTerms: (workspaceId, text) => knowledge.unknownTerms(workspaceId, text),
    articles: (workspaceId) => knowledge.articles(workspaceId),
    helpCenterVersion: (workspaceId) => knowledge.helpCenterVersion(workspaceId),
    collections: (workspaceId) => knowledge.collections(workspaceId),
    load: (workspaceId) => knowledge.load(workspaceId),
    sync: (workspaceId) => knowledge.sync(workspaceId),
    article: (workspaceId, articleKey) => knowledge.article(workspaceId, articleKey),
    readiness: () => knowledge.readiness(),
  };
}

/** The assistant's decision on a first message, with nothing recorded: its counters are its own. */
export async function dryRun(assistant: AssistantDeps, workspaceId: string, question: string, knowledge?: KnowledgeBase): Promise<DryDecision> {
  const decision = await respond(
    { workspaceId, message: question, history: [], previousSentiments: [], turnNumber: 1, customer: customerProfile(undefined) },
    { ...assistant, ...(knowledge ? { knowledge } : {}), stats: newAnswerStats() },
  );
  return dryDecision(decision);
}

/** Questions and replies kept per row, for the console's examples. */
const KEPT_CHARS = 500;

export interface ForecastRow {
  conversationId: string;
  question: string;
  team: TeamOutcome;
  teamArticles: string[];
  teamReply: string | null;
  before: DryDecision;
  after: DryDecision | null;
}

export async function saveForecast(db: Database, workspaceId: string, runId: string, row: Omit<ForecastRow, "after">): Promise<void> {
  await db.query(
    `INSERT INTO history_forecast (workspace_id, run_id, conversation_id, question, team, team_articles, team_reply, before) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (workspace_id, run_id, conversation_id) DO UPDATE SET before = excluded.before`,
    [workspaceId, runId, row.conversationId, row.question.slice(0, KEPT_CHARS), row.team, row.teamArticles, row.teamReply?.slice(0, KEPT_CHARS) ?? null, JSON.stringify(row.before)],
  );
}

export async function saveAfter(db: Database, workspaceId: string, runId: string, conversationId: string, after: DryDecision): Promise<void> {
  await db.query("UPDATE history_forecast SET after = $4 WHERE workspace_id = $1 AND run_id = $2 AND conversation_id = $3", [workspaceId, runId, conversationId, JSON.stringify(after)]);
}

/** A run's rows still waiting for their "after" decision. */
export async function rowsWithoutAfter(db: Database, workspaceId: string, runId: string, limit: number): Promise<Array<{ conversationId: string; question: string }>> {
  const rows = await db.query<{ conversation_id: string; question: string }>("SELECT conversation_id, question FROM history_forecast WHERE workspace_id = $1 AND run_id = $2 AND after IS NULL ORDER BY conversation_id LIMIT $3", [workspaceId, runId, limit]);
  return rows.map((row) => ({ conversationId: row.conversation_id, question: row.question }));
}

/** The workspace's latest forecast (its latest run's rows). */
export async function latestForecast(db: Database, workspaceId: string): Promise<ForecastRow[]> {
  const rows = await db.query<{ conversation_id: string; question: string; team: TeamOutcome; team_articles: string[]; team_reply: string | null; before: DryDecision; after: DryDecision | null }>(
    `SELECT conversation_id, question, team, team_articles, team_reply, before, after FROM history_forecast
     WHERE workspace_id = $1 AND run_id = (SELECT max(run_id) FROM history_forecast WHERE workspace_id = $1) ORDER BY read_at, conversation_id`,
    [workspaceId],
  );
  return rows.map((row) => ({ conversationId: row.conversation_id, question: row.question, team: row.team, teamArticles: row.team_articles ?? [], teamReply: row.team_reply, before: row.before, after: row.after }));
}

/** Each outcome's count before and after, and (for the console) a few examples of each after. */
export function forecastSummary(rows: ForecastRow[], examplesPerOutcome = 3) {
  const outcomes = Object.keys(OUTCOMES) as Outcome[];
  const counts = Object.fromEntries(outcomes.map((outcome) => [outcome, { before: 0, after: 0, examples: [] as ForecastRow[] }])) as Record<Outcome, { before: number; after: number; examples: ForecastRow[] }>;
  for (const row of rows) {
    counts[outcomeOf(row.before, row.team, row.teamArticles)].before++;
    const after = row.after ?? row.before;
    const outcome = counts[outcomeOf(after, row.team, row.teamArticles)];
    outcome.after++;
    if (outcome.examples.length < examplesPerOutcome) outcome.examples.push(row);
  }
  return { total: rows.length, linked: rows.filter((row) => row.team === "linked").length, counts };
}

/** The forecast row by row, as /report/forecast.csv exports it. */
export function forecastCsv(rows: ForecastRow[]): string {
  return toCsv(
    ["conversation", "question", "team", "team_articles", "team_reply", "before_action", "before_articles", "before_outcome", "after_action", "after_articles", "after_outcome"],
    rows.map((row) => {
      const after = row.after ?? row.before;
      return [row.conversationId, row.question, row.team, row.teamArticles.join(" "), row.teamReply ?? "", row.before.action, row.before.articles.join(" "), outcomeOf(row.before, row.team, row.teamArticles), after.action, after.articles.join(" "), outcomeOf(after, row.team, row.teamArticles)];
    }),
  );
}

