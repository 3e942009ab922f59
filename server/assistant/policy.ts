// The escalation policy and assistant settings: one validated object, the seed's defaults, read
// from a JSON file (ASSISTANT_CONFIG) when one is given.
import { readFileSync } from "node:fs";
import { z } from "zod";
import { LANGUAGES } from "../i18n/catalog.ts";
import { LearningMode } from "../learning/learned-questions.ts";

/** Which team receives a hand-off: the first rule whose every condition matches wins. */
export const RoutingRule = z.strictObject({
  when: z
    .strictObject({
      intent: z.string().optional(),
      reason: z.string().optional(),
      priority: z.enum(["low", "normal", "high", "urgent"]).optional(),
      segment: z.string().optional(),
      tag: z.string().optional(),
    })
    .default({}),
  team_id: z.string().min(1),
});
export type RoutingRule = z.infer<typeof RoutingRule>;

export const AssistantPolicy = z.strictObject({
  company_name: z.string().min(1).max(80).default("our team"),
  help_center_name: z.string().min(1).max(80).default("Help Center"),
  tone: z.string().min(1).max(200).default("friendly, concise and plain-spoken"),
  /** The language the team works in: handoff notes are written in it, whatever the customer's. */
  team_language: z.enum(LANGUAGES).default("en"),
  /** Case-insensitive phrases that always hand over to a person. */
  escalation_triggers: z
    .array(z.string().min(2).max(100))
    .max(200)
    .default(["talk to someone", "human agent", "real person", "this doesn't help", "urgent problem", "refund me", "want a refund", "my money back", "cancel my account", "close my account"]),
  /**
   * The workspace's own synonym groups, added to the built-in support thesaurus: a question using
   * one phrasing of a group also searches the others (e.g. ["workspace", "organisation", "org"]).
   */
  synonyms: z.array(z.array(z.string().min(1).max(60)).min(2).max(30)).max(200).default([]),
  /** Learning from the team (server/learning): "on" uses what it learns at once, "review" waits for approval, "off" learns nothing. */
  learning: LearningMode.default("on"),
  /** At most this many questions a day are learned from customers' picks for one article (a guard against poisoning). */
  customer_learned_per_article_per_day: z.number().int().min(0).max(100).default(5),
  /** Reading the team's past conversations at install (server/learning/backfill.ts): closed conversations of the last `days`, at most `max_conversations`, at most `requests_per_second` Intercom calls. */
  history: z
    .strictObject({
      days: z.number().int().min(1).max(730).default(90),
      max_conversations: z.number().int().min(1).max(100_000).default(5000),
      requests_per_second: z.number().min(0.2).max(50).default(5),
    })
    .default({ days: 90, max_conversations: 5000, requests_per_second: 5 }),
  /** How long a pick from a choice waits for the customer to ask for more help before it counts as confirmed. */
  customer_pick_confirm_minutes: z.number().int().min(0).max(1440).default(15),
  max_turns_before_escalate: z.number().int().min(1).max(100).default(10),
  sentiment_monitoring: z.boolean().default(true),
  /**
   * How long a card (Messenger or Inbox) may wait for the LLM before the extractive answer is sent
   * instead: Intercom shows an error card when a canvas is late, so design for under 3 s.
   */
  llm_time_budget_ms: z.number().int().min(500).max(30_000).default(2500),
  /** The same for replies to conversations (from webhooks), where nobody waits on a canvas. */
  reply_time_budget_ms: z.number().int().min(500).max(120_000).default(20_000),
  /**
   * In conversations (from webhooks): "agent_suggestion" posts the suggested reply as an internal
   * note for the agent; "auto_reply" answers the customer as the bot and hands over when it should.
   */
  reply_mode: z.enum(["agent_suggestion", "auto_reply"]).default("agent_suggestion"),
  /** Hand-off routing; with no rule matching and no default team, the conversation is left for the inbox's own rules. */
  routing: z
    .strictObject({
      rules: z.array(RoutingRule).max(100).default([]),
      default_team_id: z.string().min(1).nullable().default(null),
    })
    .default({ rules: [], default_team_id: null }),
});
export type AssistantPolicy = z.infer<typeof AssistantPolicy>;

export const DEFAULT_POLICY: AssistantPolicy = AssistantPolicy.parse({});

/** Where a workspace's policy comes from (server/settings: the policy file with the workspace's own overrides). */
export interface PolicySource {
  policyFor(workspaceId: string): Promise<AssistantPolicy>;
}

/** One policy for every workspace: the app without a database, the eval, tests. */
export const fixedPolicy = (policy: AssistantPolicy): PolicySource => ({ policyFor: async () => policy });

export function loadPolicy(file: string | undefined): AssistantPolicy {
  if (!file) return DEFAULT_POLICY;
  const parsed = AssistantPolicy.safeParse(JSON.parse(readFileSync(file, "utf8")));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`Invalid assistant config ${file}: ${issue.path.join(".") || "(root)"}: ${issue.message}`);
  }
  return parsed.data;
}
