// Which articles are helping right now, per workspace: each citation counts, a "That helped"
// counts double, and both fade with a one-day half-life so the list follows what customers ask
// about today. This one keeps them in memory, for an app with no database; with one, the list is
// read from the shared event log (metrics/popular-articles.ts).
const HALF_LIFE_MS = 24 * 60 * 60 * 1000;

export interface PopularArticle {
  articleId: string;
  title: string;
  url: string | undefined;
}

/** The articles helping customers of a workspace right now, most helpful first. */
export interface PopularArticles {
  cited(workspaceId: string, articles: PopularArticle[]): void;
  helped(workspaceId: string, article: PopularArticle): void;
  top(workspaceId: string, count?: number): Promise<PopularArticle[]>;
}

interface Entry {
  title: string;
  url: string | undefined;
  score: number;
  at: number;
}

export class ArticleStats implements PopularArticles {
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

  cited(workspaceId: string, articles: PopularArticle[]) {
    for (const article of articles) this.bump(workspaceId, article, 1);
  }

  helped(workspaceId: string, article: PopularArticle) {
    this.bump(workspaceId, article, 2);
  }

  async top(workspaceId: string, count = 3): Promise<PopularArticle[]> {
    const now = this.now();
    return [...(this.workspaces.get(workspaceId) ?? new Map<string, Entry>())]
      .map(([articleId, entry]) => ({ articleId, title: entry.title, url: entry.url, score: entry.score * 0.5 ** ((now - entry.at) / HALF_LIFE_MS) }))
      .sort((a, b) => b.score - a.score)
      .slice(0, count)
      .map(({ articleId, title, url }) => ({ articleId, title, url }));
  }
}
