// What each REST call the app makes asks of the workspace's token, named as the Developer Hub names
// the permission, so the Setup page can say which permission a refused call lacks.
export const CAPABILITIES = {
  token: { label: "The access token (GET /me)", permission: "Read admins" },
  read_help_center: { label: "Read the Help Center", permission: "Read and list articles" },
  read_conversations: { label: "Read conversations", permission: "Read conversations" },
  search_conversations: { label: "Search conversations", permission: "Read conversations" },
  reply_and_note: { label: "Reply and add notes", permission: "Write conversations" },
  assign: { label: "Assign and close conversations", permission: "Write conversations" },
  tag: { label: "Tag conversations", permission: "Write tags" },
  create_draft_article: { label: "Create draft articles", permission: "Read and write articles" },
} as const;
export type Capability = keyof typeof CAPABILITIES;

/** One REST call's outcome: the HTTP status (0 when Intercom could not be reached). */
export interface IntercomCall {
  capability: Capability;
  status: number;
  /** The permission a 401 or 403 means is missing. */
  permission: string;
}

const ID = "[^/]+";
const ROUTES: Array<[method: string, path: RegExp, capability: Capability]> = [
  ["GET", /^\/me$/, "token"],
  ["GET", /^\/articles(\/|$)/, "read_help_center"],
  ["GET", /^\/help_center\//, "read_help_center"],
  ["POST", /^\/articles$/, "create_draft_article"],
  ["POST", /^\/conversations\/search$/, "search_conversations"],
  ["GET", new RegExp(`^/conversations/${ID}$`), "read_conversations"],
  ["POST", /^\/conversations$/, "reply_and_note"],
  ["POST", new RegExp(`^/conversations/${ID}/reply$`), "reply_and_note"],
  ["POST", new RegExp(`^/conversations/${ID}/parts$`), "assign"],
  ["POST", new RegExp(`^/conversations/${ID}/run_assignment_rules$`), "assign"],
  ["POST", new RegExp(`^/conversations/${ID}/tags$`), "tag"],
  ["POST", /^\/tags$/, "tag"],
];

/** The capability a request exercises, or undefined for calls the Setup page does not follow. */
export function capabilityOf(method: string, url: string): Capability | undefined {
  const path = new URL(url, "http://intercom").pathname.replace(/\/+$/, "");
  return ROUTES.find(([routeMethod, pattern]) => routeMethod === method.toUpperCase() && pattern.test(path))?.[2];
}
