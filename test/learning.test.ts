// Learning from the team, end to end: signed webhooks (a customer's question, then a teammate's
// reply linking an article) go through the queue and the worker into the database and Chroma, and
// the next customer who asks the same thing in other words is led to that article.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { respond, type Decision } from "../server/assistant/assistant.ts";
import { customerProfile } from "../server/assistant/context.ts";
import { createAssistant } from "../server/assistant/create-assistant.ts";
import { DEFAULT_POLICY, fixedPolicy, type AssistantPolicy } from "../server/assistant/policy.ts";
import { BotIdentity } from "../server/intercom/bot-identity.ts";
import { createIntercomClient } from "../server/intercom/client.ts";
import { LearnedQuestions, type LearningMode } from "../server/learning/learned-questions.ts";
import { PARAPHRASE_JOB, Paraphrases } from "../server/learning/paraphrases.ts";
import { CustomerPicks, HELD_BACK_JOB } from "../server/learning/customer-picks.ts";
import { linkedPages } from "../server/learning/teammate-replies.ts";
import { ArticleDrafts } from "../server/flows/article-drafts.ts";
import { OpenAIChatModel } from "../server/assistant/chat-model.ts";
import { createLogger } from "../server/logger.ts";
import { EventLog } from "../server/metrics/events.ts";
import type { Database } from "../server/storage/database.ts";
import { JobQueue, Worker } from "../server/storage/queue.ts";
import { WEBHOOK_JOB, webhookHandler } from "../server/webhooks/process.ts";
import { fixture, startTestApp, testKnowledge, type TestApp } from "./helpers/app.ts";
import { BACKENDS, openTestDatabase } from "./helpers/databases.ts";
import { startFakeIntercom, type FakeIntercom } from "./helpers/fake-intercom.ts";
import { startFakeOpenAI } from "./helpers/fake-openai.ts";

const WORKSPACE = "ecahpwf5";
const INVITE = "https://help.tallybook.example/en/articles/8800117-invite-team-members-and-set-roles";
const TEAMMATE = "4412783";
const BOT = "991267460";

describe.each(BACKENDS)("on %s", (backend) => {
  let cleanup: () => Promise<void>;
  let db: Database;
  let intercom: FakeIntercom;
  let queue: JobQueue;
  let app: TestApp;
  let learned: LearnedQuestions;
  const knowledge = testKnowledge();
  const logger = createLogger("silent");
  const workers: Worker[] = [];

  function workerFor(policy: AssistantPolicy) {
    const assistant = createAssistant({ knowledge, logger, policy });
    const client = createIntercomClient({ token: "fake-access-token", baseUrl: intercom.url });
    const worker = new Worker(
      queue,
      {
        [WEBHOOK_JOB]: webhookHandler({
          assistant,
          clientFor: () => client,
          directoryFor: () => undefined,
          bot: new BotIdentity(),
          queue,
          db,
          logger,
          freshness: { changed: () => undefined, traffic: () => undefined },
          events: new EventLog(db),
          learned,
        }),
      },
      logger,
    );
    workers.push(worker);
    return { assistant, worker };
  }

  let on: ReturnType<typeof workerFor>;
  let notification = 0;
  const conversationOf = (id: string, question: string, parts: Array<{ author: string; body: string }> = []) => {
    const body = fixture("webhook-conversation-admin-replied");
    body.id = `notif_learning_${++notification}`;
    body.data.item.id = id;
    body.data.item.source.body = `<p>${question}</p>`;
    body.data.item.conversation_parts.conversation_parts = parts.map(({ author, body: html }, i) => ({ type: "conversation_part", id: `${id}${i}`, part_type: "comment", body: html, author: { type: "admin", id: author, name: "Sam" } }));
    return body;
  };
  /** A customer asks in a new conversation; the assistant (agent-suggestion mode) posts its note. */
  async function customerAsks(id: string, question: string, worker = on.worker) {
    const body = conversationOf(id, question);
    body.topic = "conversation.user.created";
    expect((await app.webhook(body)).status).toBe(200);
    await worker.drain();
  }
  async function teammateReplies(id: string, question: string, html: string, author = TEAMMATE, worker = on.worker) {
    expect((await app.webhook(conversationOf(id, question, [{ author, body: html }]))).status).toBe(200);
    await worker.drain();
  }
  const ask = (message: string, assistant = on.assistant): Promise<Decision> =>
    respond({ workspaceId: WORKSPACE, message, history: [], previousSentiments: [], turnNumber: 1, customer: customerProfile(undefined) }, assistant);
  /** Learning from customers runs beside the card: wait until what it learned is in Chroma, so the next test can remove it. */
  const indexed = async () => {
    for (let i = 0; i < 100 && (await db.query("SELECT 1 FROM learned_questions WHERE status = 'active' AND record_id IS NULL")).length; i++) await new Promise((resolve) => setTimeout(resolve, 20));
  };
  const firstShown = (decision: Decision) => (decision.action === "answer" ? decision.sources : decision.action === "offer_choice" || decision.action === "clarify" ? decision.options : [])[0]?.articleId;

  beforeAll(async () => {
    ({ db, cleanup } = await openTestDatabase(backend));
    intercom = await startFakeIntercom({ workspaceId: WORKSPACE });
    queue = new JobQueue(db, { leaseMs: 60_000, maxAttempts: 3, backoffMs: () => 0 });
    learned = new LearnedQuestions({ db, index: knowledge, logger });
    on = workerFor(DEFAULT_POLICY);
    app = await startTestApp({ assistant: on.assistant, queue });
  });
  afterAll(async () => {
    await app.close();
    await intercom.close();
    await cleanup();
  });
  beforeEach(async () => {
    for (const question of await learned.list(WORKSPACE)) await learned.remove(WORKSPACE, question.id);
    await db.query("DELETE FROM learned_questions");
    await db.query("DELETE FROM jobs");
  });

  it("learns the customer's question from a teammate's reply that links an article, and leads the next customer there", async () => {
    const later = "let my bookkeeper look at the numbers";
    expect(firstShown(await ask(later))).not.toBe("8800117");

    await customerAsks("31000000001", "let my bookkeeper see my numbers");
    await teammateReplies("31000000001", "let my bookkeeper see my numbers", `<p>Hi! You can invite them as an Accountant: <a href="${INVITE}">Invite team members</a>.</p>`);

    expect(await learned.list(WORKSPACE)).toMatchObject([{ articleKey: "8800117", question: "let my bookkeeper see my numbers", source: "teammate", conversationId: "31000000001", status: "active" }]);
    expect(firstShown(await ask(later))).toBe("8800117");

    // The teammate who opens the Inbox app sees where the suggestion came from.
    const inbox = fixture("inbox-initialize");
    inbox.conversation.source.body = `<p>${later}</p>`;
    inbox.conversation.conversation_parts = { type: "conversation_part.list", conversation_parts: [], total_count: 0 };
    const card = await (await app.canvas("/canvas/inbox/initialize", inbox)).json();
    const items = card.canvas.content.components.flatMap((c: { type: string; items?: Array<Record<string, string>> }) => (c.type === "list" ? (c.items ?? []) : []));
    expect(items[0]).toMatchObject({ title: "Invite team members and set roles", tertiary_text: "Taught by your team: “let my bookkeeper see my numbers”" });
  });

  it("answers a wording a teammate already answered with an article (it offered a choice before), and leaves other wordings as they were", async () => {
    const question = "my accountant uses xero";
    const nearby = "accountant export";
    expect(await ask(question)).toMatchObject({ action: "offer_choice" });
    const before = await ask(nearby);

    await customerAsks("31000000009", question);
    await teammateReplies("31000000009", question, `<p>See <a href="https://help.tallybook.example/en/articles/8800140-send-your-data-to-your-accountants-software">this article</a>.</p>`);

    expect(await ask("My accountant uses Xero?")).toMatchObject({ action: "answer", sources: [{ articleId: "8800140", learnedQuestion: question }] });
    const after = await ask(nearby);
    expect(after.action).toBe(before.action);
  });

  it("answers a one-word question a teammate already answered with an article, instead of asking what it is about", async () => {
    expect(await ask("xero")).toMatchObject({ action: "clarify" });
    await customerAsks("31000000031", "xero");
    await teammateReplies("31000000031", "xero", `<p>See <a href="https://help.tallybook.example/en/articles/8800140-send-your-data-to-your-accountants-software">this article</a>.</p>`);
    expect(await ask("Xero?")).toMatchObject({ action: "answer", sources: [{ articleId: "8800140", learnedQuestion: "xero" }] });
    // Another one-word question is still unclear.
    expect(await ask("stripe")).toMatchObject({ action: "clarify" });
  });

  it("does not hand over again, on the classifier's guess alone, a question a teammate answered with an article", async () => {
    // The classifier guesses a request for sales, and nothing in the Help Center is close.
    const question = "we are an agency, what would a package cost";
    const rewording = "we are an agency, what would the package cost";
    expect(await ask(question)).toMatchObject({ action: "escalate", reason: "human_request" });
    expect(await ask(rewording)).toMatchObject({ action: "escalate" });
    await customerAsks("31000000007", question);
    await teammateReplies("31000000007", question, `<a href="https://help.tallybook.example/en/articles/8800111-tallybook-plans-and-pricing">Plans and pricing</a>`);
    expect(firstShown(await ask("We are an agency: what would a package cost?"))).toBe("8800111");
    // Other words that retrieval finds through the learned question are not handed over either: the article comes first.
    const reworded = await ask(rewording);
    expect(reworded.action).not.toBe("escalate");
    expect(firstShown(reworded)).toBe("8800111");
    // An explicit request for a person is still one.
    expect(await ask("we are an agency, what would a package cost? I want to talk to a human")).toMatchObject({ action: "escalate", reason: "explicit_request" });
  });

  it("keeps what one workspace learned to that workspace", async () => {
    const other = "otherws7";
    await knowledge.sync(other);
    const later = "let my bookkeeper look at the numbers";
    const askIn = (workspaceId: string) => respond({ workspaceId, message: later, history: [], previousSentiments: [], turnNumber: 1, customer: customerProfile(undefined) }, on.assistant);
    await customerAsks("31000000021", "let my bookkeeper see my numbers");
    await teammateReplies("31000000021", "let my bookkeeper see my numbers", `<a href="${INVITE}">here</a>`);
    expect(firstShown(await askIn(WORKSPACE))).toBe("8800117");
    expect(firstShown(await askIn(other))).not.toBe("8800117");
    expect(await learned.list(other)).toEqual([]);
  });

  it("never uses a removed question again, and does not learn it again", async () => {
    await customerAsks("31000000002", "let my bookkeeper see my numbers");
    await teammateReplies("31000000002", "let my bookkeeper see my numbers", `<a href="${INVITE}">here</a>`);
    const [question] = await learned.list(WORKSPACE);
    expect(await learned.remove(WORKSPACE, question!.id)).toBe(true);
    expect(firstShown(await ask("let my bookkeeper look at the numbers"))).not.toBe("8800117");

    await customerAsks("31000000003", "Let my bookkeeper see my numbers!");
    await teammateReplies("31000000003", "Let my bookkeeper see my numbers!", `<a href="${INVITE}">here</a>`);
    expect((await learned.list(WORKSPACE)).map((q) => q.status)).toEqual(["removed"]);
    expect(firstShown(await ask("let my bookkeeper look at the numbers"))).not.toBe("8800117");
  });

  it("learns nothing from the bot's own replies, from links to unknown articles or other Help Centers, or where the assistant took no part", async () => {
    await customerAsks("31000000004", "let my bookkeeper see my numbers");
    await teammateReplies("31000000004", "let my bookkeeper see my numbers", `<a href="${INVITE}">here</a>`, BOT);
    await teammateReplies("31000000004", "let my bookkeeper see my numbers", `<a href="https://help.tallybook.example/en/articles/9999999-nothing">here</a>`);
    await teammateReplies("31000000004", "let my bookkeeper see my numbers", `<a href="https://help.someone-else.example/en/articles/8800117-invite">here</a>`);
    // A conversation the assistant never saw: the customer's words may not be a question at all.
    await teammateReplies("31000000005", "let my bookkeeper see my numbers", `<a href="${INVITE}">here</a>`);
    expect(await learned.list(WORKSPACE)).toEqual([]);
  });

  it("holds what it learns for approval in review mode, and uses it once approved", async () => {
    const review = workerFor({ ...DEFAULT_POLICY, learning: "review" });
    await customerAsks("31000000006", "let my bookkeeper see my numbers", review.worker);
    await teammateReplies("31000000006", "let my bookkeeper see my numbers", `<a href="${INVITE}">here</a>`, TEAMMATE, review.worker);
    const [pending] = await learned.list(WORKSPACE);
    expect(pending).toMatchObject({ status: "pending" });
    expect(firstShown(await ask("let my bookkeeper look at the numbers"))).not.toBe("8800117");
    expect(await learned.approve(WORKSPACE, pending!.id)).toBe(true);
    expect(firstShown(await ask("let my bookkeeper look at the numbers"))).toBe("8800117");
  });

  it("shows what was learned in the report, where an admin approves or removes it (own forms only), and exports it", async () => {
    const review = workerFor({ ...DEFAULT_POLICY, learning: "review" });
    await customerAsks("31000000008", "let my bookkeeper see my numbers", review.worker);
    await teammateReplies("31000000008", "let my bookkeeper see my numbers", `<a href="${INVITE}">here</a>`, TEAMMATE, review.worker);
    const token = "learning-report-token-0123456789";
    const report = await startTestApp({ knowledge, db, adminToken: token, learned });
    const auth = { authorization: `Bearer ${token}` };
    const form = (id: string, action: string, headers: Record<string, string> = {}) =>
      fetch(`${report.url}/report/learned/${id}/${action}`, { method: "POST", headers: { ...auth, "content-type": "application/x-www-form-urlencoded", ...headers }, body: `workspace=${WORKSPACE}`, redirect: "manual" });
    try {
      const page = await (await fetch(`${report.url}/report?workspace=${WORKSPACE}`, { headers: auth })).text();
      expect(page).toContain("“let my bookkeeper see my numbers”");
      expect(page).toContain(`<a href="${INVITE}">Invite team members and set roles</a>`);
      const [question] = await learned.list(WORKSPACE);
      expect(page).toContain(`action="/report/learned/${question!.id}/approve"`);

      expect((await fetch(`${report.url}/report/learned/${question!.id}/approve`, { method: "POST", body: `workspace=${WORKSPACE}` })).status).toBe(401);
      expect((await form(question!.id, "approve", { origin: "https://evil.example" })).status).toBe(403);
      expect((await form(question!.id, "approve")).status).toBe(303);
      expect(firstShown(await ask("let my bookkeeper look at the numbers"))).toBe("8800117");
      // A card that shows the article through the learned question counts a use.
      await report.canvas("/canvas/messenger/submit", { ...fixture("messenger-submit"), input_values: { question: "let my bookkeeper look at the numbers" } });
      for (let i = 0; i < 100 && (await learned.list(WORKSPACE))[0]!.uses === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      expect((await learned.list(WORKSPACE))[0]).toMatchObject({ uses: 1 });

      const csv = await (await fetch(`${report.url}/report/learned-questions.csv?workspace=${WORKSPACE}`, { headers: auth })).text();
      expect(csv.split("\r\n")[0]).toBe('"question","article","title","source","conversation","learned_at","status","uses","confirmed_by","rewording_of"');
      expect(csv).toContain('"let my bookkeeper see my numbers","8800117","Invite team members and set roles","teammate","31000000008",');

      expect((await form(question!.id, "remove")).status).toBe(303);
      expect((await form(question!.id, "remove")).status).toBe(404);
      expect(firstShown(await ask("let my bookkeeper look at the numbers"))).not.toBe("8800117");
    } finally {
      await report.close();
    }
  });

  it("shows what teammates answered without an article beside the content gap, and an admin turns it into a draft article in Intercom, once", async () => {
    await db.query("DELETE FROM events");
    await db.query("DELETE FROM article_drafts");
    const reply = "Not yet: Tallybook takes cards, PayPal and bank transfers. Crypto is on our roadmap.";
    for (const [id, question] of [["31000000011", "can clients pay me in bitcoin"], ["31000000012", "do you take bitcoin or other crypto"]] as const) {
      await customerAsks(id, question);
      await teammateReplies(id, question, `<p>${reply}</p>`);
    }
    expect(await learned.list(WORKSPACE)).toEqual([]);

    const client = createIntercomClient({ token: "fake-access-token", baseUrl: intercom.url });
    const drafts = new ArticleDrafts({ db, knowledge, calibrations: on.assistant.calibrations, clientFor: () => client, bot: new BotIdentity(), settings: on.assistant.settings, logger });
    const token = "drafts-report-token-0123456789";
    const report = await startTestApp({ knowledge, db, adminToken: token, learned, drafts });
    const auth = { authorization: `Bearer ${token}` };
    try {
      const page = await (await fetch(`${report.url}/report?workspace=${WORKSPACE}`, { headers: auth })).text();
      const gaps = page.slice(page.indexOf('<table id="gaps">'), page.indexOf("</table>", page.indexOf('<table id="gaps">')));
      expect(gaps).toContain("“can clients pay me in bitcoin”");
      expect(gaps).toContain(`<blockquote>${reply}</blockquote>`);
      const topic = /name="topic" value="([^"]+)"/.exec(gaps)![1]!.replaceAll("&#x60;", "`").replaceAll("&#x3D;", "=");
      expect(topic).toContain("bitcoin");
      const createDraft = (headers: Record<string, string> = {}) =>
        fetch(`${report.url}/report/drafts`, { method: "POST", headers: { ...auth, "content-type": "application/x-www-form-urlencoded", ...headers }, body: new URLSearchParams({ workspace: WORKSPACE, topic }).toString(), redirect: "manual" });

      expect((await createDraft({ origin: "https://evil.example" })).status).toBe(403);
      const created = await createDraft();
      expect(created.status).toBe(303);
      expect(created.headers.get("location")).toContain("draft=created");
      const posted = intercom.requests.filter((request) => request.method === "POST" && request.path === "/articles");
      expect(posted).toHaveLength(1);
      expect(posted[0]!.body).toMatchObject({ title: expect.stringMatching(/bitcoin/i), author_id: Number(BOT), state: "draft" });
      expect((posted[0]!.body as { body: string }).body).toContain(reply);
      expect((posted[0]!.body as { body: string }).body).toContain("“do you take bitcoin or other crypto”");

      // The same topic again is not drafted twice; the page says so and lists the draft.
      expect((await createDraft()).headers.get("location")).toContain("draft=already_drafted");
      expect(intercom.requests.filter((request) => request.method === "POST" && request.path === "/articles")).toHaveLength(1);
      const after = await (await fetch(`${report.url}/report?workspace=${WORKSPACE}&draft=already_drafted`, { headers: auth })).text();
      expect(after).toContain("A draft for this topic was created already.");
      expect(after).toContain("Draft created: “Can clients pay me in bitcoin”");
      expect(after.slice(after.indexOf('<table id="draft-articles">'))).toContain("teammates&#x27; replies, as they are");
      expect(await drafts.list(WORKSPACE)).toMatchObject([{ title: "Can clients pay me in bitcoin", intercomArticleId: "9100000", writtenBy: "teammates" }]);
    } finally {
      await report.close();
    }
  });

  it("has the model write the draft from the teammates' replies, and never drafts what an article now answers", async () => {
    await db.query("DELETE FROM article_drafts");
    const openai = await startFakeOpenAI();
    openai.chat = () => ({ content: JSON.stringify({ title: "Can my clients pay in crypto?", body: "Not yet. Tallybook takes **cards**, PayPal and bank transfers." }) });
    const model = new OpenAIChatModel({ baseUrl: openai.url, model: "drafter" });
    const client = createIntercomClient({ token: "fake-access-token", baseUrl: intercom.url });
    const drafts = new ArticleDrafts({ db, knowledge, calibrations: on.assistant.calibrations, clientFor: () => client, bot: new BotIdentity(), settings: fixedPolicy({ ...DEFAULT_POLICY, company_name: "Tallybook" }), logger, model });
    const gap = { topic: "bitcoin · pay · crypto", count: 2, examples: ["can clients pay me in bitcoin"], answers: [{ question: "can clients pay me in bitcoin", reply: "Not yet: cards, PayPal and bank transfers.", conversation: "31000000011" }] };
    try {
      const outcome = await drafts.create(WORKSPACE, gap);
      expect(outcome).toMatchObject({ status: "created", draft: { title: "Can my clients pay in crypto?", writtenBy: "model" } });
      const prompt = (openai.requests.at(-1)!.body.messages as Array<{ content: string }>)[0]!.content;
      expect(prompt).toContain("<reply>Not yet: cards, PayPal and bank transfers.</reply>");
      expect(prompt).toContain("Tallybook");
      const body = (intercom.requests.filter((request) => request.path === "/articles").at(-1)!.body as { body: string }).body;
      expect(body).toBe("<p>Not yet. Tallybook takes <strong>cards</strong>, PayPal and bank transfers.</p>");

      const answered = { topic: "password · reset", count: 1, examples: ["how do i reset my password"], answers: [] };
      expect(await drafts.create(WORKSPACE, answered)).toMatchObject({ status: "covered", article: { title: "Reset your password" } });
    } finally {
      await openai.close();
    }
  });

  it("learns from customers once two conversations agree that an answer helped with their question", async () => {
    const cards = await startTestApp({ knowledge, db, learned, assistant: on.assistant });
    try {
      const helpedIn = async (conversationId: number) => {
        const answered = await (await cards.canvas("/canvas/messenger/submit", { ...fixture("messenger-submit"), context: { ...fixture("messenger-submit").context, conversation_id: conversationId }, input_values: { question: "bill a retainer client every month" } })).json();
        expect(answered.canvas.stored_data.turns.at(-1).articles[0]).toBe("8800104");
        await cards.canvas("/canvas/messenger/submit", { ...fixture("messenger-submit"), context: { ...fixture("messenger-submit").context, conversation_id: conversationId }, component_id: "helpful", input_values: {}, current_canvas: answered.canvas });
      };
      // The card does not wait for learning: the signal is recorded beside it.
      const signals = async (count: number) => {
        for (let i = 0; i < 100 && (await db.query("SELECT 1 FROM customer_signals")).length < count; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      };
      const learnedSoon = async () => {
        for (let i = 0; i < 100; i++) {
          const list = await learned.list(WORKSPACE);
          if (list.length) return list;
          await new Promise((resolve) => setTimeout(resolve, 30));
        }
        return [];
      };
      await helpedIn(32000000001);
      await helpedIn(32000000001);
      await signals(1);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await learned.list(WORKSPACE)).toEqual([]);
      await helpedIn(32000000002);
      await signals(2);
      expect(await learnedSoon()).toMatchObject([{ articleKey: "8800104", question: "bill a retainer client every month", source: "customers", status: "active" }]);
      await indexed();
    } finally {
      await cards.close();
      await db.query("DELETE FROM customer_signals");
    }
  });

  it("after an article picked from a choice, learns the question the customer typed, not the title they clicked", async () => {
    const cards = await startTestApp({ knowledge, db, learned, assistant: on.assistant });
    try {
      for (const conversationId of [32000000004, 32000000005]) {
        const context = { ...fixture("messenger-submit").context, conversation_id: conversationId };
        const offered = await (await cards.canvas("/canvas/messenger/submit", { ...fixture("messenger-submit"), context, input_values: { question: "can my accountant log in" } })).json();
        const pick = offered.canvas.content.components.find((c: { id?: string; label?: string }) => c.id?.startsWith("choice_") && c.label === "Send your data to your accountant's software");
        expect(pick).toBeDefined();
        const answered = await (await cards.canvas("/canvas/messenger/submit", { ...fixture("messenger-submit"), context, component_id: pick.id, input_values: {}, current_canvas: offered.canvas })).json();
        await cards.canvas("/canvas/messenger/submit", { ...fixture("messenger-submit"), context, component_id: "helpful", input_values: {}, current_canvas: answered.canvas });
      }
      let list = await learned.list(WORKSPACE);
      for (let i = 0; i < 100 && list.length === 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 30));
        list = await learned.list(WORKSPACE);
      }
      expect(list).toMatchObject([{ question: "can my accountant log in", source: "customers" }]);
      await indexed();
    } finally {
      await cards.close();
      await db.query("DELETE FROM customer_signals");
    }
  });

  describe("every pick teaches", () => {
    const ACCOUNTANT = "Send your data to your accountant's software";
    /** Picks confirmed as soon as the worker looks: the test stands in for the window's wait. */
    const AT_ONCE: AssistantPolicy = { ...DEFAULT_POLICY, customer_pick_confirm_minutes: 0 };
    /** The card app, with customers' picks and a worker to confirm them. */
    async function picking(policy: AssistantPolicy = AT_ONCE, clock?: () => Date) {
      const picks = new CustomerPicks({ db, queue, learned, policyFor: async () => policy, logger, ...(clock ? { clock } : {}) });
      const cards = await startTestApp({ knowledge, db, learned, picks, assistant: createAssistant({ knowledge, logger, policy }) });
      const worker = new Worker(queue, picks.handlers(), logger);
      const submit = async (contactId: string, conversationId: number, fields: Record<string, unknown>) =>
        (await cards.canvas("/canvas/messenger/submit", { ...fixture("messenger-submit"), user: { ...fixture("messenger-submit").user, id: contactId }, context: { ...fixture("messenger-submit").context, conversation_id: conversationId }, ...fields })).json();
      /** A contact asks, is offered a choice, and picks the article titled `title`; the card it gets back. */
      const pick = async (contactId: string, conversationId: number, question: string, title = ACCOUNTANT) => {
        const offered = await submit(contactId, conversationId, { input_values: { question } });
        const choice = offered.canvas.content.components.find((c: { id?: string; label?: string }) => c.id?.startsWith("choice_") && c.label === title);
        expect(choice, `"${question}" offers "${title}"`).toBeDefined();
        return submit(contactId, conversationId, { component_id: choice.id, input_values: {}, current_canvas: offered.canvas });
      };
      return { cards, worker, submit, pick };
    }
    afterEach(async () => {
      await db.query("DELETE FROM customer_picks");
      await db.query("DELETE FROM customer_learning_slots");
      await db.query("DELETE FROM customer_signals");
    });

    it("learns the question once two contacts confirm the article they picked; one contact, even twice, teaches nothing", async () => {
      const { cards, worker, pick } = await picking();
      try {
        await pick("contact-a", 33000000001, "can my accountant log in");
        await pick("contact-a", 33000000002, "can my accountant log in");
        await worker.drain();
        expect(await learned.list(WORKSPACE)).toEqual([]);
        await pick("contact-b", 33000000003, "Can my accountant log in?");
        await worker.drain();
        // Near-identical wordings agree; the one that completed the agreement is learned.
        expect(await learned.list(WORKSPACE)).toMatchObject([{ question: "Can my accountant log in?", articleKey: "8800140", source: "customers", status: "active", confirmedBy: 2 }]);
        // The teammate who opens the Inbox app sees that customers, not the team, taught it.
        await indexed();
        const inbox = fixture("inbox-initialize");
        inbox.conversation.source.body = "<p>can my accountant log in</p>";
        inbox.conversation.conversation_parts = { type: "conversation_part.list", conversation_parts: [], total_count: 0 };
        const card = await (await cards.canvas("/canvas/inbox/initialize", inbox)).json();
        const items = card.canvas.content.components.flatMap((c: { type: string; items?: Array<Record<string, string>> }) => (c.type === "list" ? (c.items ?? []) : []));
        expect(items[0]).toMatchObject({ title: ACCOUNTANT, tertiary_text: "Confirmed by your customers: “Can my accountant log in?”" });
      } finally {
        await cards.close();
      }
    });

    it("learns nothing from a pick followed by 'Get more help', or by the same question asked again", async () => {
      const { cards, worker, pick, submit } = await picking();
      try {
        const answered = await pick("contact-a", 33000000011, "can my accountant log in");
        await submit("contact-a", 33000000011, { component_id: "more_help", input_values: {}, current_canvas: answered.canvas });
        await pick("contact-b", 33000000012, "can my accountant log in");
        await submit("contact-b", 33000000012, { input_values: { question: "no, how does my accountant log in to tallybook" } });
        await pick("contact-c", 33000000013, "can my accountant log in");
        await worker.drain();
        expect(await db.query("SELECT contact_key, status FROM customer_picks ORDER BY id")).toMatchObject([
          { contact_key: "contact-a", status: "withdrawn" },
          { contact_key: "contact-b", status: "withdrawn" },
          { contact_key: "contact-c", status: "confirmed" },
        ]);
        expect(await learned.list(WORKSPACE)).toEqual([]);
      } finally {
        await cards.close();
      }
    });

    it("learns only what more than two thirds of the contacts who confirmed an article for the question agree on", async () => {
      const { cards, worker, pick } = await picking();
      try {
        const picks: Array<[string, number, string?]> = [["contact-a", 33000000051], ["contact-b", 33000000052, "Transfer account ownership"], ["contact-c", 33000000053]];
        for (const [contact, conversation, title] of picks) {
          await pick(contact, conversation, "my accountant uses xero", title);
          await worker.drain();
        }
        expect(await learned.list(WORKSPACE)).toEqual([]);
        await pick("contact-d", 33000000054, "my accountant uses xero");
        await worker.drain();
        expect(await learned.list(WORKSPACE)).toMatchObject([{ question: "my accountant uses xero", articleKey: "8800140", confirmedBy: 3 }]);
      } finally {
        await cards.close();
      }
    });

    it("stops using what customers taught once more of them confirm another article for the question", async () => {
      const picks = new CustomerPicks({ db, queue, learned, policyFor: async () => AT_ONCE, logger });
      const worker = new Worker(queue, picks.handlers(), logger);
      const confirm = async (contact: string, articleKey: string) => {
        await picks.picked({ workspaceId: WORKSPACE, articleKey, question: "my accountant uses xero", contactKey: contact, conversationKey: `contact:${contact}` });
        await worker.drain();
      };
      /** The learned question that led to the first article shown, if one did. */
      const ledBy = async () => {
        const decision = await ask("my accountant uses xero");
        return (decision.action === "answer" ? decision.sources : decision.action === "offer_choice" ? decision.options : [])[0]?.learnedQuestion;
      };
      await confirm("contact-a", "8800140");
      await confirm("contact-b", "8800140");
      expect(await learned.list(WORKSPACE)).toMatchObject([{ articleKey: "8800140" }]);
      expect(await ledBy()).toBe("my accountant uses xero");
      await confirm("contact-c", "8800117");
      expect(await learned.list(WORKSPACE)).toEqual([]);
      expect(await ledBy()).not.toBe("my accountant uses xero");
    });

    it("learns nothing when as many other customers said the article did not help with that question", async () => {
      const { cards, worker, pick } = await picking();
      try {
        for (const conversation of ["33000000041", "33000000042"]) {
          await learned.customerSignal({ workspaceId: WORKSPACE, articleKey: "8800140", question: "can my accountant log in?", conversationKey: conversation, helped: false, mode: "on" });
        }
        await pick("contact-a", 33000000043, "can my accountant log in");
        await pick("contact-b", 33000000044, "can my accountant log in");
        await worker.drain();
        expect(await learned.list(WORKSPACE)).toEqual([]);
      } finally {
        await cards.close();
      }
    });

    it("learns at most the policy's number of questions a day per article from customers, and the held-back one the next day", async () => {
      let today = new Date("2026-12-04T15:00:00Z");
      const { cards, worker, pick } = await picking({ ...AT_ONCE, customer_learned_per_article_per_day: 1 }, () => today);
      try {
        for (const [contact, conversation] of [["contact-a", 33000000021], ["contact-b", 33000000022]] as const) await pick(contact, conversation, "can my accountant log in");
        for (const [contact, conversation] of [["contact-c", 33000000023], ["contact-d", 33000000024]] as const) await pick(contact, conversation, "my accountant uses xero");
        await worker.drain();
        // Both questions were confirmed by two contacts; only one is learned today.
        expect(await db.query("SELECT count(DISTINCT contact_key)::int AS n FROM customer_picks WHERE status = 'confirmed'")).toEqual([{ n: 4 }]);
        expect(await learned.list(WORKSPACE)).toHaveLength(1);
        // The other waits for tomorrow, 9 hours away: one try for the question, however many picks
        // confirmed it. (Two confirmations of the learned one, handled at once, may each have asked
        // for a slot: its try tomorrow finds it learned.)
        const waiting = await db.query<{ question: string; tries: number; wait: number }>(
          `SELECT p.question, count(*)::int AS tries, max(round(extract(epoch FROM j.run_at - now()) / 3600))::int AS wait
             FROM jobs j JOIN customer_picks p ON p.id = (j.payload->>'pickId')::bigint WHERE j.kind = $1 AND j.status = 'pending' GROUP BY p.question`,
          [HELD_BACK_JOB],
        );
        const learnedFirst = (await learned.list(WORKSPACE))[0]!.question;
        expect(waiting.filter((row) => row.question !== learnedFirst)).toEqual([{ question: learnedFirst === "my accountant uses xero" ? "can my accountant log in" : "my accountant uses xero", tries: 1, wait: 9 }]);
        // The night passes (the test stands in for the wait): the next day has a free slot.
        today = new Date("2026-12-05T00:00:01Z");
        await db.query("UPDATE jobs SET run_at = now() WHERE kind = $1 AND status = 'pending'", [HELD_BACK_JOB]);
        await worker.drain();
        expect((await learned.list(WORKSPACE)).map((q) => q.question).sort()).toEqual(["can my accountant log in", "my accountant uses xero"]);
      } finally {
        await cards.close();
      }
    });

    it("holds what customers confirm for approval in review mode", async () => {
      const { cards, worker, pick } = await picking({ ...AT_ONCE, learning: "review" });
      try {
        await pick("contact-a", 33000000031, "can my accountant log in");
        await pick("contact-b", 33000000032, "can my accountant log in");
        await worker.drain();
        expect(await learned.list(WORKSPACE)).toMatchObject([{ question: "can my accountant log in", source: "customers", status: "pending" }]);
      } finally {
        await cards.close();
      }
    });
  });

  it("lowers an article for the same question once a customer asked for more help right after its answer", async () => {
    const assistant = createAssistant({ knowledge, logger, notHelped: (workspaceId, question) => learned.notHelpedFor(workspaceId, question) });
    const cards = await startTestApp({ knowledge, db, learned, assistant });
    const question = "bill a retainer client every month";
    try {
      const before = await ask(question, assistant);
      expect(before).toMatchObject({ action: "answer", sources: [{ articleId: "8800104" }] });
      const context = { ...fixture("messenger-submit").context, conversation_id: 32000000003 };
      const answered = await (await cards.canvas("/canvas/messenger/submit", { ...fixture("messenger-submit"), context, input_values: { question } })).json();
      await cards.canvas("/canvas/messenger/submit", { ...fixture("messenger-submit"), context, component_id: "more_help", input_values: {}, current_canvas: answered.canvas });
      for (let i = 0; i < 100 && (await db.query("SELECT 1 FROM customer_signals WHERE NOT helped")).length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));

      const after = await ask("Bill a retainer client every month?", assistant);
      expect(after.action === "answer" && after.sources[0]?.articleId === "8800104").toBe(false);
      // Another question is not touched by it.
      expect(firstShown(await ask("how do I set up recurring invoices", assistant))).toBe("8800104");
    } finally {
      await cards.close();
      await db.query("DELETE FROM customer_signals");
    }
  });

  describe("the model rewords what people taught", () => {
    const TAUGHT = "let my bookkeeper see my numbers";
    let openai: Awaited<ReturnType<typeof startFakeOpenAI>>;
    let rewording: { learned: LearnedQuestions; worker: Worker };
    const rewordingFor = (policy: AssistantPolicy) => {
      let paraphrases: Paraphrases | undefined;
      const withModel = new LearnedQuestions({ db, index: knowledge, logger, onTaught: async (workspaceId, questions) => paraphrases?.request(workspaceId, questions) });
      paraphrases = new Paraphrases({ queue, model: new OpenAIChatModel({ baseUrl: openai.url, model: "rewriter" }), learned: withModel, knowledge, calibrations: on.assistant.calibrations, settings: fixedPolicy(policy), logger });
      return { learned: withModel, worker: new Worker(queue, { [PARAPHRASE_JOB]: paraphrases.handler() }, logger) };
    };
    const teach = async (mode: LearningMode = "on") => {
      await rewording.learned.learn({ workspaceId: WORKSPACE, articleKey: "8800117", questions: [TAUGHT], source: "teammate", conversationId: "31000000051", mode });
      await rewording.worker.drain();
    };
    const rewordings = async () => (await rewording.learned.list(WORKSPACE)).filter((question) => question.source === "model");
    const says = (paraphrases: unknown) => () => ({ content: JSON.stringify({ paraphrases }) });

    beforeAll(async () => {
      openai = await startFakeOpenAI();
      rewording = rewordingFor(DEFAULT_POLICY);
      await knowledge.load(WORKSPACE);
    });
    afterAll(() => openai.close());

    it("indexes an honest model's rewordings beside the question, and the next customer's words meet them; the card names what the team taught", async () => {
      const asked = "can my bookkeeper look at the invoices";
      expect(firstShown(await ask(asked))).not.toBe("8800117");
      openai.chat = says(["Can my bookkeeper look at the invoices?", "let my bookkeeper see my numbers please", "How do I give my bookkeeper access?"]);
      await teach();

      const prompt = (openai.requests.at(-1)!.body.messages as Array<{ content: string }>)[0]!.content;
      expect(prompt).toContain(`<question>${TAUGHT}</question>`);
      expect(prompt).toContain("<article>Invite team members and set roles</article>");
      // The near-copy of the question is not kept.
      expect((await rewordings()).map((question) => [question.question, question.paraphraseOf, question.status])).toEqual([
        ["How do I give my bookkeeper access?", TAUGHT, "active"],
        ["Can my bookkeeper look at the invoices?", TAUGHT, "active"],
      ]);
      const decision = await ask(asked);
      expect(firstShown(decision)).toBe("8800117");
      const shown = decision.action === "answer" ? decision.sources[0] : decision.action === "offer_choice" ? decision.options[0] : undefined;
      expect(shown).toMatchObject({ learnedQuestion: TAUGHT, learnedFrom: "teammate" });
    });

    it("keeps nothing a credulous model makes up or takes from another article, and nothing of a model that answers in prose or fails", async () => {
      const forget = async () => {
        for (const question of await rewording.learned.list(WORKSPACE)) await rewording.learned.remove(WORKSPACE, question.id);
        await db.query("DELETE FROM learned_questions");
      };
      openai.chat = says(["Can my bookkeeper see my numbers in the Acme Ledger app?", "How do I cancel my subscription?", "Reset my password"]);
      await teach();
      expect(await rewordings()).toEqual([]);
      await forget();

      openai.chat = () => ({ content: "Sure! Here are some ways customers might ask this." });
      await teach();
      expect(await rewordings()).toEqual([]);
      await forget();

      // A model that fails is asked again later, then parked; what the team taught is in use meanwhile.
      openai.failNext = Array.from({ length: 50 }, () => 500);
      await teach();
      expect(await rewordings()).toEqual([]);
      expect(await rewording.learned.list(WORKSPACE)).toMatchObject([{ question: TAUGHT, status: "active" }]);
      const [job] = await db.query<{ status: string; attempts: number }>("SELECT status, attempts FROM jobs WHERE kind = $1 ORDER BY id DESC LIMIT 1", [PARAPHRASE_JOB]);
      expect(job).toMatchObject({ status: "parked", attempts: 3 });
      openai.failNext = [];
    });

    it("holds the rewordings for review in review mode, and removes them with their question", async () => {
      rewording = rewordingFor({ ...DEFAULT_POLICY, learning: "review" });
      openai.chat = says(["How do I give my bookkeeper access?"]);
      const asked = openai.requests.length;
      await teach("review");
      // Nothing is reworded before the question itself is approved.
      expect(openai.requests.length).toBe(asked);
      const [question] = await rewording.learned.list(WORKSPACE);
      await rewording.learned.approve(WORKSPACE, question!.id);
      await rewording.worker.drain();
      const [pending] = await rewordings();
      expect(pending).toMatchObject({ question: "How do I give my bookkeeper access?", status: "pending" });
      const before = (await knowledge.learnedQuestions(WORKSPACE)).length;
      await rewording.learned.approve(WORKSPACE, pending!.id);
      expect(await knowledge.learnedQuestions(WORKSPACE)).toHaveLength(before + 1);

      await rewording.learned.remove(WORKSPACE, question!.id);
      expect((await rewording.learned.list(WORKSPACE)).map((q) => q.status)).toEqual(["removed", "removed"]);
      expect(await knowledge.learnedQuestions(WORKSPACE)).toHaveLength(before - 1);
      rewording = rewordingFor(DEFAULT_POLICY);
    });
  });

  it("reads article links the way Help Centers write them, in any locale", () => {
    expect(linkedPages(`<a href="https://help.example.com/fr/articles/123-reinitialiser">x</a> and https://help.example.com/en/articles/123 and <a href="https://example.com/blog/articles-we-like/">y</a>`)).toEqual([
      "help.example.com#123",
      "example.com/blog/articles-we-like",
    ]);
  });
});
