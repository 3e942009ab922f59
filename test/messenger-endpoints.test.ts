// Signed requests shaped like Intercom's documented payloads, sent to the real HTTP app.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CanvasResponse, ConfigureResponse, LiveCanvasResponse, MAX_CANVAS_BYTES, jsonBytes } from "../canvas/responses.ts";
import { DEFAULT_POLICY } from "../server/assistant/policy.ts";
import { createIntercomClient } from "../server/intercom/client.ts";
import { intercomDirectory } from "../server/intercom/directory.ts";
import { fixture, startTestApp, type TestApp } from "./helpers/app.ts";
import { startFakeIntercom } from "./helpers/fake-intercom.ts";

type Json = Record<string, any>;
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

async function canvasOf(path: string, body: unknown): Promise<Json> {
  const response = await app.canvas(path, body);
  expect(response.status).toBe(200);
  const json = await response.json();
  const checked = CanvasResponse.safeParse(json);
  expect(checked.error, JSON.stringify(checked.error?.issues)).toBeUndefined();
  return json;
}

const components = (json: Json): Json[] => json.canvas.content.components;
const byId = (json: Json, id: string) => components(json).find((component) => component.id === id);
const texts = (json: Json) => components(json).filter((c) => c.type === "text").map((c) => c.text as string).join("\n");

function submitWith(previous: Json, componentId: string, inputValues: Json = {}): Json {
  return { ...fixture("messenger-submit"), component_id: componentId, input_values: inputValues, current_canvas: previous.canvas };
}

describe("Messenger initialize", () => {
  it("invites a question, says an AI answers from the Help Center and a person is one click away", async () => {
    const json = await canvasOf("/canvas/messenger/initialize", fixture("messenger-initialize"));
    expect(texts(json)).toContain("Hi Maria");
    expect(texts(json)).toMatch(/AI assistant.*Help Center.*person.*one click away/s);
    expect(byId(json, "question")).toMatchObject({ type: "input" });
    expect(byId(json, "ask")).toMatchObject({ type: "button", action: { type: "submit" } });
    expect(byId(json, "talk_to_human")).toMatchObject({ type: "button", label: "Talk to a human" });
  });

  it("uses the greeting the admin configured (card_creation_options)", async () => {
    const json = await canvasOf("/canvas/messenger/initialize", {
      ...fixture("messenger-initialize"),
      card_creation_options: { greeting: "Welcome to Tallybook support", collections: ["9103"] },
    });
    expect(components(json)[0]).toMatchObject({ type: "text", text: "Welcome to Tallybook support" });
    expect(json.canvas.stored_data).toMatchObject({ collections: ["9103"], greeting: "Welcome to Tallybook support" });
  });
});

describe("Messenger submit", () => {
  it("answers an FAQ with a url button to the right article and remembers the turn", async () => {
    const json = await canvasOf("/canvas/messenger/submit", fixture("messenger-submit"));
    expect(texts(json)).toMatch(/Set up recurring invoices/);
    expect(texts(json)).toMatch(/recurring/i);
    const articleButtons = components(json).filter((c) => c.type === "button" && c.action.type === "url");
    expect(articleButtons[0]).toMatchObject({ label: "Set up recurring invoices", action: { url: expect.stringContaining("/articles/8800104-") } });
    expect(json.canvas.stored_data.turns).toEqual([
      expect.objectContaining({ q: "How do I set up recurring invoices for a retainer client?", articles: expect.arrayContaining(["8800104"]) }),
    ]);
    expect(json.canvas.stored_data.asked).toBe(1);
    for (const id of ["question", "ask", "talk_to_human", "helpful", "more_help"]) expect(byId(json, id), id).toBeDefined();
  });

  it("carries the conversation across turns in stored_data", async () => {
    const first = await canvasOf("/canvas/messenger/submit", fixture("messenger-submit"));
    const second = await canvasOf("/canvas/messenger/submit", submitWith(first, "ask", { question: "How do I turn on two-factor authentication?" }));
    expect(second.canvas.stored_data.asked).toBe(2);
    expect(second.canvas.stored_data.turns.map((turn: Json) => turn.q)).toEqual([
      "How do I set up recurring invoices for a retainer client?",
      "How do I turn on two-factor authentication?",
    ]);
    expect(components(second).some((c) => c.label === "Turn on two-factor authentication")).toBe(true);
  });

  it("reads a follow-up in the light of the previous question", async () => {
    const first = await canvasOf("/canvas/messenger/submit", { ...fixture("messenger-submit"), input_values: { question: "Can my clients pay by card?" } });
    const followUp = await canvasOf("/canvas/messenger/submit", submitWith(first, "ask", { question: "what about refunds?" }));
    // Answered from the article, or offered first in a choice: either way the refund article leads.
    const articleButtons = components(followUp).filter((c) => c.type === "button" && (c.action.type === "url" || /^choice_/.test(c.id)));
    expect(articleButtons[0]?.label).toBe("Refund a client payment");
  });

  it("asks for a question when the box is empty", async () => {
    const json = await canvasOf("/canvas/messenger/submit", { ...fixture("messenger-submit"), input_values: { question: "   " } });
    expect(components(json).find((c) => c.style === "error")?.text).toBe("Please type a question first.");
    expect(json.canvas.stored_data.asked).toBe(0);
  });

  it("asks for clarification with topics when the question is too vague, and answers the topic picked", async () => {
    const vague = await canvasOf("/canvas/messenger/submit", { ...fixture("messenger-submit"), input_values: { question: "invoice" } });
    expect(texts(vague)).toMatch(/Could you tell me a bit more, Maria\? Is it about one of these\?/);
    const topics = byId(vague, "topic")!;
    expect(topics).toMatchObject({ type: "single-select", action: { type: "submit" } });
    const picked = topics.options.find((o: Json) => /recurring/i.test(o.text)) ?? topics.options[0];
    const answered = await canvasOf("/canvas/messenger/submit", submitWith(vague, "topic", { topic: picked.id }));
    expect(components(answered).some((c) => c.type === "button" && c.action.type === "url" && c.label === picked.text)).toBe(true);
  });

  it.each([
    ["I want to talk to a real person", /passing this conversation to the team/, "explicit_request"],
    ["Please cancel my account", /passing this conversation to the team/, "explicit_request"],
    ["Someone logged into my account and sent invoices I didn't make", /flagged it as urgent/, "urgent_problem"],
    ["I would like a refund for last month", /passing this conversation to the team/, "explicit_request"],
    ["please remove my account", /passing this conversation to the team/, "explicit_request"],
    // No phrase matches, the classifier is sure of an urgent problem: a person at once, though the mobile app article is close.
    ["the mobile app is down for all of us", /flagged it as urgent/, "urgent_problem"],
  ])("hands over on %j", async (question, transition, reason) => {
    const escalations: Json[] = [];
    const local = await startTestApp({ onEscalation: async (escalation) => void escalations.push(escalation) });
    try {
      const response = await local.canvas("/canvas/messenger/submit", { ...fixture("messenger-submit"), input_values: { question } });
      const json = await response.json();
      expect(texts(json)).toMatch(transition);
      expect(json.event).toEqual({ type: "completed" });
      expect(escalations).toHaveLength(1);
      expect(escalations[0]).toMatchObject({ workspaceId: "ecahpwf5", conversationId: "25000000123", decision: { action: "escalate", reason } });
    } finally {
      await local.close();
    }
  });

  it("does not invent an answer when nothing in the Help Center matches: it hands over", async () => {
    const json = await canvasOf("/canvas/messenger/submit", { ...fixture("messenger-submit"), input_values: { question: "Which dinosaurs lived in the Jurassic?" } });
    expect(texts(json)).toMatch(/couldn't find a reliable answer to that in the Help Center/);
    expect(components(json).some((c) => c.type === "button" && c.action?.type === "url")).toBe(false);
    expect(json.event).toEqual({ type: "completed" });
  });

  it("hands over on the 11th question", async () => {
    const body = fixture("messenger-submit");
    (body.current_canvas as Json).stored_data = { v: 1, turns: [], asked: 10, collections: [] };
    const json = await canvasOf("/canvas/messenger/submit", body);
    expect(texts(json)).toMatch(/going back and forth for a while, Maria/);
  });

  it("hands over when the customer is frustrated twice in a row", async () => {
    const first = await canvasOf("/canvas/messenger/submit", { ...fixture("messenger-submit"), input_values: { question: "This is so annoying, my invoice reminders are terrible" } });
    const second = await canvasOf("/canvas/messenger/submit", submitWith(first, "ask", { question: "I hate this, the reminders are awful" }));
    expect(texts(second)).toMatch(/sorry this has been frustrating/);
  });

  it("only searches the collections the admin chose", async () => {
    const body = fixture("messenger-submit");
    body.input_values = { question: "How do I turn on two-factor authentication?" };
    (body.current_canvas as Json).stored_data = { v: 1, turns: [], asked: 0, collections: ["9103"] };
    const json = await canvasOf("/canvas/messenger/submit", body);
    expect(components(json).some((c) => c.label === "Turn on two-factor authentication")).toBe(false);
  });

  it("hands over to a person when asked with the button, and completes the card", async () => {
    const json = await canvasOf("/canvas/messenger/submit", submitWith(await canvasOf("/canvas/messenger/initialize", fixture("messenger-initialize")), "talk_to_human"));
    expect(texts(json)).toMatch(/passing this conversation to the team/);
    expect(json.event).toEqual({ type: "completed" });
  });

  it("thanks the user for positive feedback and lets them ask again", async () => {
    const answered = await canvasOf("/canvas/messenger/submit", fixture("messenger-submit"));
    const json = await canvasOf("/canvas/messenger/submit", submitWith(answered, "helpful"));
    expect(texts(json)).toMatch(/Glad that helped, Maria/);
    expect(byId(json, "question")).toBeDefined();
  });

  it("acknowledges feedback typed in the box", async () => {
    const answered = await canvasOf("/canvas/messenger/submit", fixture("messenger-submit"));
    const json = await canvasOf("/canvas/messenger/submit", submitWith(answered, "ask", { question: "Great, thank you!" }));
    expect(texts(json)).toMatch(/Thanks for letting us know, Maria/);
  });

  it("takes a word or two of thanks or complaint as feedback, not as a question too short to answer", async () => {
    const answered = await canvasOf("/canvas/messenger/submit", fixture("messenger-submit"));
    for (const [remark, reply] of [["thanks!", /Thanks for letting us know, Maria/], ["lol", /Thanks for letting us know, Maria/], ["wrong answer", /Sorry that wasn.t helpful/]] as const) {
      const json = await canvasOf("/canvas/messenger/submit", submitWith(answered, "ask", { question: remark }));
      expect(texts(json), remark).toMatch(reply);
      expect(texts(json), remark).not.toMatch(/tell me a bit more|more detail/i);
    }
  });

  it("answers a request or a topic that shares words with praise instead of thanking for it", async () => {
    const answered = await canvasOf("/canvas/messenger/submit", fixture("messenger-submit"));
    // Before, the first two were thanked: "bot" is a word of praise in the training examples ("good bot").
    // "languages supported" was thanked too: "supported" is a word of praise.
    for (const request of ["I'd like to build a voice bot.", "Voice bot", "help me set up recurring invoices", "languages supported"]) {
      const json = await canvasOf("/canvas/messenger/submit", submitWith(answered, "ask", { question: request }));
      expect(texts(json), request).not.toMatch(/Thanks for letting us know/);
      expect(json.canvas.stored_data.turns.at(-1).q).toBe(request);
    }
  });

  it("starts afresh when stored_data has been tampered with", async () => {
    const body = fixture("messenger-submit");
    (body.current_canvas as Json).stored_data = { v: 1, turns: "lots", asked: -4, workspace_id: "someone-else" };
    const json = await canvasOf("/canvas/messenger/submit", body);
    expect(json.canvas.stored_data).toMatchObject({ v: 1, asked: 1 });
    expect(json.canvas.stored_data).not.toHaveProperty("workspace_id");
  });

  it("keeps stored_data and content under 64 KB however long the conversation", async () => {
    let json = await canvasOf("/canvas/messenger/initialize", fixture("messenger-initialize"));
    const policy = { ...DEFAULT_POLICY, max_turns_before_escalate: 100 };
    const local = await startTestApp({ policy });
    try {
      for (let turn = 0; turn < 30; turn++) {
        const response = await local.canvas("/canvas/messenger/submit", submitWith(json, "ask", { question: `${"How do I export my invoices and receipts? ".repeat(40)} ${turn}` }));
        json = await response.json();
        expect(CanvasResponse.safeParse(json).success).toBe(true);
      }
    } finally {
      await local.close();
    }
    expect(json.canvas.stored_data.asked).toBe(30);
    expect(jsonBytes(json.canvas.stored_data)).toBeLessThan(MAX_CANVAS_BYTES);
    expect(jsonBytes(json.canvas.content)).toBeLessThan(MAX_CANVAS_BYTES);
  });

  it("shows the card again for a component it does not know", async () => {
    const json = await canvasOf("/canvas/messenger/submit", { ...fixture("messenger-submit"), component_id: "retired_button" });
    expect(byId(json, "question")).toBeDefined();
  });
});

describe("Messenger configure", () => {
  it("offers a greeting and the workspace's Help Center collections", async () => {
    const response = await app.canvas("/canvas/messenger/configure", fixture("messenger-configure"));
    const json = await response.json();
    expect(ConfigureResponse.safeParse(json).success).toBe(true);
    expect(byId(json, "greeting")).toMatchObject({ type: "input" });
    expect(byId(json, "collections")?.options.map((o: Json) => o.text)).toEqual(
      expect.arrayContaining(["Getting started", "Your Tallybook plan", "Account and security"]),
    );
    expect(byId(json, "save")).toMatchObject({ action: { type: "submit" } });
  });

  it("returns the choice as results, keeping only real collections", async () => {
    const response = await app.canvas("/canvas/messenger/configure", fixture("messenger-configure-submit"));
    expect(await response.json()).toEqual({ results: { greeting: "Hello from the Tallybook team!", collections: ["9103"] } });
  });

  it("explains a greeting that is too long instead of saving it", async () => {
    const body = fixture("messenger-configure-submit");
    body.input_values = { greeting: "x".repeat(201) };
    const json = await (await app.canvas("/canvas/messenger/configure", body)).json();
    expect(json.canvas.content.components.find((c: Json) => c.style === "error").text).toMatch(/at most 200 characters/);
  });
});

describe("Messenger configure, connected to the workspace", () => {
  it("offers the workspace's teams for hand-offs no routing rule claims, and the card carries the one picked", async () => {
    const intercom = await startFakeIntercom({ workspaceId: "ecahpwf5" });
    intercom.teams.push({ id: "5317", name: "Support" }, { id: "5318", name: "Billing" });
    const directory = intercomDirectory(createIntercomClient({ token: "fake-access-token", baseUrl: intercom.url }));
    const connected = await startTestApp({ directoryFor: () => directory });
    try {
      const form = await (await connected.canvas("/canvas/messenger/configure", fixture("messenger-configure"))).json();
      expect(ConfigureResponse.safeParse(form).success).toBe(true);
      expect(byId(form, "team")).toMatchObject({ type: "dropdown", value: "assignment_rules" });
      expect(byId(form, "team")!.options.map((o: Json) => [o.id, o.text])).toEqual([["assignment_rules", "Your workspace's assignment rules"], ["5318", "Billing"], ["5317", "Support"]]);

      const save = (team: string) => connected.canvas("/canvas/messenger/configure", { ...fixture("messenger-configure-submit"), input_values: { team } });
      expect(await (await save("5318")).json()).toEqual({ results: { collections: [], team_id: "5318" } });
      expect(await (await save("9999")).json()).toEqual({ results: { collections: [] } });
      expect(await (await save("assignment_rules")).json()).toEqual({ results: { collections: [] } });

      const card = await canvasOf("/canvas/messenger/initialize", { ...fixture("messenger-initialize"), context: { location: "conversation", locale: "en" }, card_creation_options: { team_id: "5318" } });
      expect(card.canvas.stored_data.team).toBe("5318");
    } finally {
      await connected.close();
      await intercom.close();
    }
  });

  it("still opens the form, without a team picker, when the teams cannot be listed", async () => {
    const connected = await startTestApp({ directoryFor: () => ({ conversationHistory: async () => [], contact: async () => undefined, teams: async () => Promise.reject(new Error("Intercom is down")), segments: async () => [], tags: async () => [] }) });
    try {
      const form = await (await connected.canvas("/canvas/messenger/configure", fixture("messenger-configure"))).json();
      expect(byId(form, "team")).toBeUndefined();
      expect(byId(form, "save")).toBeDefined();
    } finally {
      await connected.close();
    }
  });
});

describe("live canvas and sheets", () => {
  it("answers a live canvas request with a content object", async () => {
    const response = await app.canvas("/canvas/messenger/content", fixture("messenger-content"));
    const json = await response.json();
    expect(LiveCanvasResponse.safeParse(json).error).toBeUndefined();
    expect(json.content.components[0].text).toBe("Welcome back!");
  });

  it("shows the card again when a sheet is closed", async () => {
    const json = await canvasOf("/canvas/messenger/sheet", fixture("messenger-sheet"));
    expect(json.canvas.stored_data.turns).toHaveLength(1);
  });
});
