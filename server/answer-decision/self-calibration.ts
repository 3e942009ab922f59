// Self-calibration: fits a workspace's answer-decision model on its own Help Center, with no
// labelled questions. Each sampled article's generated questions are searched twice: as they are
// (the article is the right answer) and with the article left out (leave-one-article-out: the
// question is now "not answerable here", and whatever comes back is wrong), so the negatives come
// from the workspace's own domain and its own embedder. A translation's questions are asked in its
// language, and once more with that translation left out (the question now reaches the article in
// another language), so questions across languages are calibrated too. The workspace's learned
// questions (real customers' questions the team or customers answered with an article) are asked
// the same two ways, each with its own record left out so it does not find itself: the fit learns
// from them what a match with a learned question is worth.
import { existsSync, readFileSync } from "node:fs";
import { groupBy } from "../group-by.ts";
import type { KnowledgeBase } from "../knowledge/knowledge-base.ts";
import { ANALYZED_LANGUAGES, analysisLanguageOf, wordingOverlap, type AnalyzedLanguage } from "../knowledge/text-analysis.ts";
import { SUPPORT_THESAURUS } from "../knowledge/thesaurus.ts";
import { fitModel, type QuestionSample } from "./fit.ts";
import type { CalibrationModel } from "./model.ts";
import { questionsFor, seededRandom } from "./questions.ts";

/** Questions about other kinds of business, per language (elsewhere/<language>.txt). */
export const ELSEWHERE_QUESTIONS = new Map<AnalyzedLanguage, string[]>(
  ANALYZED_LANGUAGES.flatMap((language) => {
    const file = new URL(`./elsewhere/${language}.txt`, import.meta.url);
    if (!existsSync(file)) return [];
    const lines = readFileSync(file, "utf8")
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith("#"));
    return [[language, lines] as const];
  }),
);

/** Fewer articles than this cannot teach a model; the shipped prior serves instead. */
export const MIN_ARTICLES = 8;
/** Articles sampled from a large Help Center: enough for the handful of weights, bounded in time. */
const MAX_ARTICLES = 200;
const QUESTIONS_PER_ARTICLE = 12;
/** Learned questions asked in one fit, sampled when there are more: bounded in time like the articles. */
const MAX_LEARNED = 400;
/** Searches sent to the knowledge base per batch (their vectors are embedded together). */
const BATCH = 64;
/**
 * A learned question is asked without itself, without the model's rewordings of it and without the
 * article's questions this close to its words, so what a match with a learned question is worth is measured on wordings it was not
 * taught with, as a new customer's would be.
 */
const NEAR_COPY = 0.5;

export async function selfCalibrate(knowledge: KnowledgeBase, workspaceId: string, options: { synonyms?: string[][] } = {}): Promise<CalibrationModel | undefined> {
  const [articles, version, learned] = await Promise.all([knowledge.articles(workspaceId), knowledge.helpCenterVersion(workspaceId), knowledge.learnedQuestions(workspaceId)]);
  const distinct = new Set(articles.map((article) => article.articleId));
  if (distinct.size < MIN_ARTICLES) return undefined;
  const random = seededRandom(version.digest);
  const sampled = articles.length > MAX_ARTICLES ? [...articles].sort(() => random() - 0.5).slice(0, MAX_ARTICLES) : articles;
  const thesaurus = [...SUPPORT_THESAURUS, ...(options.synonyms ?? [])];
  // Translations of the same article are the same answer: all of them are left out together.
  const keysOf = new Map([...groupBy(articles, (article) => article.articleId)].map(([id, versions]) => [id, versions.map((article) => article.articleKey)]));

  type Search = { query: string; kind: QuestionSample["kind"]; articleId?: string; articleKey: string; excludeArticleKeys?: string[]; excludeChunkIds?: string[]; locale: string; learned?: boolean };
  const searches: Search[] = sampled.flatMap((article) => {
    const versions = keysOf.get(article.articleId)!;
    return questionsFor(article, thesaurus, QUESTIONS_PER_ARTICLE).flatMap((query): Search[] => [
      { query, kind: "answerable", articleId: article.articleId, articleKey: article.articleKey, locale: article.locale },
      { query, kind: "left_out", articleId: article.articleId, articleKey: article.articleKey, excludeArticleKeys: versions, locale: article.locale },
      // A translation left out alone: the same question, answered by the article in another language.
      ...(versions.length > 1 && article.articleKey !== article.articleId
        ? [{ query, kind: "answerable" as const, articleId: article.articleId, articleKey: article.articleKey, excludeArticleKeys: [article.articleKey], locale: article.locale }]
        : []),
    ]);
  });
  // What a model reworded is indexed but never asked here: the fit measures on what people taught.
  const taught = learned.filter((question) => question.paraphraseOf === undefined);
  const asked = taught.length > MAX_LEARNED ? [...taught].sort(() => random() - 0.5).slice(0, MAX_LEARNED) : taught;
  const learnedOf = groupBy(learned, (question) => question.articleKey);
  for (const question of asked) {
    const about = { query: question.question, articleId: question.articleId, articleKey: question.articleKey, locale: question.locale, learned: true };
    const nearCopies = (learnedOf.get(question.articleKey) ?? []).filter((other) => other === question || other.paraphraseOf === question.question || wordingOverlap(other.question, question.question) >= NEAR_COPY);
    searches.push({ ...about, kind: "answerable", excludeChunkIds: nearCopies.map((other) => other.recordId) }, { ...about, kind: "left_out", excludeArticleKeys: keysOf.get(question.articleId) ?? [question.articleKey] });
  }
  // Questions about other businesses in English and in each language the Help Center is written in.
  const languages = new Set<AnalyzedLanguage>(["en", ...articles.map((article) => analysisLanguageOf(article.locale))]);
  for (const language of languages) for (const query of ELSEWHERE_QUESTIONS.get(language) ?? []) searches.push({ query, kind: "elsewhere", articleKey: "", locale: language });

  // Each language's questions are searched as the customer's language, a batch at a time; two
  // batches are in flight, so one is searched while Chroma answers the other. The samples keep the
  // batches' order.
  const batches = [...groupBy(searches, (search) => search.locale)].flatMap(([locale, group]) =>
    Array.from({ length: Math.ceil(group.length / BATCH) }, (_, k) => ({ locale, batch: group.slice(k * BATCH, (k + 1) * BATCH) })),
  );
  const found: QuestionSample[][] = new Array(batches.length);
  let next = 0;
  const searcher = async () => {
    for (let k = next++; k < batches.length; k = next++) {
      const { locale, batch } = batches[k]!;
      const results = await knowledge.searchMany(workspaceId, batch, { synonyms: options.synonyms, topK: 5, locale });
      found[k] = batch.map((search, i) => ({
        articleKey: search.articleKey,
        kind: search.kind,
        language: analysisLanguageOf(search.locale),
        ...(search.learned ? { learned: true } : {}),
        results: results[i]!.map((passage) => ({ features: passage.features, correct: passage.articleId === search.articleId })),
      }));
    }
  };
  await Promise.all([searcher(), searcher()]);
  const samples = found.flat();
  return fitModel(samples, { embedderId: knowledge.embedderId, helpCenterVersion: version.digest, articles: distinct.size, learned: learned.length });
}
