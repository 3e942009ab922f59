// Carrying out a hand-off in Intercom, as a durable job: make sure there is a conversation (the
// Messenger home card has none yet), assign it to the routed team as the app's bot admin, post
// the handoff note for the agent, and, when the customer is not looking at a card, reply with the
// transition message. Each step is recorded as it completes, so a retry after a crash or a rate
// limit never assigns, notes or replies twice.
import Handlebars from "handlebars";
import type { IntercomClient } from "intercom-client";
import { readFileSync } from "node:fs";
import { z } from "zod";
import type { AssistantPolicy } from "../assistant/policy.ts";
import type { Logger } from "../logger.ts";
import type { Database } from "../storage/database.ts";
import { GiveUp, RetryLater, type JobHandler } from "../storage/queue.ts";
import type { BotIdentity } from "../intercom/bot-identity.ts";
import { routeTeam } from "./routing.ts";

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
});
export type HandoffPayload = z.infer<typeof HandoffPayload>;

const Progress = z.object({
  conversationId: z.string().optional(),
  assigned: z.string().optional(),
  noted: z.boolean().optional(),
  replied: z.boolean().optional(),
});

const NOTE = Handlebars.compile(readFileSync(new URL("../../templates/handoff-note.hbs", import.meta.url), "utf8"));

const REASONS: Record<string, string> = {
  explicit_request: "the customer asked for a person",
  human_request: "the customer's request needs a person",
  urgent_problem: "urgent problem",
  low_confidence: "no confident answer in the Help Center",
  too_many_turns: "too many back-and-forths",
  frustration: "the customer is frustrated",
  more_help: 'the customer clicked "Get more help"',
  service_unavailable: "the Help Center could not be searched (outage)",
};

export function handoffNote(payload: HandoffPayload): string {
  return NOTE({
    ...payload,
    reasonLabel: REASONS[payload.reason] ?? payload.reason,
    sources: payload.sources.map((source) => ({ ...source, percent: `${Math.round(source.confidence * 100)}%` })),
    attributes: Object.keys(payload.attributes).length ? payload.attributes : undefined,
  }).trim();
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

export interface HandoffDeps {
  clientFor(workspaceId: string): IntercomClient | undefined;
  bot: BotIdentity;
  policy: AssistantPolicy;
  db: Database;
  logger: Logger;
}

export function handoffHandler(deps: HandoffDeps): JobHandler {
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
      if (!progress.assigned) {
        const team = routeTeam(deps.policy.routing, {
          intent: payload.intent,
          reason: payload.reason,
          priority: payload.priority,
          segments: (payload.customer.segments ?? "").split(", ").filter(Boolean),
          tags: (payload.customer.tags ?? "").split(", ").filter(Boolean),
        });
        if (team) {
          await client.conversations.manage({ conversation_id: conversationId, body: { message_type: "assignment", type: "team", admin_id: adminId, assignee_id: team } });
        }
        await saveProgress({ assigned: team ?? "unrouted" });
      }
      if (!progress.noted) {
        await client.conversations.reply({ conversation_id: conversationId, body: { message_type: "note", type: "admin", admin_id: adminId, body: handoffNote(payload) } });
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
