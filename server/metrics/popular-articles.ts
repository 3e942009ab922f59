// Which articles are helping right now, read from the shared event log: every app instance shows
// the same list, and it survives a restart. Each citation in an answer counts 1 and each "That
// helped" 2, both fading with a one-day half-life. The live canvas asks for it each time the
// Messenger home opens, so each instance keeps the list for a minute.
import type { Database } from "../storage/database.ts";
import type { PopularArticles, PopularArticle } from "../assistant/article-stats.ts";

const HALF_LIFE_SECONDS = 24 * 60 * 60;
/** Older events weigh under 1% of a fresh one. */
const WINDOW_DAYS = 7;

const TOP_ARTICLES_SQL = `
WITH weighted AS (
  SELECT article->>'id' AS id, article->>'title' AS title, article->>'url' AS url, e.at, 1 AS weight
  FROM events e CROSS JOIN LATERAL jsonb_array_elements(e.data->'articles') AS article
  WHERE e.workspace_id = $1 AND e.at > $2 AND e.at <= $3 AND e.kind = 'bot_answer' AND jsonb_typeof(e.data->'articles') = 'array'
  UNION ALL
  SELECT article #>> '{}' AS id, NULL, NULL, e.at, 2
  FROM events e CROSS JOIN LATERAL jsonb_array_elements(e.data->'articles') AS article
  WHERE e.workspace_id = $1 AND e.at > $2 AND e.at <= $3 AND e.kind = 'feedback' AND e.data->>'helpful' = 'true' AND jsonb_typeof(e.data->'articles') = 'array'
)
SELECT id, max(title) AS title, max(url) AS url, sum(weight * power(0.5, extract(epoch FROM ($3::timestamptz - at)) / ${HALF_LIFE_SECONDS})) AS score
FROM weighted
GROUP BY id
HAVING max(title) IS NOT NULL
ORDER BY score DESC, id
LIMIT $4`;

export class EventPopularArticles implements PopularArticles {
  private readonly cache = new Map<string, { at: number; articles: Promise<PopularArticle[]> }>();

  constructor(
    private readonly db: Database,
    private readonly options: { ttlMs: number; now: () => number } = { ttlMs: 60_000, now: Date.now },
  ) {}

  /** The event log already holds every citation and every "That helped". */
  cited(): void {}
  helped(): void {}

  top(workspaceId: string, count = 3): Promise<PopularArticle[]> {
    const now = this.options.now();
    const cached = this.cache.get(workspaceId);
    if (cached && now - cached.at < this.options.ttlMs) return cached.articles.then((articles) => articles.slice(0, count));
    const articles = this.db
      .query<{ id: string; title: string; url: string | null }>(TOP_ARTICLES_SQL, [workspaceId, new Date(now - WINDOW_DAYS * 86_400_000), new Date(now), 10])
      .then((rows) => rows.map((row) => ({ articleId: row.id, title: row.title, url: row.url ?? undefined })));
    this.cache.set(workspaceId, { at: now, articles });
    articles.catch(() => this.cache.delete(workspaceId));
    return articles.then((list) => list.slice(0, count));
  }
}
