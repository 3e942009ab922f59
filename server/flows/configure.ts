// Configure flow: an admin adding the card to the Messenger picks its greeting and collections.
import { ConfigureIds, configureCard } from "../../canvas/admin-cards.ts";
import type { MessengerConfigureRequest } from "../../canvas/requests.ts";
import type { ConfigureResponse } from "../../canvas/responses.ts";
import type { KnowledgeBase } from "../knowledge/knowledge-base.ts";

const MAX_GREETING = 200;

export async function configure(request: MessengerConfigureRequest, deps: { knowledge: KnowledgeBase }): Promise<ConfigureResponse> {
  const collections = await deps.knowledge.collections(request.workspace_id);
  if (request.component_id !== ConfigureIds.save) return configureCard({ collections });

  const rawGreeting = request.input_values[ConfigureIds.greeting];
  const greeting = typeof rawGreeting === "string" ? rawGreeting.trim() : "";
  const rawChosen = request.input_values[ConfigureIds.collections];
  const known = new Set(collections.map((collection) => collection.id));
  const chosen = (Array.isArray(rawChosen) ? rawChosen : []).filter((id) => known.has(id));

  if (greeting.length > MAX_GREETING) {
    return configureCard({ collections, greeting, chosen, error: `The greeting can be at most ${MAX_GREETING} characters.` });
  }
  return { results: { ...(greeting ? { greeting } : {}), collections: chosen } };
}
