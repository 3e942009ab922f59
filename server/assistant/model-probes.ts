// The probes the configured model is measured on (server/answer-decision/model-trust.ts): questions
// the self-calibration generates from the workspace's own articles, searched as a card searches
// them, and put to the model in the card's very call with the card's time budget: with their
// article among the passages, with it left out (the rest of the top passages kept), and questions
// about other businesses. Bounded concurrency inside an overall budget; a late, failed or
// unreadable reply is a failure, never a pass.
import { bandOf, MAX_OPTIONS } from "../answer-decision/bands.ts";
import type { ProbeRun } from "../answer-decision/model-trusts.ts";
import type { ProbeOutcome } from "../answer-decision/model-trust.ts";
import { domainScorerOf, scorerOf, thresholdsFor } from "../answer-decision/model.ts";
import { questionsFor, seededRandom } from "../answer-decision/questions.ts";
import { ELSEWHERE_QUESTIONS } from "../answer-decision/self-calibration.ts";
import { groupBy } from "../group-by.ts";
import { languageName, languageOfLocale } from "../i18n/catalog.ts";
import type { KnowledgeBase, Passage } from "../knowledge/knowledge-base.ts";
import { analysisLanguageOf, terms } from "../knowledge/text-analysis.ts";
import { SUPPORT_THESAURUS } from "../knowledge/thesaurus.ts";
import { judgeAndAnswer } from "./answerer.ts";
import { answerSupport } from "./answer-support.ts";
import type { DecisionModels } from "./assistant.ts";
import type { ChatModel } from "./chat-model.ts";
import type { PolicySource } from "./policy.ts";

export interface ProbeLimits {
  /** Probes per measurement (split about half answerable, a third left out, a fifth other businesses). */
  probes: number;
  /** Model calls in flight at once. */
  concurrency: number;
  /** The whole measurement's budget; probes not answered by then are failures. */
  budgetMs: number;
}

export const DEFAULT_PROBE_LIMITS: ProbeLimits = { probes: 100, concurrency: 6, budgetMs: 120_000 };

/** Answers sized for a card: the probes ask what the card asks (server/assistant/assistant.ts CARD_ANSWER_WORDS). */
const PROBE_ANSWER_WORDS = 80;
/**
 * Generated questions tried per article, and articles tried, from which the probes are drawn: enough
 * for a small Help Center (the FAQ's 60 short articles) to fill the unsure band's share, bounded
 * for a large one (searches are cheap beside the model's calls).
 */
const QUESTIONS_PER_ARTICLE = 6;
const MAX_ARTICLES = 200;
const BATCH = 64;

interface Probe {
  kind: ProbeOutcome["kind"];
  question: string;
  locale: string;
  /** The article the question came from (none for other businesses). */
  articleId?: string;
  offered: Passage[];
  unsure: boolean;
}

/** Counts the model's calls, the measurement's cost. */
function counted(model: ChatModel): { model: ChatModel; calls: () => number } {
  let calls = 0;
  return {
    model: { id: model.id, name: model.name, complete: (messages, options) => (calls++, model.complete(messages, options)) },
    calls: () => calls,
  };
}

/** The probes, drawn from generated questions searched as a card searches them; those in the unsure band first. */
async function buildProbes(workspaceId: string, deps: { knowledge: KnowledgeBase; calibrations: DecisionModels; settings: PolicySource }, total: number): Promise<{ probes: Probe[]; helpCenterVersion: string; answerThreshold: number }> {
  const [fit, articles, version, policy] = await Promise.all([deps.calibrations.modelFor(workspaceId), deps.knowledge.articles(workspaceId), deps.knowledge.helpCenterVersion(workspaceId), deps.settings.policyFor(workspaceId)]);
  const random = seededRandom(`${version.digest}:probes`);
  const thesaurus = [...SUPPORT_THESAURUS, ...policy.synonyms];
  const versionsOf = groupBy(articles, (article) => article.articleId);
  const termsOf = new Map(articles.map((article) => [article.articleKey, new Set(terms(`${article.title}\n${article.description}\n${article.passages.map((passage) => passage.text).join("\n")}`, analysisLanguageOf(article.locale)))]));
  type Search = { query: string; kind: Probe["kind"]; articleId?: string; excludeArticleKeys?: string[]; locale: string };
  const searches: Search[] = [...articles]
    .sort(() => random() - 0.5)
    .slice(0, MAX_ARTICLES)
    .flatMap((article) => {
      // Only questions whose words point at their article alone: it holds all of them but one at
      // most (a typo, a synonym), and every other article misses at least two. Their labels (this
      // article answers it; left out, nothing offered does) are then reliable, so a model citing
      // another article that answers just as well is not blamed, nor praised for a lucky guess.
      const own = termsOf.get(article.articleKey)!;
      const others = articles.filter((other) => other.articleId !== article.articleId && other.locale === article.locale).map((other) => termsOf.get(other.articleKey)!);
      return questionsFor(article, thesaurus)
        .filter((question) => {
          const asked = [...new Set(terms(question, analysisLanguageOf(article.locale)))];
          const held = (by: Set<string>) => asked.filter((term) => by.has(term)).length;
          return held(own) >= Math.max(1, asked.length - 1) && others.every((other) => held(other) <= asked.length - 2);
        })
        .sort(() => random() - 0.5)
        .slice(0, QUESTIONS_PER_ARTICLE)
        .flatMap((query): Search[] => [
          { query, kind: "answerable", articleId: article.articleId, locale: article.locale },
          { query, kind: "unanswerable", articleId: article.articleId, excludeArticleKeys: versionsOf.get(article.articleId)!.map((v) => v.articleKey), locale: article.locale },
        ]);
    });
  for (const query of ELSEWHERE_QUESTIONS.get("en") ?? []) searches.push({ query, kind: "elsewhere", locale: "en" });

  const scorer = scorerOf(fit);
  const candidates: Probe[] = [];
  for (const [locale, group] of groupBy(searches, (search) => search.locale)) {
    const language = analysisLanguageOf(locale);
    for (let start = 0; start < group.length; start += BATCH) {
      const batch = group.slice(start, start + BATCH);
      const results = await deps.knowledge.searchMany(workspaceId, batch, { synonyms: policy.synonyms, topK: 5, locale, scorer });
      batch.forEach((search, i) => {
        const passages = results[i]!;
        const inDomain = passages[0] ? domainScorerOf(fit, language)(passages[0].features) : 0;
        const band = bandOf(passages, thresholdsFor(fit, language), inDomain);
        // What the card would put to the model: the choice's articles, or the answer's passages.
        const offered = band.outcome === "choice" ? band.options : passages.slice(0, search.kind === "elsewhere" ? MAX_OPTIONS : passages.length);
        if (!offered.length) return;
        if (search.kind === "answerable" && !offered.slice(0, MAX_OPTIONS).some((passage) => passage.articleId === search.articleId)) return;
        candidates.push({ kind: search.kind, question: search.query, locale, ...(search.articleId ? { articleId: search.articleId } : {}), offered, unsure: band.outcome === "choice" });
      });
    }
  }
  const quota = { answerable: Math.round(total * 0.5), unanswerable: Math.round(total * 0.3), elsewhere: total - Math.round(total * 0.5) - Math.round(total * 0.3) };
  const probes = (["answerable", "unanswerable", "elsewhere"] as const).flatMap((kind) => {
    const ofKind = candidates.filter((probe) => probe.kind === kind);
    return [...ofKind.filter((probe) => probe.unsure), ...ofKind.filter((probe) => !probe.unsure)].slice(0, quota[kind]);
  });
  return { probes, helpCenterVersion: fit.helpCenterVersion, answerThreshold: fit.thresholds.answer };
}

/** Runs the workspace's probes on the model; every probe gets an outcome, failures included. */
export async function runProbes(
  workspaceId: string,
  deps: { knowledge: KnowledgeBase; calibrations: DecisionModels; settings: PolicySource; model: ChatModel },
  limits: ProbeLimits = DEFAULT_PROBE_LIMITS,
): Promise<ProbeRun> {
  const { probes, helpCenterVersion, answerThreshold } = await buildProbes(workspaceId, deps, limits.probes);
  const policy = await deps.settings.policyFor(workspaceId);
  const { model, calls } = counted(deps.model);
  const budget = AbortSignal.timeout(limits.budgetMs);
  const outcomes: ProbeOutcome[] = new Array(probes.length);
  let next = 0;
  const ask = async (probe: Probe): Promise<ProbeOutcome> => {
    const failed: ProbeOutcome = { kind: probe.kind, verdict: "failed", confidence: probe.offered[0]!.confidence, citedRight: false, unsure: probe.unsure };
    if (budget.aborted) return failed;
    const language = languageOfLocale(probe.locale);
    const reply = await judgeAndAnswer(model, {
      question: probe.question,
      passages: probe.offered,
      customer: { attributes: {} },
      summary: "",
      policy,
      maxWords: PROBE_ANSWER_WORDS,
      signal: AbortSignal.any([budget, AbortSignal.timeout(policy.llm_time_budget_ms)]),
      language: languageName(language),
    });
    if (typeof reply === "string") return failed;
    const { draft, judgement } = reply;
    if (!draft.answerable || judgement.needsHuman) return { ...failed, verdict: "refused" };
    if (!draft.citesOnlyGiven) return failed;
    const citedId = draft.citedArticleIds[0]!;
    const cited = probe.offered.filter((passage) => draft.citedArticleIds.includes(passage.articleId));
    const support = answerSupport(draft.text, { passages: cited, question: probe.question, names: [policy.company_name, policy.help_center_name], language: analysisLanguageOf(probe.locale) });
    return {
      kind: probe.kind,
      verdict: "claimed",
      confidence: probe.offered.find((passage) => passage.articleId === citedId)!.confidence,
      citedRight: probe.kind === "answerable" && citedId === probe.articleId,
      unsure: probe.unsure,
      ...(support.share !== undefined ? { support: support.unsupported.length ? 0 : support.share } : {}),
    };
  };
  await Promise.all(
    Array.from({ length: Math.max(1, limits.concurrency) }, async () => {
      while (next < probes.length) {
        const i = next++;
        outcomes[i] = await ask(probes[i]!);
      }
    }),
  );
  return { outcomes, calls: calls(), helpCenterVersion, answerThreshold };
}
