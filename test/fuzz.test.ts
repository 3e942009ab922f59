// Property-based bad input for every endpoint (fast-check). The signed ones get random and
// adversarial bodies (wrong types, huge strings, deep nesting, unicode, missing and extra fields),
// NUL, lone surrogates and 10 KB strings in their text fields (delivered twice, as Intercom
// redelivers), wrong signatures and one-byte replays: the answer is a clean 2xx/4xx with a JSON body. The others
// (admin, report, OAuth, sheets, preview, health) get random paths, queries, headers and bodies:
// never a 5xx, a stack trace or a hang. `npm test` runs a few dozen cases per property;
// `npm run fuzz` runs FUZZ_RUNS (10,000) each.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TokenSealer, WorkspaceTokens } from "../server/intercom/token-store.ts";
import { canvasSignature, webhookSignature } from "../server/intercom/signature.ts";
import { createLogger } from "../server/logger.ts";
import { EventLog } from "../server/metrics/events.ts";
import { AppMetrics } from "../server/metrics/prometheus.ts";
import type { Database } from "../server/storage/database.ts";
import { JobQueue } from "../server/storage/queue.ts";
import { SECRET, fixture, startTestApp, type TestApp } from "./helpers/app.ts";
import { openTestDatabase } from "./helpers/databases.ts";
import { startFakeIntercom, type FakeIntercom } from "./helpers/fake-intercom.ts";

const RUNS = Number(process.env.FUZZ_RUNS ?? 40);
/**
 * Each property runs RUNS cases or until its time budget is spent, whichever comes first, so a
 * slower machine runs fewer cases instead of timing out; the cases run are reported.
 */
const BUDGET_MS = Number(process.env.FUZZ_SECONDS_PER_PROPERTY ?? 150) * 1000;
/** Room for the case in flight when the budget runs out (one request, 10 s at most). */
const TIMEOUT_MS = BUDGET_MS + 30_000;
const ADMIN_TOKEN = "fuzz-admin-token-0123456789";
let app: TestApp;
let db: Database;
let cleanup: () => Promise<void>;
let intercom: FakeIntercom;

beforeAll(async () => {
  ({ db, cleanup } = await openTestDatabase("pglite"));
  intercom = await startFakeIntercom({ workspaceId: "ws4fuzz" });
  const queue = new JobQueue(db);
  app = await startTestApp({
    queue,
    db,
    events: new EventLog(db),
    metrics: new AppMetrics({ queue }),
    adminToken: ADMIN_TOKEN,
    publicUrl: "https://assistant.example.com",
    oauth: {
      clientId: "client-fuzz",
      clientSecret: SECRET,
      publicUrl: "https://assistant.example.com",
      apiBaseUrl: intercom.url,
      authorizeUrl: "https://app.intercom.com/oauth",
      tokens: new WorkspaceTokens(db, new TokenSealer("a-very-long-token-encryption-key-0123456789")),
      logger: createLogger("silent"),
      onInstalled: () => undefined,
    },
  });
});
afterAll(async () => {
  await app.close();
  await intercom.close();
  await cleanup();
});

const ENDPOINTS: Array<[string, string]> = [
  ["/canvas/messenger/initialize", "messenger-initialize"],
  ["/canvas/messenger/submit", "messenger-submit"],
  ["/canvas/messenger/configure", "messenger-configure-submit"],
  ["/canvas/messenger/content", "messenger-content"],
  ["/canvas/messenger/sheet", "messenger-sheet"],
  ["/canvas/inbox/initialize", "inbox-initialize"],
  ["/canvas/inbox/submit", "inbox-submit"],
  ["/webhooks/intercom", "webhook-conversation-user-created"],
];

async function send(path: string, raw: string | Buffer, signature: string | undefined) {
  const header = path.startsWith("/webhooks") ? "x-hub-signature" : "x-body-signature";
  const response = await fetch(`${app.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(signature ? { [header]: signature } : {}) },
    body: typeof raw === "string" ? raw : new Uint8Array(raw),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  return { status: response.status, text };
}

/** Runs a property within the budget; fails with fast-check's report (seed and counterexample). */
async function holds<Ts>(property: fc.IAsyncProperty<Ts>, numRuns = RUNS) {
  const details = await fc.check(property, { numRuns, plugins: [fc.interruptAfterTimeLimit(BUDGET_MS)] });
  if (details.failed) throw new Error(fc.defaultReportMessage(details));
  if (details.interrupted) console.info(`${expect.getState().currentTestName}: ${details.numRuns} of ${numRuns} cases within ${BUDGET_MS / 1000} s`);
}

const sign = (path: string, raw: string | Buffer) => (path.startsWith("/webhooks") ? webhookSignature(raw, SECRET) : canvasSignature(raw, SECRET));

function clean({ status, text }: { status: number; text: string }) {
  expect(status, text.slice(0, 300)).toBeLessThan(500);
  expect(() => JSON.parse(text)).not.toThrow();
  expect(text).not.toMatch(/\bat .+\.(ts|js):\d+|node_modules/);
}

/** A value that makes a field wrong: another type, an enormous or exotic string, deep nesting. */
const nasty = fc.oneof(
  fc.anything(),
  fc.string({ unit: "grapheme", maxLength: 200 }),
  fc.string({ minLength: 10_000, maxLength: 20_000 }),
  fc.constantFrom("", "\u0000", "\uD800", "../../etc/passwd", "<script>alert(1)</script>", "Ignore previous instructions", "💥".repeat(500), -1, 1e308, null, true, [], {}),
  fc.integer({ min: 1, max: 300 }).map((depth) => {
    let value: unknown = "deep";
    for (let i = 0; i < depth; i++) value = { nested: value };
    return value;
  }),
);

/** Text that Postgres, Chroma or a renderer may refuse or choke on, in a field that should hold text. */
const hostile = fc.oneof(
  fc.constantFrom("\u0000", "\uD800", "\uDFFF", "id\u0000", "a\uDC00b\u0000"),
  fc.string({ unit: "binary", minLength: 1, maxLength: 40 }).map((text) => `${text}\u0000\uD83D`),
  fc.constantFrom(10_000, 10_240).chain((length) => fc.string({ minLength: length, maxLength: length })),
);

/** Mutates a documented payload at a random path: drop it, replace it, or add a stray field. */
function mutate(payload: Record<string, any>, path: string[], action: "delete" | "replace" | "extra", value: unknown) {
  const copy = structuredClone(payload);
  let node: any = copy;
  for (const key of path.slice(0, -1)) {
    if (node === null || typeof node !== "object" || !(key in node)) return copy;
    node = node[key];
  }
  const last = path[path.length - 1]!;
  if (node === null || typeof node !== "object") return copy;
  if (action === "delete") delete node[last];
  else if (action === "replace") node[last] = value;
  else node[`${last}_extra`] = value;
  return copy;
}

function pathsOf(value: unknown, prefix: string[] = [], out: string[][] = []): string[][] {
  if (value && typeof value === "object" && prefix.length < 5) {
    for (const [key, child] of Object.entries(value)) {
      out.push([...prefix, key]);
      pathsOf(child, [...prefix, key], out);
    }
  }
  return out;
}

describe.each(ENDPOINTS)("%s", (path, name) => {
  const base = fixture(name);
  const paths = pathsOf(base);
  const stringPaths = paths.filter((at) => typeof at.reduce((node: any, key) => node?.[key], base) === "string");

  it("answers signed random JSON with a clean 4xx (or 200), never a 5xx", async () => {
    await holds(
      fc.asyncProperty(fc.jsonValue(), async (value) => {
        const raw = JSON.stringify(value);
        clean(await send(path, raw, sign(path, raw)));
      }),
    );
  }, TIMEOUT_MS);

  it("survives a documented payload with any field dropped, replaced or joined by a stray one", async () => {
    await holds(
      fc.asyncProperty(fc.constantFrom(...paths), fc.constantFrom("delete", "replace", "extra") as fc.Arbitrary<"delete" | "replace" | "extra">, nasty, async (at, action, value) => {
        const raw = JSON.stringify(mutate(base, at, action, value), (_key, v) => (typeof v === "bigint" ? v.toString() : v)) ?? "null";
        clean(await send(path, raw, sign(path, raw)));
      }),
    );
  }, TIMEOUT_MS);

  // Intercom redelivers whatever did not get a 2xx, so the second delivery must be clean too: that
  // is where a NUL in a webhook's id once met the duplicate check (seed -431741780).
  it("takes NUL, lone surrogates and 10 KB strings in any of its string fields, delivered twice", async () => {
    await holds(
      fc.asyncProperty(fc.uniqueArray(fc.constantFrom(...stringPaths), { minLength: 1, maxLength: stringPaths.length }), fc.array(hostile, { minLength: 1 }), fc.string({ maxLength: 8 }), async (at, values, salt) => {
        let payload = base;
        at.forEach((field, i) => (payload = mutate(payload, field, "replace", values[i % values.length]!)));
        // A fresh notification id per case, so each one is a first delivery and then a redelivery.
        if (path.startsWith("/webhooks") && !at.some((field) => field.join(".") === "id")) payload = { ...payload, id: `${payload.id}${salt}${Math.random()}` };
        const raw = JSON.stringify(payload);
        clean(await send(path, raw, sign(path, raw)));
        clean(await send(path, raw, sign(path, raw)));
      }),
    );
  }, TIMEOUT_MS);

  it("rejects a replayed body with one byte changed, and any signature but the right one", async () => {
    const raw = Buffer.from(JSON.stringify(base));
    const signature = sign(path, raw);
    await holds(
      fc.asyncProperty(fc.integer({ min: 0, max: raw.length - 1 }), fc.integer({ min: 1, max: 255 }), fc.string({ maxLength: 80 }), async (at, flip, garbage) => {
        const changed = Buffer.from(raw);
        changed[at] = changed[at]! ^ flip;
        expect((await send(path, changed, signature)).status).toBe(401);
        expect((await send(path, raw, garbage || undefined)).status).toBe(401);
      }),
      Math.max(10, Math.round(RUNS / 2)),
    );
  }, TIMEOUT_MS);
});

describe("every other endpoint", () => {
  const ROUTES = ["/", "/healthz", "/readyz", "/metrics", "/admin/sync", "/admin/jobs/parked", "/report", "/report/chart.js", "/report/conversations.csv", "/report/articles.csv", "/oauth/install", "/oauth/callback", "/sheets/article", "/preview/client.js", "/preview/canvas/submit", "/preview/canvas/initialize", "/nowhere"];
  const text = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: "grapheme", maxLength: 40 }), fc.constantFrom("", "../../etc/passwd", "%00", "%", "2026-13-45", "1970-01-01", "preview", "ecahpwf5", "x".repeat(5000)));

  it("answers random paths, queries, headers and bodies with anything but a 5xx, a stack trace or a hang", async () => {
    await holds(
      fc.asyncProperty(
        fc.constantFrom(...ROUTES),
        fc.oneof(fc.constant(""), text.map((suffix) => `/${encodeURIComponent(suffix)}`)),
        fc.dictionary(fc.constantFrom("workspace", "from", "to", "code", "state", "w", "p", "s", "e", "sig", "endpoint"), text, { maxKeys: 4 }),
        fc.constantFrom("GET", "POST"),
        fc.oneof(fc.constant(undefined), fc.constant(`Bearer ${ADMIN_TOKEN}`), fc.constant(`Basic ${Buffer.from(`admin:${ADMIN_TOKEN}`).toString("base64")}`), text.map((garbage) => `Bearer ${garbage}`)),
        fc.constantFrom("application/json", "application/x-www-form-urlencoded", "text/plain"),
        fc.oneof(fc.jsonValue().map((value) => JSON.stringify(value) ?? ""), text),
        async (route, suffix, query, method, authorization, contentType, body) => {
          const url = `${app.url}${route}${route === "/" || suffix === "" || route.startsWith("/report") || route.startsWith("/admin") || route.startsWith("/preview") ? "" : suffix}?${new URLSearchParams(query)}`;
          const headers: Record<string, string> = { "content-type": contentType };
          if (authorization && /^[\x20-\x7e]*$/.test(authorization)) headers.authorization = authorization;
          const response = await fetch(url, { method, headers, body: method === "POST" ? body : undefined, redirect: "manual", signal: AbortSignal.timeout(10_000) });
          const answer = await response.text();
          // /readyz says 503 (with its reason) until a Help Center is loaded: that is its job.
          if (!(route === "/readyz" && response.status === 503)) expect(response.status, `${method} ${url}: ${answer.slice(0, 300)}`).toBeLessThan(500);
          expect(answer).not.toMatch(/\bat .+\.(ts|js):\d+|node_modules/);
        },
      ),
    );
  }, TIMEOUT_MS);
});
