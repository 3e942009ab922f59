// Which articles are helping right now, per workspace: each citation counts, a "That helped"
// counts double, and both fade with a one-day half-life so the list follows what customers ask
// about today. Kept in memory; the metrics issue records the same events durably.
const HALF_LIFE_MS = 24 * 60 * 60 * 1000;

interface Entry {
  title: string;
  url: string | undefined;
  score: number;
  at: number;
}

export class ArticleStats {
  private readonly workspaces = new Map<string, Map<string, Entry>>();

  constructor(private readonly now: () => number = Date.now) {}

  private bump(workspaceId: string, article: { articleId: string; title: string; url: string | undefined }, weight: number) {
    let articles = this.workspaces.get(workspaceId);
    if (!articles) this.workspaces.set(workspaceId, (articles = new Map()));
    const now = this.now();
    const entry = articles.get(article.articleId);
    const faded = entry ? entry.score * 0.5 ** ((now - entry.at) / HALF_LIFE_MS) : 0;
    articles.set(article.articleId, { title: article.title, url: article.url, score: faded + weight, at: now });
  }

  cited(workspaceId: string, articles: Array<{ articleId: string; title: string; url: string | undefined }>) {
    for (const article of articles) this.bump(workspaceId, article, 1);
  }

  helped(workspaceId: string, article: { articleId: string; title: string; url: string | undefined }) {
    this.bump(workspaceId, article, 2);
  }

  top(workspaceId: string, count = 3): Array<{ articleId: string; title: string; url: string | undefined }> {
    const now = this.now();
    return [...(this.workspaces.get(workspaceId) ?? new Map<string, Entry>())]
      .map(([articleId, entry]) => ({ articleId, title: entry.title, url: entry.url, score: entry.score * 0.5 ** ((now - entry.at) / HALF_LIFE_MS) }))
      .sort((a, b) => b.score - a.score)
      .slice(0, count)
      .map(({ articleId, title, url }) => ({ articleId, title, url }));
  }
}
