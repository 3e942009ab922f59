// With a chat model configured, each question people taught (a teammate's link, customers who
// agreed) is reworded once by the model, as other customers would ask for the same thing, and the
// rewordings are indexed beside it: the next customer's words meet the taught need, not only
// near-copies of it. The model's word is evidence, not truth: a rewording is kept only when it
// names nothing that neither the question nor the Help Center names, is not a near-copy, and does
// not already lead confidently to another article; it never settles an answer on its own (a card
// names the taught question), the fit never asks it, and it goes when its question goes.
import { z } from "zod";
import { scorerOf, thresholdsFor, type CalibrationModel } from "../answer-decision/model.ts";
import type { ChatModel } from "../assistant/chat-model.ts";
import { jsonIn } from "../assistant/classifier.ts";
import type { PolicySource } from "../assistant/policy.ts";
import type { KnowledgeBase } from "../knowledge/knowledge-base.ts";
import { terms } from "../knowledge/text-analysis.ts";
import type { Logger } from "../logger.ts";
import { prompts } from "../prompts.ts";
import type { JobHandler, JobQueue } from "../storage/queue.ts";
import { sameQuestion, type LearnedQuestions, type TaughtQuestion } from "./learned-questions.ts";

export const PARAPHRASE_JOB = "learned_paraphrases";
/** Rewordings kept per taught question. */
export const PARAPHRASES_PER_QUESTION = 3;
/** Longest the model may take for one question: it runs beside the cards, never on their path. */
const PARAPHRASE_BUDGET_MS = 30_000;
const MAX_LENGTH = 200;

const Payload = z.object({ questionId: z.string() });
const Reply = z.object({ paraphrases: z.array(z.string()) });

/** Why a rewording the model wrote was not kept (logged, so an admin can see what the model does). */
export type Rejection = "near_copy" | "new_words" | "another_article" | "too_long";

/**
 * The rewordings worth indexing, in the model's order: at most PARAPHRASES_PER_QUESTION, each
 * judged against the workspace's own Help Center and answer decision.
 */
export async function keptParaphrases(
  workspaceId: string,
  of: TaughtQuestion,
  written: string[],
  deps: { knowledge: Pick<KnowledgeBase, "search" | "unknownTerms">; model: CalibrationModel },
): Promise<{ kept: string[]; rejected: Array<{ paraphrase: string; why: Rejection }> }> {
  const kept: string[] = [];
  const rejected: Array<{ paraphrase: string; why: Rejection }> = [];
  const ownTerms = new Set(terms(of.question));
  const thresholds = thresholdsFor(deps.model, "en");
  for (const raw of written) {
    if (kept.length === PARAPHRASES_PER_QUESTION) break;
    const paraphrase = raw.replace(/\s+/g, " ").trim();
    if (!paraphrase) continue;
    const why: Rejection | undefined = await (async () => {
      if (paraphrase.length > MAX_LENGTH) return "too_long";
      if (sameQuestion(paraphrase, of.question) || kept.some((other) => sameQuestion(other, paraphrase))) return "near_copy";
      // A word the customer did not use and no article holds is the model's own: a product, a
      // place, a detail it made up, which would vouch for other customers' questions about it.
      if ((await deps.knowledge.unknownTerms(workspaceId, paraphrase)).some((term) => !ownTerms.has(term))) return "new_words";
      const [best] = await deps.knowledge.search(workspaceId, paraphrase, { topK: 1, scorer: scorerOf(deps.model) });
      // Every translation of the article is the same answer (an article key is its id, or id@locale).
      if (best && best.articleId !== of.articleKey.split("@")[0] && best.confidence >= thresholds.answer) return "another_article";
      return undefined;
    })();
    if (why) rejected.push({ paraphrase, why });
    else kept.push(paraphrase);
  }
  return { kept, rejected };
}

/** Asks for the questions' rewordings, one durable job each (retried with backoff when the model fails); whichever instance has the model does them. */
export async function requestParaphrases(queue: JobQueue, workspaceId: string, questions: TaughtQuestion[]): Promise<void> {
  for (const question of questions) {
    await queue.enqueue({ workspaceId, kind: PARAPHRASE_JOB, dedupeKey: `paraphrase:${workspaceId}:${question.id}`, payload: { questionId: question.id } });
  }
}

export class Paraphrases {
  constructor(
    private readonly deps: {
      queue: JobQueue;
      model: ChatModel;
      learned: Pick<LearnedQuestions, "taught" | "learnParaphrases">;
      knowledge: Pick<KnowledgeBase, "search" | "unknownTerms" | "article">;
      calibrations: { modelFor(workspaceId: string): Promise<CalibrationModel> };
      settings: PolicySource;
      logger: Logger;
    },
  ) {}

  request(workspaceId: string, questions: TaughtQuestion[]): Promise<void> {
    return requestParaphrases(this.deps.queue, workspaceId, questions);
  }

  handler(): JobHandler {
    return async (job) => {
      const { questionId } = Payload.parse(job.payload);
      const workspaceId = job.workspace_id;
      // Removed, retracted or reworded meanwhile: nothing to do.
      const of = await this.deps.learned.taught(workspaceId, questionId);
      if (!of) return;
      const [policy, article, model] = await Promise.all([this.deps.settings.policyFor(workspaceId), this.deps.knowledge.article(workspaceId, of.articleKey), this.deps.calibrations.modelFor(workspaceId)]);
      if (!article || policy.learning === "off") return;
      const prompt = prompts.paraphraseQuestion({ companyName: policy.company_name, question: of.question, title: article.title, count: PARAPHRASES_PER_QUESTION + 2 });
      // A failing model throws here and the queue tries again later; a reply with no JSON of the
      // shape asked for is the model's answer, kept as nothing.
      const text = await this.deps.model.complete([{ role: "user", content: prompt }], { json: true, maxTokens: 400, signal: AbortSignal.timeout(PARAPHRASE_BUDGET_MS) });
      const reply = Reply.safeParse(jsonIn(text));
      if (!reply.success) {
        this.deps.logger.warn({ workspaceId, questionId, model: this.deps.model.name }, "the model's rewordings of a learned question were not the JSON asked for; none kept");
        return;
      }
      const { kept, rejected } = await keptParaphrases(workspaceId, of, reply.data.paraphrases, { knowledge: this.deps.knowledge, model });
      const learned = kept.length ? await this.deps.learned.learnParaphrases({ workspaceId, of, paraphrases: kept, mode: policy.learning }) : 0;
      this.deps.logger.info({ workspaceId, questionId, learned, rejected }, "reworded a learned question with the model");
    };
  }
}
