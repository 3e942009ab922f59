// Hand-offs end to end: a signed Messenger request escalates, the job is written to the database
// (PGlite here), and the worker makes the exact Intercom calls, once, even when retried.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_POLICY } from "../server/assistant/policy.ts";
import { enqueueHandoff } from "../server/handoff/escalations.ts";
import { HANDOFF_JOB, handoffHandler } from "../server/handoff/handoff.ts";
import { BotIdentity } from "../server/intercom/bot-identity.ts";
import { createIntercomClient } from "../server/intercom/client.ts";
import { createLogger } from "../server/logger.ts";
import type { Database } from "../server/storage/database.ts";
import { JobQueue, Worker } from "../server/storage/queue.ts";
import { fixture, startTestApp, type TestApp } from "./helpers/app.ts";
import { startFakeIntercom, type FakeIntercom } from "./helpers/fake-intercom.ts";
import { BACKENDS, openTestDatabase } from "./helpers/databases.ts";

describe.each(BACKENDS)("on %s", (backend) => {
  let cleanup: () => Promise<void>;
  let db: Database;
  let intercom: FakeIntercom;
  let app: TestApp;
  let worker: Worker;
  let queue: JobQueue;

  const policy = {
    ...DEFAULT_POLICY,
    routing: { rules: [{ when: { reason: "urgent_problem" }, team_id: "team-security" }, { when: { segment: "Active" }, team_id: "team-customers" }], default_team_id: "team-support" },
  };
  const writes = () => intercom.requests.filter((request) => request.method === "POST" && request.path !== "/conversations/search").map(({ path, body }) => ({ path, body }));

  beforeAll(async () => {
    ({ db, cleanup } = await openTestDatabase(backend));
    intercom = await startFakeIntercom({ workspaceId: "ecahpwf5" });
    queue = new JobQueue(db, { leaseMs: 60_000, maxAttempts: 5, backoffMs: () => 0 });
    const client = createIntercomClient({ token: "fake-access-token", baseUrl: intercom.url });
    worker = new Worker(queue, { [HANDOFF_JOB]: handoffHandler({ clientFor: () => client, bot: new BotIdentity(), policy, db, logger: createLogger("silent") }) }, createLogger("silent"));
    app = await startTestApp({ policy, onEscalation: enqueueHandoff(queue) });
  });
  afterAll(async () => {
    await app.close();
    await intercom.close();
    await cleanup();
  });
  beforeEach(async () => {
    intercom.requests.length = 0;
    await db.query("DELETE FROM jobs");
  });

  const submit = (question: string, extra: Record<string, unknown> = {}) =>
    app.canvas("/canvas/messenger/submit", { ...fixture("messenger-submit"), input_values: { question }, ...extra });

  describe("hand-off from a Messenger card", () => {
    it("assigns the conversation to the routed team as the bot admin and posts the handoff note", async () => {
      expect((await submit("I want to talk to a real person about my invoices")).status).toBe(200);
      await worker.drain();
      const [assign, note, ...rest] = writes();
      expect(rest).toEqual([]);
      expect(assign).toEqual({
        path: "/conversations/25000000123/parts",
        body: { message_type: "assignment", type: "team", admin_id: "991267460", assignee_id: "team-support" },
      });
      expect(note!.path).toBe("/conversations/25000000123/reply");
      expect(note!.body).toMatchObject({ message_type: "note", type: "admin", admin_id: "991267460" });
      const html = (note!.body as { body: string }).body;
      expect(html).toContain("the customer asked for a person");
      expect(html).toContain("<b>Last question</b>: I want to talk to a real person about my invoices");
      expect(html).toContain("Maria Lopez");
      expect(html).toContain("plan: Team");
      expect(html).not.toContain("maria.lopez@example.com");
      const [row] = await db.query<{ escalation_reason: string }>("SELECT escalation_reason FROM conversations WHERE conversation_id = '25000000123'");
      expect(row?.escalation_reason).toBe("explicit_request");
    });

    it("routes by reason: an urgent problem goes to the security team", async () => {
      await submit("My account has been hacked, someone is sending invoices I didn't make");
      await worker.drain();
      expect(writes()[0]!.body).toMatchObject({ assignee_id: "team-security" });
    });

    it("never assigns or notes twice for the same escalation", async () => {
      await submit("I want to talk to a real person");
      await submit("I want to talk to a real person");
      await worker.drain();
      await worker.drain();
      expect(writes().map((write) => write.path)).toEqual(["/conversations/25000000123/parts", "/conversations/25000000123/reply"]);
    });

    it("waits out Intercom's rate limit and finishes later, once, without repeating the assignment", async () => {
      await submit("I want to talk to a real person");
      // More 429s than the SDK's own retries: the job goes back to the queue until the limit resets.
      intercom.failNextWrites.push(429, 429, 429, 429);
      await worker.drain();
      expect(await queue.counts()).toMatchObject({ pending: 1 });
      const [waiting] = await db.query<{ last_error: string }>("SELECT last_error FROM jobs");
      expect(waiting).toMatchObject({ last_error: "Intercom rate limit (429)" });
      await db.query("UPDATE jobs SET run_at = now()");
      await worker.drain();
      const paths = writes().map((write) => write.path);
      expect(paths.filter((p) => p.endsWith("/reply"))).toHaveLength(1);
      expect(paths.slice(-2)).toEqual(["/conversations/25000000123/parts", "/conversations/25000000123/reply"]);
      expect(await queue.counts()).toMatchObject({ done: 1 });
    }, 20_000);

    it("starts a conversation for the contact when the card is on the Messenger home", async () => {
      const body = { context: { location: "home", locale: "en" } };
      await submit("I want to talk to a real person", body);
      await worker.drain();
      const [create, assign] = writes();
      expect(create).toEqual({ path: "/conversations", body: { from: { type: "user", id: "5f5f9e6b7c3d2a0012345678" }, body: "I want to talk to a real person" } });
      expect(assign!.path).toBe("/conversations/25000000999/parts");
    });

    it("continues the customer's open conversation, the newest one, when the home card hands over", async () => {
      const open = fixture("webhook-conversation-user-created").data.item;
      intercom.conversations.set("25000000456", open);
      intercom.conversations.set("25000000457", { ...open, id: "25000000457", updated_at: open.updated_at + 60 });
      intercom.conversations.set("25000000458", { ...open, id: "25000000458", updated_at: open.updated_at + 120, state: "closed" });
      intercom.conversations.set("25000000459", { ...open, id: "25000000459", updated_at: open.updated_at + 180, contacts: { type: "contact.list", contacts: [{ type: "contact", id: "someone-else" }] } });
      try {
        await submit("I want to talk to a real person", { context: { location: "home", locale: "en" } });
        await worker.drain();
        const search = intercom.requests.find((request) => request.path === "/conversations/search");
        expect(search!.body).toMatchObject({ query: { operator: "AND", value: [{ field: "contact_ids", operator: "=", value: "5f5f9e6b7c3d2a0012345678" }, { field: "state", operator: "=", value: "open" }] } });
        const paths = writes().map((write) => write.path);
        expect(paths).not.toContain("/conversations");
        expect(paths).toEqual(["/conversations/25000000457/parts", "/conversations/25000000457/reply"]);
      } finally {
        intercom.conversations.clear();
      }
    });

    it("starts a conversation when Intercom refuses the search for the customer's open one", async () => {
      intercom.failNextSearches.push(403);
      await submit("I want to talk to a real person", { context: { location: "home", locale: "en" } });
      await worker.drain();
      expect(writes()[0]!.path).toBe("/conversations");
      expect(await queue.counts()).toMatchObject({ done: 1 });
    });

    it("parks a hand-off Intercom refuses, with its error, instead of retrying forever", async () => {
      await submit("I want to talk to a real person");
      intercom.failNextWrites.push(404);
      await worker.drain();
      const [parked] = await queue.parked("ecahpwf5");
      expect(parked).toMatchObject({ kind: "handoff", status: "parked", last_error: "Intercom refused the request (404)" });
    });
  });
});
