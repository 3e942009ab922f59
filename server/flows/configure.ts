// Configure flow: an admin adding the card to the Messenger picks its greeting, its collections and
// the team its hand-offs go to when no routing rule claims them.
import { translatorForLocale } from "../i18n/catalog.ts";
import { ASSIGNMENT_RULES_OPTION, ConfigureIds, configureCard } from "../../canvas/admin-cards.ts";
import type { MessengerConfigureRequest } from "../../canvas/requests.ts";
import type { ConfigureResponse } from "../../canvas/responses.ts";
import type { Team } from "../intercom/directory.ts";
import type { KnowledgeBase } from "../knowledge/knowledge-base.ts";
import type { Logger } from "../logger.ts";

const MAX_GREETING = 200;
/** The form must open inside Intercom's wait even when GET /teams is slow: then it has no team picker. */
const TEAMS_BUDGET_MS = 1500;

export interface ConfigureDeps {
  knowledge: KnowledgeBase;
  /** The workspace's teams, where the app is connected to Intercom. */
  teamsFor?: (workspaceId: string, signal: AbortSignal) => Promise<Team[]> | undefined;
  logger: Logger;
}

async function teamsOf(workspaceId: string, deps: ConfigureDeps): Promise<Team[]> {
  try {
    return (await deps.teamsFor?.(workspaceId, AbortSignal.timeout(TEAMS_BUDGET_MS))) ?? [];
  } catch (error) {
    deps.logger.warn({ err: error, workspaceId }, "could not list the workspace's teams; the card's form has no team picker");
    return [];
  }
}

export async function configure(request: MessengerConfigureRequest, deps: ConfigureDeps): Promise<ConfigureResponse> {
  const [collections, teams] = await Promise.all([deps.knowledge.collections(request.workspace_id), teamsOf(request.workspace_id, deps)]);
  // The form speaks the admin's language (the locale Intercom sends).
  const t = translatorForLocale(request.context?.locale);
  const words = {
    title: t("inbox_title"),
    intro: t("configure_intro"),
    greeting: t("configure_greeting"),
    greetingPlaceholder: t("greeting"),
    collections: t("configure_collections"),
    team: t("configure_team"),
    assignmentRules: t("configure_assignment_rules"),
    save: t("configure_save"),
  };
  if (request.component_id !== ConfigureIds.save) return configureCard({ collections, teams }, words);

  const rawGreeting = request.input_values[ConfigureIds.greeting];
  const greeting = typeof rawGreeting === "string" ? rawGreeting.trim() : "";
  const rawChosen = request.input_values[ConfigureIds.collections];
  const known = new Set(collections.map((collection) => collection.id));
  const chosen = (Array.isArray(rawChosen) ? rawChosen : []).filter((id) => known.has(id));
  const rawTeam = request.input_values[ConfigureIds.team];
  const team = typeof rawTeam === "string" && rawTeam !== ASSIGNMENT_RULES_OPTION && teams.some((candidate) => candidate.id === rawTeam) ? rawTeam : undefined;

  if (greeting.length > MAX_GREETING) {
    return configureCard({ collections, greeting, chosen, teams, ...(team ? { team } : {}), error: t("configure_greeting_too_long", { max: MAX_GREETING }) }, words);
  }
  return { results: { ...(greeting ? { greeting } : {}), collections: chosen, ...(team ? { team_id: team } : {}) } };
}
