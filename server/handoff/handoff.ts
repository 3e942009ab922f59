// Carrying out a hand-off in Intercom, as a durable job: make sure there is a conversation (the
// Messenger home card has none yet), route it (the routed team, or the workspace's own assignment
// rules), reopen it if it was snoozed or closed, tag it with the reason, post the handoff note for
// the agent (saying where it went and why), and, when the customer is not looking at a card, reply
// with the transition message. Each step is recorded as it completes, so a retry after a crash or
// a rate limit never repeats one; a step Intercom refuses (403: a scope the install lacks) is
// logged and skipped, and the rest still happen.
import Handlebars from "handlebars";
import type { IntercomClient } from "intercom-client";
import { readFileSync } from "node:fs";
import { z } from "zod";
import { ESCALATION_REASONS, type EscalationReason } from "../assistant/assistant.ts";
import type { PolicySource } from "../assistant/policy.ts";
import type { Logger } from "../logger.ts";
import type { Database } from "../storage/database.ts";
import { GiveUp, RetryLater, type JobHandler } from "../storage/queue.ts";
import type { BotIdentity } from "../intercom/bot-identity.ts";
import { isLanguage, languageName, translator, type Language, type MessageKey, type Translator } from "../i18n/catalog.ts";
import { routeHandoff, type Route, type RouteReason } from "./routing.ts";

export const HANDOFF_JOB = "handoff";

export const HandoffPayload = z.object({
  conversationId: z.string().optional(),
  contact: z.object({ id: z.string(), type: z.enum(["user", "lead", "contact"]) }).optional(),
  reason: z.string(),
  detail: z.string(),
  priority: z.string(),
  intent: z.string(),
  lastQuestion: z.string().optional(),
  summary: z.array(z.string()).default([]),
  sources: z.array(z.object({ title: z.string(), url: z.string().optional(), confidence: z.number() })).default([]),
  customer: z.object({ name: z.string().optional(), since: z.string().optional(), plan: z.string().optional(), segments: z.string().optional(), tags: z.string().optional() }).default({}),
  attributes: z.record(z.string(), z.string()).default({}),
  /** Posted as a reply when the customer will not see the card's own transition message. */
  transition: z.string().optional(),
  /** The team chosen for the Messenger card the hand-off came from. */
  cardTeamId: z.string().optional(),
  /** The customer's language (a catalog language code), named in the note when it is not the team's. */
  language: z.string().max(8).optional(),
});
export type HandoffPayload = z.infer<typeof HandoffPayload>;

const Progress = z.object({
  conversationId: z.string().optional(),
  /** Where the conversation went, in the note's words, once routed. */
  routed: z.string().optional(),
  reopened: z.boolean().optional(),
  tagged: z.boolean().optional(),
  noted: z.boolean().optional(),
  replied: z.boolean().optional(),
});

const NOTE = Handlebars.compile(readFileSync(new URL("../../templates/handoff-note.hbs", import.meta.url), "utf8"));

const isReason = (reason: string): reason is EscalationReason => (ESCALATION_REASONS as readonly string[]).includes(reason);

/** The tag a handed-over conversation gets, so teams can filter and report on hand-offs in Intercom. */
export const handoffTag = (reason: string) => `Assistant hand-off: ${isReason(reason) ? reason.replaceAll("_", " ") : "other"}`;

/** The note for the agent, in the team's language (the policy's `team_language`), with the customer's words as written. */
export function handoffNote(payload: HandoffPayload, routed?: string, teamLanguage: Language = "en"): string {
  const t = translator(teamLanguage);
  const { customer } = payload;
  const about = [
    customer.since && t("note_since", { date: customer.since }),
    customer.plan && t("note_plan", { plan: customer.plan }),
    customer.segments && t("note_segments", { segments: customer.segments }),
    customer.tags && t("note_tags", { tags: customer.tags }),
  ].filter(Boolean);
  const labels = Object.fromEntries(
    (["note_title", "note_priority", "note_intent", "note_routing", "note_last_question", "note_conversation", "note_articles", "note_no_article", "note_customer", "note_attributes"] as const).map((key) => [key.slice(5), t(key)]),
  );
  return NOTE({
    ...payload,
    labels,
    routed,
    reasonLabel: isReason(payload.reason) ? t(`note_reason_${payload.reason}` as MessageKey) : payload.reason,
    // The customer's language is named when it is not the team's.
    customerLanguage: payload.language && payload.language !== teamLanguage && isLanguage(payload.language) ? t("note_customer_language", { language: languageName(payload.language, teamLanguage) }) : undefined,
    customerLine: [customer.name ?? t("note_unknown"), ...about].join(", "),
    sources: payload.sources.map((source) => ({ ...source, match: t("note_match", { percent: `${Math.round(source.confidence * 100)}%` }) })),
    attributes: Object.keys(payload.attributes).length ? payload.attributes : undefined,
  }).trim();
}

function reasonText(t: Translator, because: RouteReason): string {
  if (because.kind === "rule") return t("route_why_rule", { rule: because.rule });
  return t(because.kind === "card" ? "route_why_card" : because.kind === "default" ? "route_why_default" : "route_why_none");
}

interface IntercomFailure {
  statusCode?: number;
  rawResponse?: { headers?: { get?(name: string): string | null } };
}

/** Intercom's answer decides whether to retry: 429 waits for the rate limit to reset, other 4xx give up. */
export function classifyIntercomError(error: unknown): Error {
  const failure = error as IntercomFailure;
  const status = failure?.statusCode;
  if (status === 429) {
    const reset = Number(failure.rawResponse?.headers?.get?.("x-ratelimit-reset"));
    const waitMs = Number.isFinite(reset) && reset > 0 ? reset * 1000 - Date.now() : 10_000;
    return new RetryLater("Intercom rate limit (429)", Math.max(1000, waitMs));
  }
  if (status && status >= 400 && status < 500 && status !== 408) return new GiveUp(`Intercom refused the request (${status})`);
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * A card on the Messenger home has no conversation. When the customer already has an open one,
 * the team picks up there (the customer sees one thread, the agent the whole story); otherwise one
 * is started with the customer's question.
 */
async function openConversationOf(client: IntercomClient, contactId: string): Promise<string | undefined> {
  const found = await client.conversations.search({
    query: {
      operator: "AND",
      value: [
        { field: "contact_ids", operator: "=", value: contactId },
        { field: "state", operator: "=", value: "open" },
      ],
    },
    pagination: { per_page: 20 },
  });
  const newest = [...found.data].sort((a, b) => (b.updated_at ?? 0) - (a.updated_at ?? 0))[0];
  return newest?.id ? String(newest.id) : undefined;
}

async function startConversation(client: IntercomClient, contact: NonNullable<HandoffPayload["contact"]>, question: string | undefined): Promise<string> {
  const created = await client.conversations.create({ from: contact, body: question || "I'd like to talk to someone from the team." });
  const conversationId = String((created as { conversation_id?: unknown }).conversation_id ?? "");
  if (!conversationId) throw new Error("Intercom did not return the new conversation's id");
  return conversationId;
}

/** A 403 means the install lacks a scope for this step: nothing a retry can change. */
const refused = (error: unknown) => (error as IntercomFailure)?.statusCode === 403;

async function teamName(client: IntercomClient, teamId: string): Promise<string | undefined> {
  try {
    const team = await client.teams.find({ team_id: teamId });
    return typeof team?.name === "string" ? team.name : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The tag's id in this workspace: remembered (in the database, for every instance) after the first
 * hand-off with this reason creates or finds it. Hand-offs running side by side share one lookup.
 */
function tagIds(db: Database): (client: IntercomClient, workspaceId: string, name: string) => Promise<string> {
  const pending = new Map<string, Promise<string>>();
  return (client, workspaceId, name) => {
    const key = `${workspaceId}\u0000${name}`;
    let lookup = pending.get(key);
    if (!lookup) {
      lookup = tagIdFor(client, db, workspaceId, name).finally(() => pending.delete(key));
      pending.set(key, lookup);
    }
    return lookup;
  };
}

async function tagIdFor(client: IntercomClient, db: Database, workspaceId: string, name: string): Promise<string> {
  const [known] = await db.query<{ tag_id: string }>("SELECT tag_id FROM intercom_tags WHERE workspace_id = $1 AND name = $2", [workspaceId, name]);
  if (known) return known.tag_id;
  // Intercom's POST /tags creates the tag, or returns the one of that name that exists.
  const tag = await client.tags.create({ name });
  const tagId = String(tag.id);
  await db.query("INSERT INTO intercom_tags (workspace_id, name, tag_id) VALUES ($1, $2, $3) ON CONFLICT (workspace_id, name) DO UPDATE SET tag_id = $3", [workspaceId, name, tagId]);
  return tagId;
}

/** Assigns to the routed team, or asks Intercom to run the workspace's assignment rules; returns what the note says, in the team's language. */
async function routeConversation(client: IntercomClient, conversationId: string, adminId: string, route: Route, t: Translator, skipIfRefused: (step: string, work: () => Promise<void>) => Promise<boolean>): Promise<string> {
  if (route.to === "team") {
    const assigned = await skipIfRefused("assign", async () => {
      await client.conversations.manage({ conversation_id: conversationId, body: { message_type: "assignment", type: "team", admin_id: adminId, assignee_id: route.teamId } });
    });
    if (assigned) return t("route_team", { team: (await teamName(client, route.teamId)) ?? route.teamId, why: reasonText(t, route.because) });
  }
  const ruled = await skipIfRefused("run assignment rules", async () => {
    await client.conversations.runAssignmentRules({ conversation_id: conversationId });
  });
  const why = route.to === "team" ? t("route_why_refused", { team: route.teamId }) : reasonText(t, route.because);
  return t(ruled ? "route_rules" : "route_refused", { why });
}

export interface HandoffDeps {
  clientFor(workspaceId: string): IntercomClient | undefined;
  bot: BotIdentity;
  /** Each workspace's policy: its routing rules and default team. */
  settings: PolicySource;
  db: Database;
  logger: Logger;
}

export function handoffHandler(deps: HandoffDeps): JobHandler {
  const tagIdOf = tagIds(deps.db);
  return async (job, { saveProgress }) => {
    const payload = HandoffPayload.parse(job.payload);
    const progress = Progress.parse(job.progress);
    const client = deps.clientFor(job.workspace_id);
    if (!client) {
      deps.logger.warn({ workspaceId: job.workspace_id, reason: payload.reason }, "hand-off not carried out: this workspace is not connected to Intercom");
      return;
    }
    try {
      const adminId = await deps.bot.adminId(job.workspace_id, client);
      let conversationId = payload.conversationId ?? progress.conversationId;
      if (!conversationId) {
        if (!payload.contact) throw new GiveUp("no conversation and no contact to start one with");
        const open = await openConversationOf(client, payload.contact.id).catch((error) => {
          // Rate limits and outages are retried; a refused search (a missing scope) still gets a new conversation.
          if (classifyIntercomError(error) instanceof GiveUp) {
            deps.logger.warn({ err: error, workspaceId: job.workspace_id }, "could not search the customer's conversations; starting a new one");
            return undefined;
          }
          throw error;
        });
        conversationId = open ?? (await startConversation(client, payload.contact, payload.lastQuestion));
        await saveProgress({ conversationId });
      }
      const skipIfRefused = async (step: string, work: () => Promise<void>) => {
        try {
          await work();
          return true;
        } catch (error) {
          if (!refused(error)) throw error;
          deps.logger.warn({ err: error, workspaceId: job.workspace_id, conversationId, step }, "Intercom refused a hand-off step (403: is a scope missing?); skipped");
          return false;
        }
      };
      const policy = await deps.settings.policyFor(job.workspace_id);
      let routed = progress.routed;
      if (!routed) {
        const route = routeHandoff(policy.routing, {
          intent: payload.intent,
          reason: payload.reason,
          priority: payload.priority,
          segments: (payload.customer.segments ?? "").split(", ").filter(Boolean),
          tags: (payload.customer.tags ?? "").split(", ").filter(Boolean),
          ...(payload.cardTeamId ? { cardTeamId: payload.cardTeamId } : {}),
        });
        routed = await routeConversation(client, conversationId, adminId, route, translator(policy.team_language), skipIfRefused);
        await saveProgress({ routed });
      }
      if (!progress.reopened) {
        await skipIfRefused("reopen", async () => {
          const conversation = await client.conversations.find({ conversation_id: conversationId! }).catch((error) => {
            // Gone since (deleted): the note below says so by failing for good.
            if ((error as IntercomFailure)?.statusCode === 404) return undefined;
            throw error;
          });
          if (conversation?.state && conversation.state !== "open") {
            await client.conversations.manage({ conversation_id: conversationId!, body: { message_type: "open", admin_id: adminId } });
          }
        });
        await saveProgress({ reopened: true });
      }
      if (!progress.tagged) {
        await skipIfRefused("tag", async () => {
          const tagId = await tagIdOf(client, job.workspace_id, handoffTag(payload.reason));
          await client.tags.tagConversation({ conversation_id: conversationId!, id: tagId, admin_id: adminId });
        });
        await saveProgress({ tagged: true });
      }
      if (!progress.noted) {
        await client.conversations.reply({ conversation_id: conversationId, body: { message_type: "note", type: "admin", admin_id: adminId, body: handoffNote(payload, routed, policy.team_language) } });
        await saveProgress({ noted: true });
      }
      if (payload.transition && !progress.replied) {
        await client.conversations.reply({ conversation_id: conversationId, body: { message_type: "comment", type: "admin", admin_id: adminId, body: payload.transition } });
        await saveProgress({ replied: true });
      }
      await deps.db.query(
        `INSERT INTO conversations (workspace_id, conversation_id, escalated_at, escalation_reason) VALUES ($1, $2, now(), $3)
         ON CONFLICT (workspace_id, conversation_id) DO UPDATE SET escalated_at = now(), escalation_reason = $3`,
        [job.workspace_id, conversationId, payload.reason],
      );
    } catch (error) {
      throw classifyIntercomError(error);
    }
  };
}
