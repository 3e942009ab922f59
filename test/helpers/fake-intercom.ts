// A local stand-in for Intercom's REST API: a real HTTP server speaking the documented JSON
// shapes, holding a Help Center the test can change between calls, and recording every request.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingMessage["headers"];
  body: unknown;
}

export interface FakeIntercom {
  url: string;
  workspaceId: string;
  requests: RecordedRequest[];
  collections: Array<Record<string, unknown>>;
  articles: Array<Record<string, unknown>>;
  conversations: Map<string, Record<string, unknown>>;
  contacts: Map<string, { contact: Record<string, unknown>; segments: string[]; tags: string[] }>;
  /** Statuses to answer the next write requests with (e.g. [429]) before behaving normally. */
  failNextWrites: number[];
  /** Statuses to answer the next conversation searches with (e.g. [403]). */
  failNextSearches: number[];
  /** Statuses to answer the next reads of conversations (searches and finds) with, 429 with a reset a second away. */
  failNextReads: number[];
  /** Conversations a search still lists but that answer 404 when read (deleted in between). */
  gone: Set<string>;
  /** Every this many reads of conversations (searches and finds) is answered 429, as a busy workspace's would be. */
  rateLimitEvery: number;
  /** While set, reading this conversation waits for `until` (to catch a reader mid-request). */
  heldRead?: { id: string; until: Promise<void>; reached: () => void };
  /** Holds every write this long before answering (to catch a caller mid-request). */
  writeDelayMs: number;
  /** While set, GET /articles waits for it (a Help Center that takes its time to sync). */
  articlesHeld?: Promise<void>;
  /** The workspace's teams (GET /teams). */
  teams: Array<{ id: string; name: string }>;
  /** The workspace's segments, by name (GET /segments). */
  segments: string[];
  /** Tags by name (POST /tags creates one or returns the existing one). */
  tags: Map<string, string>;
  /** Requests ("METHOD /path" matching) answered 403, as for an install without that scope. */
  refused: RegExp[];
  close(): Promise<void>;
}

function page(items: unknown[], query: Record<string, string>) {
  const perPage = Math.max(1, Number(query.per_page ?? 50));
  const current = Math.max(1, Number(query.page ?? 1));
  const totalPages = Math.max(1, Math.ceil(items.length / perPage));
  return {
    type: "list",
    pages: { type: "pages", page: current, per_page: perPage, total_pages: totalPages, ...(current < totalPages ? { next: null } : {}) },
    total_count: items.length,
    data: items.slice((current - 1) * perPage, current * perPage),
  };
}

export async function startFakeIntercom(options: { workspaceId?: string; collections?: Array<Record<string, unknown>>; articles?: Array<Record<string, unknown>> } = {}): Promise<FakeIntercom> {
  const state: Omit<FakeIntercom, "url" | "close"> = {
    workspaceId: options.workspaceId ?? "ws4fake1",
    requests: [],
    collections: options.collections ?? [],
    articles: options.articles ?? [],
    conversations: new Map(),
    contacts: new Map(),
    failNextWrites: [],
    failNextSearches: [],
    failNextReads: [],
    gone: new Set(),
    rateLimitEvery: 0,
    writeDelayMs: 0,
    teams: [],
    segments: [],
    tags: new Map(),
    refused: [],
  };
  let reads = 0;
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://fake");
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    state.requests.push({ method: req.method ?? "GET", path: url.pathname, query: Object.fromEntries(url.searchParams), headers: req.headers, body: raw ? JSON.parse(raw) : undefined });
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (req.method === "POST" && url.pathname === "/auth/eagle/token") {
      const body = JSON.parse(raw || "{}") as { code?: string; client_secret?: string };
      if (body.code !== "good-code" || body.client_secret !== "oauth-client-secret-0123") return send(400, { type: "error.list", errors: [{ code: "invalid_grant", message: "bad code" }] });
      return send(200, { token_type: "Bearer", token: "fake-access-token", access_token: "fake-access-token" });
    }
    if (req.headers.authorization !== "Bearer fake-access-token") return send(401, { type: "error.list", errors: [{ code: "unauthorized", message: "Access Token Invalid" }] });
    const query = Object.fromEntries(url.searchParams);
    if (state.refused.some((pattern) => pattern.test(`${req.method} ${url.pathname}`))) return send(403, { type: "error.list", errors: [{ code: "api_plan_restricted", message: "Missing scope" }] });
    if (req.method === "GET" && url.pathname === "/segments") return send(200, { type: "segment.list", segments: state.segments.map((name, i) => ({ type: "segment", id: `seg${i}`, name, person_type: "user" })) });
    if (req.method === "GET" && url.pathname === "/tags") return send(200, { type: "list", data: [...state.tags].map(([name, id]) => ({ type: "tag", id, name })) });
    if (req.method === "GET" && url.pathname === "/teams") return send(200, { type: "team.list", teams: state.teams.map((team) => ({ type: "team", ...team, admin_ids: [] })) });
    const team = /^\/teams\/([^/]+)$/.exec(url.pathname);
    const known = team && state.teams.find((candidate) => candidate.id === team[1]);
    if (req.method === "GET" && known) return send(200, { type: "team", ...known, admin_ids: [] });
    if (req.method === "GET" && url.pathname === "/me") {
      return send(200, {
        type: "admin",
        id: "991267460",
        email: "bot@example.com",
        name: "Help Center Assistant",
        email_verified: true,
        app: { type: "app", id_code: state.workspaceId, name: "Tallybook", created_at: 1700000000, secure: false, identity_verification: false, timezone: "Europe/Dublin", region: "US" },
      });
    }
    if (req.method === "GET" && url.pathname === "/help_center/collections") return send(200, page(state.collections, query));
    if (req.method === "GET" && url.pathname === "/articles") {
      await state.articlesHeld;
      return send(200, page(state.articles, query));
    }
    const isRead = (req.method === "POST" && url.pathname === "/conversations/search") || (req.method === "GET" && /^\/conversations\/[^/]+$/.test(url.pathname));
    if (isRead) reads++;
    const readFailure = isRead ? (state.failNextReads.shift() ?? (state.rateLimitEvery && reads % state.rateLimitEvery === 0 ? 429 : undefined)) : undefined;
    if (readFailure) {
      res.writeHead(readFailure, { "content-type": "application/json", "x-ratelimit-limit": "1000", "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + 1) });
      return res.end(JSON.stringify({ type: "error.list", errors: [{ code: readFailure === 429 ? "rate_limit_exceeded" : "server_error", message: "scripted failure" }] }));
    }
    if (req.method === "POST" && url.pathname === "/conversations/search") {
      const refused = state.failNextSearches.shift();
      if (refused) return send(refused, { type: "error.list", errors: [{ code: "forbidden", message: "scripted failure" }] });
      // The filters the app sends, each "=" or ">", joined by AND; newest first, then by id.
      const request = JSON.parse(raw) as { query: { value: Array<{ field: string; operator: string; value: unknown }> }; pagination?: { per_page?: number; starting_after?: string } };
      const filters = (request.query.value ?? []).map(({ field, operator, value }) => [field, operator, String(value)] as const);
      const matching = [...state.conversations.values()]
        .filter((conversation) =>
          filters.every(([field, operator, value]) =>
            field === "contact_ids"
              ? ((conversation.contacts as { contacts?: Array<{ id: string }> })?.contacts ?? []).some((contact) => contact.id === value)
              : operator === ">"
                ? Number(conversation[field]) > Number(value)
                : String(conversation[field]) === value,
          ),
        )
        .sort((a, b) => Number(b.updated_at ?? 0) - Number(a.updated_at ?? 0) || String(a.id).localeCompare(String(b.id)));
      const perPage = Math.min(150, request.pagination?.per_page ?? 20);
      const after = request.pagination?.starting_after ? matching.findIndex((conversation) => String(conversation.id) === Buffer.from(request.pagination!.starting_after!, "base64url").toString()) + 1 : 0;
      const listed = matching.slice(after, after + perPage);
      const more = after + perPage < matching.length;
      return send(200, {
        type: "conversation.list",
        conversations: listed,
        total_count: matching.length,
        pages: { type: "pages", page: Math.floor(after / perPage) + 1, per_page: perPage, total_pages: Math.max(1, Math.ceil(matching.length / perPage)), ...(more ? { next: { page: Math.floor(after / perPage) + 2, starting_after: Buffer.from(String(listed.at(-1)!.id)).toString("base64url") } } : {}) },
      });
    }
    if (req.method === "POST") {
      if (state.writeDelayMs) await new Promise((resolve) => setTimeout(resolve, state.writeDelayMs));
      if (res.destroyed) return;
      const failure = state.failNextWrites.shift();
      if (failure) {
        res.writeHead(failure, { "content-type": "application/json", "x-ratelimit-limit": "1000", "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + 1) });
        return res.end(JSON.stringify({ type: "error.list", errors: [{ code: failure === 429 ? "rate_limit_exceeded" : "server_error", message: "scripted failure" }] }));
      }
      if (url.pathname === "/tags") {
        const name = String((JSON.parse(raw) as { name?: unknown }).name);
        if (!state.tags.has(name)) state.tags.set(name, String(800000 + state.tags.size));
        return send(200, { type: "tag", id: state.tags.get(name), name });
      }
      const tagging = /^\/conversations\/([^/]+)\/tags$/.exec(url.pathname);
      if (tagging) {
        const id = String((JSON.parse(raw) as { id?: unknown }).id);
        return send(200, { type: "tag", id, name: [...state.tags].find(([, tagId]) => tagId === id)?.[0] ?? "" });
      }
      if (url.pathname === "/articles") {
        // A new article is a draft unless told otherwise, and has no public URL until published.
        const fields = JSON.parse(raw) as { title: string; body?: string; author_id: number; state?: "published" | "draft" };
        const article = { ...intercomArticle({ id: String(9100000 + state.articles.length), title: fields.title, body: fields.body ?? "", state: fields.state ?? "draft" }), author_id: fields.author_id, url: null };
        state.articles.push(article);
        return send(200, article);
      }
      if (/^\/conversations\/([^/]+)\/run_assignment_rules$/.test(url.pathname)) return send(200, { type: "conversation", id: url.pathname.split("/")[2], state: "open" });
      const part = /^\/conversations\/([^/]+)\/(parts|reply)$/.exec(url.pathname);
      if (part) return send(200, { type: "conversation", id: part[1], state: "open", conversation_parts: { type: "conversation_part.list", conversation_parts: [], total_count: 0 } });
      if (url.pathname === "/conversations") return send(200, { type: "user_message", id: "403918396", created_at: 1732530000, body: "created", message_type: "inapp", conversation_id: "25000000999" });
    }
    const conversation = /^\/conversations\/([^/]+)$/.exec(url.pathname);
    const held = state.heldRead;
    if (held && req.method === "GET" && conversation && held.id === conversation[1]) {
      held.reached();
      await held.until;
    }
    if (req.method === "GET" && conversation && state.conversations.has(conversation[1]!) && !state.gone.has(conversation[1]!)) return send(200, state.conversations.get(conversation[1]!));
    const contact = /^\/contacts\/([^/]+)(?:\/(segments|tags))?$/.exec(url.pathname);
    const person = contact ? state.contacts.get(contact[1]!) : undefined;
    if (req.method === "GET" && contact && person) {
      if (contact[2] === "segments") return send(200, { type: "list", data: person.segments.map((name, i) => ({ type: "segment", id: `seg${i}`, name })) });
      if (contact[2] === "tags") return send(200, { type: "list", data: person.tags.map((name, i) => ({ type: "tag", id: `tag${i}`, name })) });
      return send(200, person.contact);
    }
    send(404, { type: "error.list", errors: [{ code: "not_found", message: "Resource Not Found" }] });
  });
  server.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  return Object.assign(state, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

/** An article in the shape of Intercom's `GET /articles` items. */
export function intercomArticle(fields: { id: string; title: string; body: string; parent_id?: number; state?: "published" | "draft"; updated_at?: number; translated_content?: Record<string, unknown> }) {
  return {
    type: "article",
    id: fields.id,
    workspace_id: "ws4fake1",
    title: fields.title,
    description: "",
    body: fields.body,
    author_id: 991267460,
    state: fields.state ?? "published",
    created_at: 1700000000,
    updated_at: fields.updated_at ?? 1700000000,
    url: `https://help.fake.example/en/articles/${fields.id}`,
    parent_id: fields.parent_id ?? 10,
    parent_ids: [fields.parent_id ?? 10],
    parent_type: "collection",
    default_locale: "en",
    translated_content: fields.translated_content ?? null,
  };
}

export function intercomCollection(fields: { id: string; name: string; parent_id?: string | null }) {
  return {
    id: fields.id,
    workspace_id: "ws4fake1",
    name: fields.name,
    url: `https://help.fake.example/en/collections/${fields.id}`,
    order: 1,
    created_at: 1700000000,
    updated_at: 1700000000,
    description: "",
    icon: "book-bookmark",
    parent_id: fields.parent_id ?? null,
    help_center_id: 1,
  };
}
