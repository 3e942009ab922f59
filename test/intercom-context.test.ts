// With Intercom connected, the assistant reads the conversation's parts and the contact's profile.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OpenAIChatModel } from "../server/assistant/chat-model.ts";
import { createIntercomClient } from "../server/intercom/client.ts";
import { intercomDirectory } from "../server/intercom/directory.ts";
import { fixture, startTestApp, type TestApp } from "./helpers/app.ts";
import { startFakeIntercom, type FakeIntercom } from "./helpers/fake-intercom.ts";
import { startFakeOpenAI, type FakeOpenAI } from "./helpers/fake-openai.ts";

let intercom: FakeIntercom;
let openai: FakeOpenAI;
let app: TestApp;

beforeAll(async () => {
  intercom = await startFakeIntercom({ workspaceId: "ecahpwf5" });
  intercom.conversations.set("25000000123", {
    type: "conversation",
    id: "25000000123",
    source: { type: "conversation", body: "<p>Hi, I set up a retainer with a client.</p>", author: { type: "user", id: "5f5f9e6b7c3d2a0012345678", name: "Maria Lopez" } },
    conversation_parts: {
      type: "conversation_part.list",
      conversation_parts: [
        { type: "conversation_part", part_type: "comment", body: "<p>Thanks Maria, which plan are you on?</p>", author: { type: "admin", id: "4412783", name: "Sam" } },
        { type: "conversation_part", part_type: "note", body: "<p>Internal: check her billing</p>", author: { type: "admin", id: "4412783", name: "Sam" } },
        { type: "conversation_part", part_type: "comment", body: "<p>The Team plan.</p>", author: { type: "user", id: "5f5f9e6b7c3d2a0012345678", name: "Maria Lopez" } },
      ],
      total_count: 3,
    },
  });
  intercom.contacts.set("5f5f9e6b7c3d2a0012345678", {
    contact: { type: "contact", id: "5f5f9e6b7c3d2a0012345678", role: "user", name: "Maria Lopez", email: "maria.lopez@example.com", created_at: 1704067200, last_seen_at: 1732530000, custom_attributes: { plan: "Business", mrr: 59 } },
    segments: ["Active", "Paying customers"],
    tags: ["vip"],
  });
  openai = await startFakeOpenAI();
  openai.chat = (request) =>
    request.messages[0]!.content.startsWith("You classify")
      ? { content: '{"intent": "faq_question", "needs_human": false}' }
      : { content: '{"intent": "faq_question", "needs_human": false, "answerable": true, "cited": [], "answer": "Use recurring invoices."}' };
  const directory = intercomDirectory(createIntercomClient({ token: "fake-access-token", baseUrl: intercom.url }));
  app = await startTestApp({ model: new OpenAIChatModel({ baseUrl: openai.url, model: "gpt-test" }), directoryFor: (id) => (id === "ecahpwf5" ? directory : undefined) });
});
afterAll(async () => {
  await app.close();
  await openai.close();
  await intercom.close();
});

describe("context from Intercom", () => {
  it("puts the conversation's messages and the contact's profile into the answer prompt", async () => {
    await app.canvas("/canvas/messenger/submit", fixture("messenger-submit"));
    expect(intercom.requests.map((request) => request.path)).toEqual(
      expect.arrayContaining(["/conversations/25000000123", "/contacts/5f5f9e6b7c3d2a0012345678", "/contacts/5f5f9e6b7c3d2a0012345678/segments", "/contacts/5f5f9e6b7c3d2a0012345678/tags"]),
    );
    const answerPrompt = openai.requests
      .map((request) => (request.body as { messages: Array<{ content: string }> }).messages.map((message) => message.content).join("\n"))
      .find((content) => content.startsWith("You are the support assistant"))!;
    expect(answerPrompt).toContain("Customer: Hi, I set up a retainer with a client.");
    expect(answerPrompt).toContain("Agent: Thanks Maria, which plan are you on?");
    expect(answerPrompt).not.toContain("Internal: check her billing");
    expect(answerPrompt).toContain("Plan: Business");
    expect(answerPrompt).toContain("Segments: Active, Paying customers");
  });

  it("answers without the context when Intercom does not answer", async () => {
    intercom.conversations.clear();
    intercom.contacts.clear();
    const response = await app.canvas("/canvas/messenger/submit", fixture("messenger-submit"));
    const json = await response.json();
    expect(json.canvas.content.components[0].text).toBe("Use recurring invoices.");
  });
});
