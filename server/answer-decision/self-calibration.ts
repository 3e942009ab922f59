// Self-calibration: fits a workspace's answer-decision model on its own Help Center, with no
// labelled questions. Each sampled article's generated questions are searched twice: as they are
// (the article is the right answer) and with the article left out (leave-one-article-out: the
// question is now "not answerable here", and whatever comes back is wrong), so the negatives come
// from the workspace's own domain and its own embedder.
import { readFileSync } from "node:fs";
import type { KnowledgeBase } from "../knowledge/knowledge-base.ts";
import { SUPPORT_THESAURUS } from "../knowledge/thesaurus.ts";
import { fitModel, type QuestionSample } from "./fit.ts";
import type { CalibrationModel } from "./model.ts";
import { questionsFor, seededRandom } from "./questions.ts";

const ELSEWHERE_QUESTIONS = readFileSync(new URL("./elsewhere-questions.txt", import.meta.url), "utf8")
  .split("\n")
  .map((line) => line.trim())
  .filter((line) => line && !line.startsWith("#"));

/** Fewer articles than this cannot teach a model; the shipped prior serves instead. */
export const MIN_ARTICLES = 8;
/** Articles sampled from a large Help Center: enough for the handful of weights, bounded in time. */
const MAX_ARTICLES = 200;
const QUESTIONS_PER_ARTICLE = 12;
/** Searches sent to the knowledge base per batch (their vectors are embedded together). */
const BATCH = 64;

export async function selfCalibrate(knowledge: KnowledgeBase, workspaceId: string, options: { synonyms?: string[][] } = {}): Promise<CalibrationModel | undefined> {
  const [articles, version] = await Promise.all([knowledge.articles(workspaceId), knowledge.helpCenterVersion(workspaceId)]);
  const distinct = new Set(articles.map((article) => article.articleId));
  if (distinct.size < MIN_ARTICLES) return undefined;
  const random = seededRandom(version.digest);
  const sampled = articles.length > MAX_ARTICLES ? [...articles].sort(() => random() - 0.5).slice(0, MAX_ARTICLES) : articles;
  const thesaurus = [...SUPPORT_THESAURUS, ...(options.synonyms ?? [])];
  // Translations of the same article are the same answer: all of them are left out together.
  const keysOf = new Map<string, string[]>();
  for (const article of articles) keysOf.set(article.articleId, [...(keysOf.get(article.articleId) ?? []), article.articleKey]);

  const searches: Array<{ query: string; kind: QuestionSample["kind"]; articleId?: string; articleKey: string; excludeArticleKeys?: string[] }> = [
    ...sampled.flatMap((article) =>
      questionsFor(article, thesaurus, QUESTIONS_PER_ARTICLE).flatMap((query) => [
        { query, kind: "answerable" as const, articleId: article.articleId, articleKey: article.articleKey },
        { query, kind: "left_out" as const, articleId: article.articleId, articleKey: article.articleKey, excludeArticleKeys: keysOf.get(article.articleId) },
      ]),
    ),
    ...ELSEWHERE_QUESTIONS.map((query) => ({ query, kind: "elsewhere" as const, articleKey: "" })),
  ];
  const samples: QuestionSample[] = [];
  for (let start = 0; start < searches.length; start += BATCH) {
    const batch = searches.slice(start, start + BATCH);
    const results = await knowledge.searchMany(workspaceId, batch, { synonyms: options.synonyms, topK: 5 });
    batch.forEach((search, i) => {
      samples.push({
        articleKey: search.articleKey,
        kind: search.kind,
        results: results[i]!.map((passage) => ({ features: passage.features, correct: passage.articleId === search.articleId })),
      });
    });
  }
  return fitModel(samples, { embedderId: knowledge.embedderId, helpCenterVersion: version.digest, articles: distinct.size });
}
