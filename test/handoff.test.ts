// Hand-offs end to end: a signed Messenger request escalates, the job is written to the database
// (PGlite here), and the worker makes the exact Intercom calls, once, even when retried: route
// (a team, or the workspace's assignment rules), reopen, tag with the reason, note.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_POLICY, fixedPolicy } from "../server/assistant/policy.ts";
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
  let client: ReturnType<typeof createIntercomClient>;

  const policy = {
    ...DEFAULT_POLICY,
    routing: { rules: [{ when: { reason: "urgent_problem" }, team_id: "team-security" }, { when: { segment: "Active" }, team_id: "team-customers" }], default_team_id: "team-support" },
  };
  const writes = () => intercom.requests.filter((request) => request.method === "POST" && request.path !== "/conversations/search").map(({ path, body }) => ({ path, body }));

  beforeAll(async () => {
    ({ db, cleanup } = await openTestDatabase(backend));
    intercom = await startFakeIntercom({ workspaceId: "ecahpwf5" });
    intercom.teams.push({ id: "team-support", name: "Support" }, { id: "team-security", name: "Security" }, { id: "team-billing", name: "Billing" });
    queue = new JobQueue(db, { leaseMs: 60_000, maxAttempts: 5, backoffMs: () => 0 });
    client = createIntercomClient({ token: "fake-access-token", baseUrl: intercom.url });
    worker = new Worker(queue, { [HANDOFF_JOB]: handoffHandler({ clientFor: () => client, bot: new BotIdentity(), settings: fixedPolicy(policy), db, logger: createLogger("silent") }) }, createLogger("silent"));
    app = await startTestApp({ policy, onEscalation: enqueueHandoff(queue) });
  });
  afterAll(async () => {
    await app.close();
    await intercom.close();
    await cleanup();
  });
  beforeEach(async () => {
    intercom.requests.length = 0;
    intercom.refused.length = 0;
    intercom.tags.clear();
    await db.query("DELETE FROM jobs");
    await db.query("DELETE FROM intercom_tags");
  });
  const TAGGED = ["/tags", "/conversations/25000000123/tags"];

  const submit = (question: string, extra: Record<string, unknown> = {}) =>
    app.canvas("/canvas/messenger/submit", { ...fixture("messenger-submit"), input_values: { question }, ...extra });

  describe("hand-off from a Messenger card", () => {
    it("assigns the conversation to the routed team as the bot admin and posts the handoff note", async () => {
      expect((await submit("I want to talk to a real person about my invoices")).status).toBe(200);
      await worker.drain();
      const [assign, createTag, tag, note, ...rest] = writes();
      expect(rest).toEqual([]);
      expect(assign).toEqual({
        path: "/conversations/25000000123/parts",
        body: { message_type: "assignment", type: "team", admin_id: "991267460", assignee_id: "team-support" },
      });
      expect(createTag).toEqual({ path: "/tags", body: { name: "Assistant hand-off: explicit request" } });
      expect(tag).toEqual({ path: "/conversations/25000000123/tags", body: { id: "800000", admin_id: "991267460" } });
      expect(note!.path).toBe("/conversations/25000000123/reply");
      expect(note!.body).toMatchObject({ message_type: "note", type: "admin", admin_id: "991267460" });
      const html = (note!.body as { body: string }).body;
      expect(html).toContain("the customer asked for a person");
      expect(html).toContain("<b>Routing</b>: Assigned to team Support (the default team, as no routing rule matched).");
      expect(html).toContain("<b>Last question</b>: I want to talk to a real person about my invoices");
      expect(html).toContain("Maria Lopez");
      expect(html).toContain("plan: Team");
      expect(html).not.toContain("maria.lopez@example.com");
      const [row] = await db.query<{ escalation_reason: string }>("SELECT escalation_reason FROM conversations WHERE conversation_id = '25000000123'");
      expect(row?.escalation_reason).toBe("explicit_request");
    });

    it("writes the note in the team's language, naming the customer's and quoting their words as written", async () => {
      const french = new Worker(queue, { [HANDOFF_JOB]: handoffHandler({ clientFor: () => client, bot: new BotIdentity(), settings: fixedPolicy({ ...policy, team_language: "fr" }), db, logger: createLogger("silent") }) }, createLogger("silent"));
      await submit("Ich möchte mit einem Menschen sprechen, bitte", { context: { ...fixture("messenger-submit").context, locale: "de" } });
      await french.drain();
      // Intercom shows the note's HTML: an apostrophe arrives as an entity.
      const html = (writes().at(-1)!.body as { body: string }).body.replaceAll("&#x27;", "'");
      expect(html).toContain("<b>Transmis par l'assistant du centre d'aide</b>: le client a demandé une personne");
      expect(html).toContain("<b>Acheminement</b>: Attribué à l'équipe Support (l'équipe par défaut, aucune règle d'acheminement ne correspondant).");
      expect(html).toContain("Le client écrit en allemand");
      expect(html).toContain("<b>Dernière question</b>: Ich möchte mit einem Menschen sprechen, bitte");
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
      expect(writes().map((write) => write.path)).toEqual(["/conversations/25000000123/parts", ...TAGGED, "/conversations/25000000123/reply"]);
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
      expect(paths.slice(-4)).toEqual(["/conversations/25000000123/parts", ...TAGGED, "/conversations/25000000123/reply"]);
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
        expect(paths).toEqual(["/conversations/25000000457/parts", "/tags", "/conversations/25000000457/tags", "/conversations/25000000457/reply"]);
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

    it("sends a hand-off to the team chosen for the card when no routing rule matches, before the default team", async () => {
      const stored_data = { v: 1, turns: [], asked: 0, collections: [], team: "team-billing" };
      await submit("I want to talk to a real person", { current_canvas: { ...fixture("messenger-submit").current_canvas, stored_data } });
      await worker.drain();
      expect(writes()[0]!.body).toMatchObject({ message_type: "assignment", assignee_id: "team-billing" });
      expect((writes().at(-1)!.body as { body: string }).body).toContain("Assigned to team Billing (the team chosen for this Messenger card).");
    });

    it("asks Intercom to run the workspace's assignment rules when no rule, card team or default team applies", async () => {
      const bare = new Worker(queue, { [HANDOFF_JOB]: handoffHandler({ clientFor: () => client, bot: new BotIdentity(), settings: fixedPolicy(DEFAULT_POLICY), db, logger: createLogger("silent") }) }, createLogger("silent"));
      await submit("I want to talk to a real person");
      await bare.drain();
      expect(writes().map((write) => write.path)).toEqual(["/conversations/25000000123/run_assignment_rules", ...TAGGED, "/conversations/25000000123/reply"]);
      expect((writes().at(-1)!.body as { body: string }).body).toContain("Sent to the assignment rules of this workspace (no routing rule or team applies).");
    });

    it("falls back to the assignment rules when Intercom refuses the assignment, and skips a refused tag, still noting", async () => {
      intercom.refused.push(/^POST \/conversations\/\d+\/parts$/, /^POST \/tags$/);
      await submit("I want to talk to a real person");
      await worker.drain();
      expect(writes().map((write) => write.path)).toEqual(["/conversations/25000000123/parts", "/conversations/25000000123/run_assignment_rules", "/tags", "/conversations/25000000123/reply"]);
      expect((writes().at(-1)!.body as { body: string }).body).toContain("Sent to the assignment rules of this workspace (assigning to team team-support was refused).");
      expect(await queue.counts()).toMatchObject({ done: 1 });
    });

    it("reopens a snoozed conversation it hands over", async () => {
      const open = fixture("webhook-conversation-user-created").data.item;
      intercom.conversations.set("25000000123", { ...open, id: "25000000123", state: "snoozed" });
      try {
        await submit("I want to talk to a real person");
        await worker.drain();
        expect(writes()[1]).toEqual({ path: "/conversations/25000000123/parts", body: { message_type: "open", admin_id: "991267460" } });
      } finally {
        intercom.conversations.clear();
      }
    });

    it("creates each reason's tag once per workspace, and tags every handed-over conversation with it", async () => {
      await submit("I want to talk to a real person");
      await submit("I want to talk to a real person", { context: { ...fixture("messenger-submit").context, conversation_id: 25000000124 } });
      await worker.drain();
      // The two hand-offs run side by side, so only the set of calls is fixed, not their order.
      const tagging = writes().filter((write) => write.path.endsWith("/tags"));
      expect(tagging.filter((write) => write.path === "/tags")).toEqual([{ path: "/tags", body: { name: "Assistant hand-off: explicit request" } }]);
      expect(tagging.filter((write) => write.path !== "/tags").sort((a, b) => a.path.localeCompare(b.path))).toEqual([
        { path: "/conversations/25000000123/tags", body: { id: "800000", admin_id: "991267460" } },
        { path: "/conversations/25000000124/tags", body: { id: "800000", admin_id: "991267460" } },
      ]);
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
