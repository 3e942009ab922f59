// The metrics event log under a burst: every card's events are stored, a webhook delivered twice is
// counted once even when both copies arrive together, and a failed write is reported to its caller.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EventLog, eventsBetween, type MetricsEvent } from "../server/metrics/events.ts";
import type { Database } from "../server/storage/database.ts";
import { BACKENDS, openTestDatabase } from "./helpers/databases.ts";

describe.each(BACKENDS)("on %s", (backend) => {
  let db: Database;
  let cleanup: () => Promise<void>;
  beforeAll(async () => ({ db, cleanup } = await openTestDatabase(backend)));
  afterAll(async () => cleanup());

  it("stores every event of a burst, and each duplicated notification once", async () => {
    const observed: MetricsEvent[] = [];
    const log = new EventLog(db, (event) => observed.push(event));
    const burst = Array.from({ length: 700 }, (_, i): MetricsEvent => ({ workspaceId: "burst", conversationKey: `c${i % 50}`, kind: "customer_message", data: { turn: i } }));
    const rating = (copy: number): MetricsEvent => ({ workspaceId: "burst", conversationKey: "c1", kind: "rating", data: { rating: 5, copy }, dedupeKey: "notif_rating_1" });
    await Promise.all([...burst.slice(0, 350), rating(1), rating(2), ...burst.slice(350)].map((event) => log.record(event)));

    const stored = await eventsBetween(db, "burst", new Date(0), new Date(Date.now() + 60_000));
    expect(stored.filter((event) => event.kind === "customer_message")).toHaveLength(700);
    expect(stored.filter((event) => event.kind === "rating").map((event) => event.data.copy)).toEqual([1]);
    expect(observed.filter((event) => event.kind === "rating")).toHaveLength(1);
    expect(observed).toHaveLength(701);

    await log.record(rating(3));
    expect(observed).toHaveLength(701);
  });

  it("stores text with a NUL character or a lone surrogate, which Postgres refuses, as the replacement character", async () => {
    const log = new EventLog(db);
    await log.record({ workspaceId: "nul", conversationKey: "c\u0000", kind: "escalation", data: { question: "help\u0000me \ud800", ["odd\u0000key"]: ["\u0000", "\udc00"] }, dedupeKey: "n\u0000" });
    const [stored] = await eventsBetween(db, "nul", new Date(0), new Date(Date.now() + 60_000));
    expect(stored).toMatchObject({ conversation_key: "c\uFFFD", data: { question: "help\uFFFDme \uFFFD", ["odd\uFFFDkey"]: ["\uFFFD", "\uFFFD"] } });
  });

  it("tells the caller when its event could not be written, and still writes the events batched with it", async () => {
    const log = new EventLog(db);
    const broken: MetricsEvent = { workspaceId: "broken", conversationKey: "c", kind: "closed", at: new Date(Number.NaN) };
    const good: MetricsEvent = { workspaceId: "broken", conversationKey: "c", kind: "closed" };
    const results = await Promise.allSettled([log.record(good), log.record(good), log.record(broken), log.record(good)]);
    expect(results.map((result) => result.status)).toEqual(["fulfilled", "fulfilled", "rejected", "fulfilled"]);
    await log.record(good);
    const stored = await eventsBetween(db, "broken", new Date(0), new Date(Date.now() + 60_000));
    expect(stored).toHaveLength(4);
  });
});
