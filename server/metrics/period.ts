// A report period from query or command-line values: ISO dates, defaulting to the last 30 days.
import { z } from "zod";

const Day = z.iso.date();

export function periodOf(input: { from?: unknown; to?: unknown }, now = new Date()): { from: Date; to: Date } | { error: string } {
  const to = input.to === undefined || input.to === "" ? new Date(now.getTime() + 1) : Day.safeParse(input.to).success ? new Date(`${input.to}T23:59:59.999Z`) : undefined;
  const from = input.from === undefined || input.from === "" ? new Date(now.getTime() - 30 * 86_400_000) : Day.safeParse(input.from).success ? new Date(`${input.from}T00:00:00Z`) : undefined;
  if (!to) return { error: "to: must be a date like 2026-11-30" };
  if (!from) return { error: "from: must be a date like 2026-11-01" };
  if (from >= to) return { error: "from: must be before to" };
  return { from, to };
}

/** The workspace with the most events lately: the report's default when none is named. */
export const BUSIEST_WORKSPACE_SQL = "SELECT workspace_id FROM events WHERE at > now() - interval '90 days' GROUP BY workspace_id ORDER BY count(*) DESC LIMIT 1";
