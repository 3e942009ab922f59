// npm run eval -- --personas (or -- --model-url … --model …): the configured model's trust, end to
// end. For each embedder and each model (no model, and the personas of test/helpers/model-personas.ts,
// or the operator's own), both workspaces are synced and fitted as the app starts, the cards are
// asked through signed /canvas/messenger/submit from the moment /readyz says ready (the model's
// measurement runs meanwhile, as in the app), and the card each question gets is read back. Then
// the measurement's own figures: what the app knows of the model.
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { Calibrations, memoryCalibrationStore } from "../../server/answer-decision/calibrations.ts";
import { WorkspacePreparation } from "../../server/answer-decision/preparation.ts";
import type { ModelTrust } from "../../server/answer-decision/model-trust.ts";
import { OpenAIChatModel, type ChatModel } from "../../server/assistant/chat-model.ts";
import { createAssistant } from "../../server/assistant/create-assistant.ts";
import { createApp } from "../../server/http/app.ts";
import { canvasSignature } from "../../server/intercom/signature.ts";
import type { Embedder } from "../../server/knowledge/embedder.ts";
import type { HelpCenterKnowledge } from "../../server/knowledge/help-center-knowledge.ts";
import { createLogger } from "../../server/logger.ts";
import { PERSONAS, startPersonaModel, type PersonaModel } from "../helpers/model-personas.ts";
import { outcomeOf } from "./card-outcome.ts";
import type { FaqDataset } from "./faq-dataset.ts";

interface Item {
  question: string;
  /** The right article; null for a question no article answers. */
  id: string | null;
}

const jsonLines = <T>(relative: string): T[] =>
  readFileSync(new URL(relative, import.meta.url), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as T);

const f3 = (x: number) => x.toFixed(3);

export async function modelTrustTables(options: {
  dataset: FaqDataset;
  secret: string;
  print: (line: string) => void;
  knowledgeFor: (embedder: Embedder) => HelpCenterKnowledge;
  embedders: Array<[string, Embedder]>;
  workspaces: { faq: string; demo: string };
  /** The operator's model instead of the personas. */
  model?: ChatModel;
}): Promise<string[]> {
  const { dataset, print, workspaces } = options;
  const paraphrases = jsonLines<{ question: string; article_id: string }>("../fixtures/demo-paraphrases.jsonl");
  const heldOut = jsonLines<{ question: string; article_id: string | null }>("../fixtures/heldout/model-trust.jsonl");
  const sets: Array<{ name: string; workspaceId: string; items: Item[] }> = [
    { name: "FAQ dev", workspaceId: workspaces.faq, items: dataset.queries.map((q) => ({ question: q.query, id: q.doc_id })) },
    { name: "FAQ off-topic", workspaceId: workspaces.faq, items: dataset.offTopic.filter((row) => !row.needs_human).map((row) => ({ question: row.text, id: null })) },
    { name: "demo paraphrases", workspaceId: workspaces.demo, items: paraphrases.map((p) => ({ question: p.question, id: p.article_id })) },
    { name: "demo held out", workspaceId: workspaces.demo, items: heldOut.map((row) => ({ question: row.question, id: row.article_id })) },
  ];
  const oracle = new Map<string, string | null>(sets.flatMap((set) => set.items.map((item) => [item.question.trim(), item.id] as [string, string | null])));
  const models: Array<{ label: string; start: () => Promise<{ model?: ChatModel; persona?: PersonaModel }> }> = options.model
    ? [{ label: options.model.name, start: async () => ({ model: options.model! }) }]
    : [
        { label: "no model", start: async () => ({}) },
        ...PERSONAS.map((persona) => ({
          label: persona,
          start: async () => {
            const server = await startPersonaModel(persona, { oracle });
            return { persona: server, model: new OpenAIChatModel({ baseUrl: server.url, model: persona }) };
          },
        })),
      ];

  const rows: string[] = [];
  const measurementRows: string[] = [];
  for (const [embedderLabel, embedder] of options.embedders) {
    for (const { label, start } of models) {
      const { model, persona } = await start();
      const knowledge = options.knowledgeFor(embedder);
      const logger = createLogger("silent");
      const calibrations = new Calibrations({ knowledge, store: memoryCalibrationStore(), logger });
      const assistant = createAssistant({ knowledge, logger, calibrations, ...(model ? { model } : {}), reading: (workspaceId) => preparation.isReading(workspaceId) });
      const measured = new Map<string, Promise<ModelTrust | undefined>>();
      const preparation = new WorkspacePreparation({
        knowledge,
        calibrations,
        logger,
        onFitted: (workspaceId, fitted) => {
          const started = performance.now();
          measured.set(
            workspaceId,
            (assistant.trusts?.refresh(workspaceId, fitted.helpCenterVersion) ?? Promise.resolve()).then(async () => {
              const trust = await assistant.trusts?.trustFor(workspaceId);
              return trust && { ...trust, seconds: Math.round((performance.now() - started) / 100) / 10 };
            }),
          );
        },
      });
      const app = createApp({ logger, clientSecret: options.secret, assistant, readiness: async () => preparation.readiness() });
      const server = app.listen(0, "127.0.0.1");
      server.keepAliveTimeout = 60_000;
      await new Promise((resolve) => server.once("listening", resolve));
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      void Promise.all([workspaces.faq, workspaces.demo].map((workspaceId) => preparation.sync(workspaceId)));
      while ((await fetch(`${base}/readyz`)).status !== 200) await new Promise((resolve) => setTimeout(resolve, 50));

      const template = JSON.parse(readFileSync(new URL("../fixtures/messenger-submit.json", import.meta.url), "utf8"));
      const lookups = new Map<string, { urls: Map<string, string>; titles: Map<string, string> }>();
      for (const workspaceId of [workspaces.faq, workspaces.demo]) {
        const articles = await knowledge.articles(workspaceId);
        lookups.set(workspaceId, { urls: new Map(articles.flatMap((a) => (a.url ? [[a.url, a.articleId] as [string, string]] : []))), titles: new Map(articles.map((a) => [a.title, a.articleId] as [string, string])) });
      }
      const cells: string[] = [];
      for (const set of sets) {
        const count = { answered: 0, right: 0, wrong: 0, oneClick: 0 };
        for (const item of set.items) {
          const body = JSON.stringify({ ...template, workspace_id: set.workspaceId, current_canvas: null, input_values: { question: item.question } });
          const response = await fetch(`${base}/canvas/messenger/submit`, { method: "POST", headers: { "content-type": "application/json", "x-body-signature": canvasSignature(body, options.secret) }, body });
          if (response.status >= 500) throw new Error(`a card answered ${response.status} (${label}, ${set.name}: ${item.question})`);
          const outcome = outcomeOf(await response.json(), lookups.get(set.workspaceId)!.urls, lookups.get(set.workspaceId)!.titles);
          if (outcome.kind === "answer") {
            count.answered++;
            if (item.id && outcome.first === item.id) count.right++;
            else count.wrong++;
          }
          if (item.id && outcome.kind !== "hand_over" && outcome.shown.slice(0, 3).includes(item.id)) count.oneClick++;
        }
        const n = set.items.length;
        const answerable = set.items.some((item) => item.id);
        cells.push(answerable ? `${f3(count.right / n)} / ${f3(count.oneClick / n)} / ${f3(count.wrong / n)}` : `${f3(count.answered / n)}`);
      }
      rows.push(`| ${embedderLabel} | ${label} | ${cells.join(" | ")} |`);
      for (const [name, workspaceId] of [["FAQ", workspaces.faq], ["demo", workspaces.demo]] as const) {
        const trust = await measured.get(workspaceId);
        if (!trust) continue;
        measurementRows.push(
          `| ${embedderLabel} | ${label} | ${name} | ${trust.status} | ${trust.probes.answerable} / ${trust.probes.unanswerable} / ${trust.probes.elsewhere} (${trust.probes.failed} failed) | ${f3(trust.falseAnswerRate)} | ${f3(trust.citationAgreement)} | ${trust.settleFrom === null ? "never" : `p ≥ ${f3(trust.settleFrom)}`} | ${trust.refusalsHonoured ? "yes" : "no"} | ${f3(trust.supportThreshold)} | ${trust.calls} | ${trust.seconds.toFixed(1)} s |`,
        );
      }
      server.close();
      await persona?.close();
    }
  }
  const timing: string[] = [];
  if (!options.model) {
    // What measuring costs with a hosted model's pace: the honest persona at 500 ms to the first token and 80 tokens a second.
    const server = await startPersonaModel("honest", { oracle, firstTokenMs: 500, tokensPerSecond: 80 });
    const [, embedder] = options.embedders[0]!;
    const knowledge = options.knowledgeFor(embedder);
    const logger = createLogger("silent");
    const calibrations = new Calibrations({ knowledge, store: memoryCalibrationStore(), logger });
    const assistant = createAssistant({ knowledge, logger, calibrations, model: new OpenAIChatModel({ baseUrl: server.url, model: "honest-500ms" }) });
    for (const [name, workspaceId] of [["FAQ", workspaces.faq], ["demo", workspaces.demo]] as const) {
      await knowledge.sync(workspaceId);
      await calibrations.refit(workspaceId);
      const trust = await assistant.trusts!.measure(workspaceId);
      timing.push(`| ${name} | ${trust.seconds.toFixed(1)} s | ${trust.calls} | ${trust.probes.failed} | ${trust.settleFrom === null ? "never" : `p ≥ ${f3(trust.settleFrom)}`} |`);
    }
    await server.close();
  }
  const table = [
    `| embedder | model | ${sets.map((set) => (set.items.some((item) => item.id) ? `${set.name} (${set.items.length}): right answer / one click / wrong answer` : `${set.name} (${set.items.length}): answered`)).join(" | ")} |`,
    `|---|---|${sets.map(() => "---").join("|")}|`,
    ...rows,
  ];
  print("\n## The model's trust: cards through signed submits from /readyz on, per model\n");
  print("Targets (issue 40): credulous wrong ≤ 0.03 and off-topic answered ≤ 0.01, one click not below no model; honest right answers ≥ 0.70 on FAQ dev and the demo paraphrases, wrong ≤ 0.02; cautious and broken no worse than no model. The demo held-out set (test/fixtures/heldout/model-trust.jsonl, 43 questions and 8 about other businesses) was written before this work and never tuned on; its wrong answers include answers to the questions no article answers.\n");
  for (const line of table) print(line);
  print("\nWhat the measurement found (probes answerable / left out / other businesses; false-answer rate: claims where the passages do not hold the answer, failures counted as claims; citation agreement: claims on answerable probes citing the right article; settles: the retrieval probability from which its claim settles an unsure card):\n");
  print("| embedder | model | workspace | status | probes | false-answer rate | citation agreement | settles | refusals honoured | support threshold | calls | measured in |");
  print("|---|---|---|---|---|---|---|---|---|---|---|---|");
  for (const row of measurementRows) print(row);
  if (timing.length) {
    print("\nMeasuring at a hosted model's pace (the honest persona at 500 ms to the first token and 80 tokens a second; offline embedder; default limits: 100 probes, 6 calls in flight). Target: ≤ 60 s per workspace.\n");
    print("| workspace | measured in | calls | failed probes | settles |");
    print("|---|---|---|---|---|");
    for (const row of timing) print(row);
  }
  // The README shows the first embedder's rows.
  return table.filter((line, i) => i < 2 || line.startsWith(`| ${options.embedders[0]![0]} |`));
}
