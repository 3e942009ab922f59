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

/** Why a hand-off goes where it goes; the handoff note says it in the team's language. */
export type RouteReason = { kind: "rule"; rule: string } | { kind: "card" } | { kind: "default" } | { kind: "none" };
/** Where a hand-off goes, and why. */
export type Route = { to: "team"; teamId: string; because: RouteReason } | { to: "assignment_rules"; because: RouteReason };

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
  if (rule) return { to: "team", teamId: rule.team_id, because: { kind: "rule", rule: describeRule(rule) } };
  if (facts.cardTeamId) return { to: "team", teamId: facts.cardTeamId, because: { kind: "card" } };
  if (routing.default_team_id) return { to: "team", teamId: routing.default_team_id, because: { kind: "default" } };
  return { to: "assignment_rules", because: { kind: "none" } };
}
