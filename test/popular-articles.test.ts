// The Messenger home's live canvas lists the articles helping customers right now, read from the
// shared event log: another app instance (or this one after a restart) shows the same list.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EventLog } from "../server/metrics/events.ts";
import { EventPopularArticles } from "../server/metrics/popular-articles.ts";
import type { Database } from "../server/storage/database.ts";
import { fixture, startTestApp, type TestApp } from "./helpers/app.ts";
import { BACKENDS, openTestDatabase } from "./helpers/databases.ts";

type Json = Record<string, any>;
const PUBLIC = "https://assistant.example.com";

describe.each(BACKENDS)("on %s", (backend) => {
  let db: Database;
  let cleanup: () => Promise<void>;
  let events: EventLog;
  let first: TestApp;
  let second: TestApp;

  beforeAll(async () => {
    ({ db, cleanup } = await openTestDatabase(backend));
    events = new EventLog(db);
    first = await startTestApp({ publicUrl: PUBLIC, db, events });
    second = await startTestApp({ publicUrl: PUBLIC, db, events: new EventLog(db) });
  });
  afterAll(async () => {
    await first.close();
    await second.close();
    await cleanup();
  });

  const ask = async (app: TestApp, conversation: number, question: string) =>
    (await app.canvas("/canvas/messenger/submit", { ...fixture("messenger-submit"), context: { conversation_id: conversation, location: "conversation", locale: "en" }, input_values: { question } })).json() as Promise<Json>;
  const live = async (app: TestApp) => {
    const init = await (await app.canvas("/canvas/messenger/initialize", fixture("messenger-initialize"))).json();
    const json = await (await app.canvas("/canvas/messenger/content", { ...fixture("messenger-content"), canvas: init.canvas })).json();
    return ((json.content.components as Json[]).find((c) => c.type === "list")?.items ?? []).map((item: Json) => item.title);
  };

  it("shows on every instance the articles answers cited, a \"That helped\" counting double", async () => {
    await ask(first, 3001, "How do I reset my password?");
    await ask(first, 3002, "I forgot my password, how do I reset it?");
    const twoFactor = await ask(first, 3003, "How do I turn on two-factor authentication?");
    await first.canvas("/canvas/messenger/submit", { ...fixture("messenger-submit"), component_id: "helpful", input_values: {}, context: { conversation_id: 3003, location: "conversation", locale: "en" }, current_canvas: twoFactor.canvas });
    await events.flush();

    expect((await live(second)).slice(0, 2)).toEqual(["Turn on two-factor authentication", "Reset your password"]);
    // A new instance (or this one after a restart) reads the same log.
    const restarted = await startTestApp({ publicUrl: PUBLIC, db });
    try {
      expect((await live(restarted)).slice(0, 2)).toEqual(["Turn on two-factor authentication", "Reset your password"]);
    } finally {
      await restarted.close();
    }
  });

  it("weighs yesterday's citations half as much as today's", async () => {
    const day = 86_400_000;
    const now = Date.now();
    const cite = (id: string, title: string, at: number) => events.record({ workspaceId: "decay", conversationKey: `c${at}${id}`, kind: "bot_answer", at: new Date(at), data: { articles: [{ id, title, url: `https://help.example/${id}` }] } });
    await Promise.all([cite("old", "Yesterday's favourite", now - day), cite("old", "Yesterday's favourite", now - day), cite("old", "Yesterday's favourite", now - day), cite("new", "Today's", now), cite("new", "Today's", now)]);
    await events.flush();
    // 3 × 0.5 = 1.5 against 2: today's wins.
    const popular = new EventPopularArticles(db, { ttlMs: 0, now: () => now });
    expect(await popular.top("decay")).toEqual([
      { articleId: "new", title: "Today's", url: "https://help.example/new" },
      { articleId: "old", title: "Yesterday's favourite", url: "https://help.example/old" },
    ]);
    // Seen from yesterday, only yesterday's citations count.
    const yesterday = new EventPopularArticles(db, { ttlMs: 0, now: () => now - day + 1000 });
    expect((await yesterday.top("decay")).map((article) => article.articleId)).toEqual(["old"]);
  });
});
