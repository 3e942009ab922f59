// From a Help Center snapshot to the documents we index: one per published article and locale,
// with the collection it sits in and the path of collections above it.
import { createHash } from "node:crypto";
import { IntercomArticleContent, type HelpCenterSnapshot, type IntercomArticle, type IntercomCollection } from "./help-center.ts";

export type SourceKind = "intercom" | "demo";

export interface HelpCenterDocument {
  key: string;
  articleId: string;
  locale: string;
  title: string;
  description: string;
  body: string;
  url: string;
  authorId: string;
  createdAt: number;
  updatedAt: number;
  collectionId: string;
  collectionName: string;
  parentPath: string;
  contentHash: string;
}

/** Bump when chunking or text extraction changes, so a sync re-indexes every article once. */
const INDEX_FORMAT = "3";

function collectionPaths(collections: IntercomCollection[]): Map<string, string[]> {
  const byId = new Map(collections.map((collection) => [collection.id, collection]));
  const paths = new Map<string, string[]>();
  for (const collection of collections) {
    const path: string[] = [];
    const seen = new Set<string>();
    for (let current: IntercomCollection | undefined = collection; current && !seen.has(current.id); current = current.parent_id ? byId.get(current.parent_id) : undefined) {
      seen.add(current.id);
      path.unshift(current.name);
    }
    paths.set(collection.id, path);
  }
  return paths;
}

function hashOf(document: Omit<HelpCenterDocument, "contentHash" | "createdAt" | "updatedAt">): string {
  return createHash("sha256").update(INDEX_FORMAT).update(JSON.stringify(document)).digest("hex").slice(0, 32);
}

function translations(article: IntercomArticle): Array<[string, IntercomArticleContent]> {
  const out: Array<[string, IntercomArticleContent]> = [];
  for (const [locale, raw] of Object.entries(article.translated_content ?? {})) {
    const content = IntercomArticleContent.safeParse(raw);
    if (locale !== "type" && content.success && locale !== (article.default_locale ?? "en")) out.push([locale, content.data]);
  }
  return out;
}

export function documentsOf(snapshot: HelpCenterSnapshot): { documents: HelpCenterDocument[]; drafts: number } {
  const paths = collectionPaths(snapshot.collections);
  const documents: HelpCenterDocument[] = [];
  let drafts = 0;
  for (const article of snapshot.articles) {
    const collectionId = article.parent_id ?? "";
    const path = paths.get(collectionId) ?? [];
    const versions: Array<[string, IntercomArticleContent, boolean]> = [
      [article.default_locale ?? "en", article, true],
      ...translations(article).map(([locale, content]): [string, IntercomArticleContent, boolean] => [locale, content, false]),
    ];
    for (const [locale, content, isDefault] of versions) {
      if (content.state !== "published" || !content.title) {
        drafts++;
        continue;
      }
      const base = {
        key: isDefault ? article.id : `${article.id}@${locale}`,
        articleId: article.id,
        locale,
        title: content.title,
        description: content.description ?? "",
        body: content.body ?? "",
        url: content.url ?? article.url ?? "",
        authorId: String(content.author_id ?? article.author_id ?? ""),
        collectionId,
        collectionName: path[path.length - 1] ?? "",
        parentPath: path.join(" > "),
      };
      documents.push({ ...base, createdAt: content.created_at ?? article.created_at, updatedAt: content.updated_at ?? article.updated_at, contentHash: hashOf(base) });
    }
  }
  return { documents, drafts };
}
