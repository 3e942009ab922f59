// The report computed where the data is: one SQL statement folds the period's events into one row
// per conversation and those into the figures (Postgres and PGlite alike), so a busy workspace's
// month is never loaded into the app. Only the few events the content gaps are made of are read,
// and grouped into topics here. Definitions are report.ts's (and docs/console.md's).
import type { Database } from "../storage/database.ts";
import { contentGaps, gapQuestions, type Report } from "./report.ts";
import type { StoredEvent } from "./events.ts";

/** The questions grouped into content gaps: the period's latest this many. */
export const GAP_QUESTIONS = 5000;

const FIGURES_SQL = `
WITH c AS (
  -- One row per conversation. The events come in conversation order from their index, so the
  -- grouping needs no sort; only the few fields the figures use are read.
  SELECT k,
    min(at) AS first_at,
    min(at) FILTER (WHERE kind = 'customer_message') AS first_customer,
    max(at) FILTER (WHERE kind = 'customer_message') AS last_customer,
    max(at) FILTER (WHERE kind = 'closed') AS last_close,
    array_agg(at) FILTER (WHERE kind IN ('bot_answer', 'admin_reply', 'bot_clarify', 'bot_choice')) AS responses,
    bool_or(kind IN ('bot_answer', 'bot_clarify', 'bot_choice', 'escalation')) AS involved,
    bool_or(cites) AS answered,
    bool_or(kind = 'escalation') AS escalated,
    count(*) FILTER (WHERE kind = 'admin_reply') AS human_messages,
    count(*) FILTER (WHERE helped) AS helpful,
    count(*) FILTER (WHERE kind = 'bot_choice') AS choices_shown,
    count(*) FILTER (WHERE kind = 'choice_picked') AS choices_picked,
    (array_agg(reason ORDER BY at, id) FILTER (WHERE kind = 'escalation'))[1] AS reason,
    (array_agg(rating ORDER BY at DESC, id DESC) FILTER (WHERE kind = 'rating'))[1] AS rating
  FROM (
    SELECT conversation_key AS k, id, kind, at,
      kind = 'bot_answer' AND jsonb_typeof(data->'articles') = 'array' AND jsonb_array_length(data->'articles') > 0 AS cites,
      kind = 'feedback' AND data->'helpful' = 'true'::jsonb AS helped,
      CASE WHEN kind = 'escalation' THEN data->>'reason' END AS reason,
      CASE WHEN kind = 'rating' AND jsonb_typeof(data->'rating') = 'number' THEN (data->>'rating')::numeric END AS rating
    FROM events WHERE workspace_id = $1 AND at >= $2 AND at < $3
  ) e
  GROUP BY k
),
f AS (
  SELECT c.*,
    -- The first answer (assistant or teammate) at or after the first customer message.
    (SELECT min(r) FROM unnest(c.responses) r WHERE c.first_customer IS NULL OR r >= c.first_customer) AS first_response,
    (c.escalated OR c.human_messages > 0) AS handed_over,
    (c.last_close IS NOT NULL AND NOT coalesce(c.last_customer > c.last_close, false)) AS closed,
    c.rating AS stars
  FROM c
),
g AS (
  SELECT f.*,
    (f.helpful > 0 OR (f.closed AND f.human_messages = 0 AND NOT f.escalated)) AS resolved,
    CASE WHEN f.first_customer IS NOT NULL AND f.first_response IS NOT NULL THEN greatest(0, round(extract(epoch FROM f.first_response - f.first_customer))) END AS response_seconds,
    CASE WHEN f.first_customer IS NOT NULL AND f.closed THEN greatest(0, round(extract(epoch FROM f.last_close - f.first_customer))) END AS resolution_seconds
  FROM f
)
SELECT json_build_object(
  'conversations', count(*),
  'involved', count(*) FILTER (WHERE involved),
  'answered', count(*) FILTER (WHERE involved AND answered),
  'deflected', count(*) FILTER (WHERE involved AND NOT handed_over),
  'resolved', count(*) FILTER (WHERE involved AND resolved),
  'choicesShown', coalesce(sum(choices_shown), 0),
  'choicesPicked', coalesce(sum(choices_picked), 0),
  'csatBotOnly', json_build_object('mean', avg(stars) FILTER (WHERE involved AND NOT handed_over), 'count', count(stars) FILTER (WHERE involved AND NOT handed_over)),
  'csatHandedOver', json_build_object('mean', avg(stars) FILTER (WHERE handed_over), 'count', count(stars) FILTER (WHERE handed_over)),
  'responseMedian', percentile_cont(0.5) WITHIN GROUP (ORDER BY response_seconds),
  'resolutionMedian', percentile_cont(0.5) WITHIN GROUP (ORDER BY resolution_seconds),
  'reasons', (SELECT coalesce(json_agg(json_build_object('reason', reason, 'count', n) ORDER BY first_seen), '[]'::json) FROM (SELECT reason, count(*) AS n, min(first_at) AS first_seen FROM g WHERE involved AND escalated GROUP BY reason) r),
  'daily', (SELECT coalesce(json_agg(d ORDER BY d.day), '[]'::json) FROM (
      SELECT to_char(first_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, count(*) AS conversations,
        count(*) FILTER (WHERE involved) AS involved, count(*) FILTER (WHERE involved AND NOT handed_over) AS deflected, count(*) FILTER (WHERE escalated) AS escalated
      FROM g GROUP BY 1) d)
) AS figures
FROM g`;

/**
 * Articles: times cited in an answer, "That helped" clicks naming them, and hand-overs that came
 * after an answer citing them (once per hand-over, for the answers since the one before).
 */
const ARTICLES_SQL = `
WITH e AS (
  SELECT id, conversation_key AS k, kind, at, data FROM events WHERE workspace_id = $1 AND at >= $2 AND at < $3 AND kind IN ('bot_answer', 'feedback', 'escalation')
),
cited AS (
  SELECT e.id, e.k, e.at, a.value->>'id' AS article_id, a.value->>'title' AS title, a.value->>'url' AS url
  FROM e CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(e.data->'articles') = 'array' THEN e.data->'articles' ELSE '[]'::jsonb END) a
  WHERE e.kind = 'bot_answer' AND a.value->>'id' IS NOT NULL
),
esc AS (
  SELECT id, k, at, lag(at) OVER (PARTITION BY k ORDER BY at, id) AS previous_at, lag(id) OVER (PARTITION BY k ORDER BY at, id) AS previous_id FROM e WHERE kind = 'escalation'
),
helped AS (
  SELECT h.value AS article_id, count(*) AS n
  FROM e CROSS JOIN LATERAL jsonb_array_elements_text(CASE WHEN jsonb_typeof(e.data->'articles') = 'array' THEN e.data->'articles' ELSE '[]'::jsonb END) h
  WHERE e.kind = 'feedback' AND e.data->'helpful' = 'true'::jsonb
  GROUP BY 1
),
after AS (
  SELECT x.article_id, count(DISTINCT x.esc_id) AS n
  FROM (
    SELECT cited.article_id, esc.id AS esc_id FROM cited JOIN esc ON esc.k = cited.k
     AND (cited.at, cited.id) < (esc.at, esc.id)
     AND (esc.previous_at IS NULL OR (cited.at, cited.id) > (esc.previous_at, esc.previous_id))
  ) x GROUP BY 1
),
counted AS (
  SELECT article_id, count(*) AS cited, max(title) AS title, max(url) AS url FROM cited GROUP BY article_id
)
SELECT c.article_id, c.title, c.url, c.cited, coalesce(h.n, 0) AS helped, coalesce(a.n, 0) AS handed_over_after
FROM counted c LEFT JOIN helped h USING (article_id) LEFT JOIN after a USING (article_id)
ORDER BY c.cited DESC, c.article_id`;

/** The events content gaps are made of: questions not answered, and teammates' replies without an article. */
const GAP_EVENTS_SQL = `
SELECT conversation_key, kind, at, data FROM (
  SELECT id, conversation_key, kind, at, data FROM events
  WHERE workspace_id = $1 AND at >= $2 AND at < $3
    AND (kind IN ('escalation', 'bot_choice') OR (kind = 'bot_suggestion' AND data->>'action' IN ('escalate', 'offer_choice')) OR (kind = 'admin_reply' AND data ? 'reply'))
  ORDER BY at DESC, id DESC LIMIT $4
) latest ORDER BY at, id`;

interface Figures {
  conversations: number;
  involved: number;
  answered: number;
  deflected: number;
  resolved: number;
  reasons: Array<{ reason: string | null; count: number }>;
  choicesShown: number;
  choicesPicked: number;
  csatBotOnly: { mean: number | string | null; count: number };
  csatHandedOver: { mean: number | string | null; count: number };
  responseMedian: number | null;
  resolutionMedian: number | null;
  daily: Report["daily"];
}

const share = (part: number, whole: number) => (whole ? part / whole : 0);
const numberOrNull = (value: number | string | null) => (value === null ? null : Number(value));

export async function reportOf(db: Database, workspaceId: string, period: { from: Date; to: Date }): Promise<Report> {
  const params = [workspaceId, period.from, period.to];
  const [[row], articles, gapEvents] = await Promise.all([
    db.query<{ figures: Figures | string }>(FIGURES_SQL, params),
    db.query<{ article_id: string; title: string | null; url: string | null; cited: string | number; helped: string | number; handed_over_after: string | number }>(ARTICLES_SQL, params),
    db.query<StoredEvent>(GAP_EVENTS_SQL, [...params, GAP_QUESTIONS * 2]),
  ]);
  const figures = (typeof row!.figures === "string" ? JSON.parse(row!.figures) : row!.figures) as Figures;
  const involved = Number(figures.involved);
  return {
    from: period.from.toISOString(),
    to: period.to.toISOString(),
    conversations: Number(figures.conversations),
    involved,
    rates: {
      involvement: share(involved, Number(figures.conversations)),
      answer: share(Number(figures.answered), involved),
      deflection: share(Number(figures.deflected), involved),
      resolution: share(Number(figures.resolved), involved),
    },
    choices: { shown: Number(figures.choicesShown), picked: Number(figures.choicesPicked), pickRate: share(Number(figures.choicesPicked), Number(figures.choicesShown)) },
    escalationsByReason: Object.fromEntries(figures.reasons.map(({ reason, count }) => [String(reason), { count: Number(count), rate: share(Number(count), involved) }])),
    csat: {
      botOnly: numberOrNull(figures.csatBotOnly.mean),
      handedOver: numberOrNull(figures.csatHandedOver.mean),
      botOnlyCount: Number(figures.csatBotOnly.count),
      handedOverCount: Number(figures.csatHandedOver.count),
    },
    medians: { firstResponseSeconds: numberOrNull(figures.responseMedian), resolutionSeconds: numberOrNull(figures.resolutionMedian) },
    daily: figures.daily.map((day) => ({ day: day.day, conversations: Number(day.conversations), involved: Number(day.involved), deflected: Number(day.deflected), escalated: Number(day.escalated) })),
    contentGaps: contentGaps(gapQuestions(gapEvents.map((event) => ({ ...event, at: new Date(event.at) }))).slice(-GAP_QUESTIONS)),
    articles: articles.map((article) => ({
      articleId: article.article_id,
      title: article.title ?? article.article_id,
      ...(article.url ? { url: article.url } : {}),
      cited: Number(article.cited),
      helped: Number(article.helped),
      handedOverAfter: Number(article.handed_over_after),
    })),
  };
}
