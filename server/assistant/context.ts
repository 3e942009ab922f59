// What the assistant knows about the conversation and the customer, gathered from the canvas
// request (and, when connected, from Intercom), in a shape the prompts and the handoff note share.
import type { Contact } from "../../canvas/requests.ts";
import type { HistoryLine } from "./classifier.ts";

export interface CustomerProfile {
  firstName?: string;
  name?: string;
  email?: string;
  since?: string;
  lastSeen?: string;
  plan?: string;
  segments?: string;
  tags?: string;
  attributes: Record<string, string>;
}

/** A Unix timestamp as a day; a value no date can have (Intercom would never send one) is left out. */
const date = (seconds: number | null | undefined) => {
  const value = seconds ? new Date(seconds * 1000) : undefined;
  return value && Number.isFinite(value.getTime()) ? value.toISOString().slice(0, 10) : undefined;
};

const names = (list: unknown): string | undefined => {
  const items = (list as { segments?: unknown[]; tags?: unknown[]; data?: unknown[] } | undefined);
  const entries = (items?.segments ?? items?.tags ?? items?.data ?? []) as Array<{ name?: unknown }>;
  const out = entries.map((entry) => (typeof entry?.name === "string" ? entry.name : "")).filter(Boolean);
  return out.length ? out.join(", ") : undefined;
};

/** A first name safe to put in markdown text. */
export function firstNameOf(name: string | null | undefined): string | undefined {
  const first = name?.trim().split(/\s+/)[0]?.replace(/[*_`[\]()<>#\\]/g, "");
  return first ? first.slice(0, 40) : undefined;
}

export function customerProfile(contact: Contact | undefined): CustomerProfile {
  if (!contact) return { attributes: {} };
  const attributes: Record<string, string> = {};
  for (const [key, value] of Object.entries(contact.custom_attributes ?? {})) {
    if (value !== null && value !== undefined && typeof value !== "object") attributes[key] = String(value).slice(0, 200);
  }
  const plan = attributes.plan ?? attributes.Plan;
  return {
    firstName: firstNameOf(contact.name),
    ...(contact.name ? { name: contact.name } : {}),
    ...(contact.email ? { email: contact.email } : {}),
    ...(date(contact.signed_up_at ?? contact.created_at) ? { since: date(contact.signed_up_at ?? contact.created_at) } : {}),
    ...(date(contact.last_seen_at) ? { lastSeen: date(contact.last_seen_at) } : {}),
    ...(plan ? { plan } : {}),
    ...(names(contact.segments) ? { segments: names(contact.segments) } : {}),
    ...(names(contact.tags) ? { tags: names(contact.tags) } : {}),
    attributes,
  };
}

/** A short account of the conversation so far, for prompts and for the agent's handoff note. */
export function summarize(history: HistoryLine[], maxLines = 8): string {
  return history
    .slice(-maxLines)
    .map((line) => `${line.role === "customer" ? "Customer" : line.role === "agent" ? "Agent" : "Assistant"}: ${line.text.replace(/\s+/g, " ").slice(0, 300)}`)
    .join("\n");
}
