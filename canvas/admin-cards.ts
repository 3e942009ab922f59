// Cards for teammates: the Configure form shown when an admin adds the app to the Messenger, and
// the Inbox app in the conversation details panel.
import { button, checkbox, dataTable, dropdown, input, list, listItem, openUrl, option, submit, text, type Component } from "./components.ts";
import { canvas, type CanvasResponse } from "./responses.ts";

export const ConfigureIds = { greeting: "greeting", collections: "collections", team: "team", save: "save" } as const;
/** The team dropdown's option for "no team of the card's own": the workspace's assignment rules decide. */
export const ASSIGNMENT_RULES_OPTION = "assignment_rules";
/** A dropdown holds at most 10 options; one is the assignment rules. */
const MAX_TEAMS = 9;
export const InboxIds = { query: "query", search: "search", syncNow: "sync_now", console: "console" } as const;

/** The Configure form's words, in the admin's language. */
export interface ConfigureWords {
  title: string;
  intro: string;
  greeting: string;
  greetingPlaceholder: string;
  collections: string;
  team: string;
  assignmentRules: string;
  save: string;
}

export function configureCard(
  view: {
    collections: Array<{ id: string; name: string }>;
    greeting?: string;
    chosen?: string[];
    /** The workspace's teams (GET /teams), for where hand-offs go. */
    teams?: Array<{ id: string; name: string }>;
    team?: string;
    error?: string;
  },
  words: ConfigureWords,
): CanvasResponse {
  const teams = (view.teams ?? []).slice(0, MAX_TEAMS);
  return canvas([
    text(words.title, { style: "header" }),
    text(words.intro, { style: "muted" }),
    ...(view.error ? [text(view.error, { style: "error" })] : []),
    input({
      id: ConfigureIds.greeting,
      label: words.greeting,
      placeholder: words.greetingPlaceholder,
      ...(view.greeting ? { value: view.greeting } : {}),
    }),
    ...(view.collections.length
      ? [
          checkbox({
            id: ConfigureIds.collections,
            label: words.collections,
            options: view.collections.map((collection) => option(collection.id, collection.name)),
            ...(view.chosen?.length ? { value: view.chosen } : {}),
          }),
        ]
      : []),
    ...(teams.length
      ? [
          dropdown({
            id: ConfigureIds.team,
            label: words.team,
            options: [option(ASSIGNMENT_RULES_OPTION, words.assignmentRules), ...teams.map((team) => option(team.id, team.name))],
            value: view.team && teams.some((team) => team.id === view.team) ? view.team : ASSIGNMENT_RULES_OPTION,
          }),
        ]
      : []),
    button({ id: ConfigureIds.save, label: words.save, action: submit(), style: "primary" }),
  ]);
}

export interface InboxView {
  contactName?: string;
  conversationId?: string;
  customerMessage?: string;
  query?: string;
  intent?: string;
  verdict?: string;
  suggestion?: { text: string; confidence: number };
  /** With the team's earlier question that led to the article, when one did (learning). */
  articles?: Array<{ title: string; url?: string; confidence: number; learnedQuestion?: string; learnedFrom?: "teammate" | "customers" }>;
  /** What the assistant did in this conversation so far (from the metrics). */
  history?: Array<[string, string]>;
  /** Which answer-decision model the workspace uses, and how well it fits. */
  calibration?: string;
  /** The admin console's address, where the workspace's admins change the assistant's settings. */
  consoleUrl?: string;
}

/** The Inbox app's own words, in the teammate's language. */
export interface InboxWords {
  title: string;
  customer: string;
  conversation: string;
  lastMessage: string;
  search: string;
  intent: string;
  thisConversation: string;
  suggestedReply: (confidence: string) => string;
  match: (confidence: string) => string;
  /** Where an article came from a learned question: who taught it, and the question. */
  taught: (question: string, from: "teammate" | "customers" | undefined) => string;
  searchLabel: string;
  searchPlaceholder: string;
  searchButton: string;
  sync: string;
  console: string;
}

const percent = (value: number) => `${Math.round(value * 100)}%`;

export function inboxCard(view: InboxView, words: InboxWords): CanvasResponse {
  const facts: Array<[string, string]> = [];
  if (view.contactName) facts.push([words.customer, view.contactName]);
  if (view.conversationId) facts.push([words.conversation, view.conversationId]);
  if (view.customerMessage) facts.push([words.lastMessage, view.customerMessage.slice(0, 300)]);
  if (view.query) facts.push([words.search, view.query.slice(0, 300)]);
  if (view.intent) facts.push([words.intent, view.intent]);
  const components: Component[] = [text(words.title, { style: "header" })];
  if (facts.length) components.push(dataTable(facts));
  if (view.history?.length) components.push(text(`**${words.thisConversation}**`, { bottom_margin: "none" }), dataTable(view.history));
  if (view.verdict) components.push(text(view.verdict, { style: "muted" }));
  if (view.suggestion) {
    components.push(text(`**${words.suggestedReply(percent(view.suggestion.confidence))}**`, { bottom_margin: "none" }));
    components.push(text(view.suggestion.text));
  }
  if (view.articles?.length) {
    components.push(
      list(
        view.articles.map((article, index) =>
          listItem({
            id: `article_${index + 1}`,
            title: article.title,
            subtitle: words.match(percent(article.confidence)),
            ...(article.learnedQuestion ? { tertiary_text: words.taught(article.learnedQuestion.slice(0, 80), article.learnedFrom) } : {}),
            ...(article.url ? { action: openUrl(article.url) } : {}),
          }),
        ),
      ),
    );
  }
  components.push(
    input({ id: InboxIds.query, label: words.searchLabel, placeholder: words.searchPlaceholder, ...(view.query ? { value: view.query } : {}) }),
    button({ id: InboxIds.search, label: words.searchButton, action: submit(), style: "primary" }),
    button({ id: InboxIds.syncNow, label: words.sync, action: submit(), style: "link" }),
  );
  if (view.consoleUrl) components.push(button({ id: InboxIds.console, label: words.console, action: openUrl(view.consoleUrl), style: "link" }));
  if (view.calibration) components.push(text(view.calibration, { style: "muted" }));
  return canvas(components);
}
