import type { AssistantPolicy } from "../assistant/policy.ts";

export interface RoutingFacts {
  intent: string;
  reason: string;
  priority: string;
  segments: string[];
  tags: string[];
  /** The team chosen for the card the customer used (Configure), if any. */
  cardTeamId?: string;
}

/** Where a hand-off goes, and why, in words the handoff note can show the agent. */
export type Route = { to: "team"; teamId: string; why: string } | { to: "assignment_rules"; why: string };

const same = (a: string, b: string) => a.localeCompare(b, undefined, { sensitivity: "accent" }) === 0;

type Rule = AssistantPolicy["routing"]["rules"][number];

function matches(rule: Rule, facts: RoutingFacts): boolean {
  const { intent, reason, priority, segment, tag } = rule.when;
  if (intent && intent !== facts.intent) return false;
  if (reason && reason !== facts.reason) return false;
  if (priority && priority !== facts.priority) return false;
  if (segment && !facts.segments.some((name) => same(name, segment))) return false;
  if (tag && !facts.tags.some((name) => same(name, tag))) return false;
  return true;
}

const describeRule = (rule: Rule) =>
  Object.entries(rule.when)
    .filter(([, value]) => value)
    .map(([field, value]) => `${field} ${value}`)
    .join(", ") || "any hand-off";

/** The team of the first routing rule that matches, if any. */
export function ruleTeam(rules: Rule[], facts: RoutingFacts): string | undefined {
  return rules.find((rule) => matches(rule, facts))?.team_id;
}

/**
 * A hand-off is never left unrouted: the policy's rules first, then the team chosen for the card,
 * then the policy's default team, and otherwise the workspace's own assignment rules in Intercom.
 */
export function routeHandoff(routing: AssistantPolicy["routing"], facts: RoutingFacts): Route {
  const rule = routing.rules.find((candidate) => matches(candidate, facts));
  if (rule) return { to: "team", teamId: rule.team_id, why: `routing rule "${describeRule(rule)}"` };
  if (facts.cardTeamId) return { to: "team", teamId: facts.cardTeamId, why: "the team chosen for this Messenger card" };
  if (routing.default_team_id) return { to: "team", teamId: routing.default_team_id, why: "the default team, as no routing rule matched" };
  return { to: "assignment_rules", why: "no routing rule or team applies" };
}
