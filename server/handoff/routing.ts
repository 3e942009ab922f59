import type { AssistantPolicy } from "../assistant/policy.ts";

export interface RoutingFacts {
  intent: string;
  reason: string;
  priority: string;
  segments: string[];
  tags: string[];
}

const same = (a: string, b: string) => a.localeCompare(b, undefined, { sensitivity: "accent" }) === 0;

/** The team a hand-off goes to, from the policy's rules, or undefined for the workspace's own assignment rules. */
export function routeTeam(routing: AssistantPolicy["routing"], facts: RoutingFacts): string | undefined {
  for (const rule of routing.rules) {
    const { intent, reason, priority, segment, tag } = rule.when;
    if (intent && intent !== facts.intent) continue;
    if (reason && reason !== facts.reason) continue;
    if (priority && priority !== facts.priority) continue;
    if (segment && !facts.segments.some((name) => same(name, segment))) continue;
    if (tag && !facts.tags.some((name) => same(name, tag))) continue;
    return rule.team_id;
  }
  return routing.default_team_id ?? undefined;
}
