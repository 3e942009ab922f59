// The local Messenger preview in a real browser (Debian's Chromium, headless), as a person uses it.
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  button,
  checkbox,
  dataTable,
  divider,
  dropdown,
  image,
  input,
  list,
  listItem,
  option,
  singleSelect,
  spacer,
  submit,
  text,
  textarea,
} from "../canvas/components.ts";
import { canvas } from "../canvas/responses.ts";
import { createIntercomClient } from "../server/intercom/client.ts";
import { intercomDirectory } from "../server/intercom/directory.ts";
import { startTestApp, type TestApp } from "./helpers/app.ts";
import { PREVIEW_WORKSPACE_ID } from "../server/http/preview.ts";
import { startFakeIntercom, type FakeIntercom } from "./helpers/fake-intercom.ts";
import { CHROMIUM, runBrowserTests } from "./helpers/browser.ts";


let app: TestApp;
let intercom: FakeIntercom;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  if (!runBrowserTests()) return;
  // Connected to a workspace (a local Intercom API) whose teams the admin's form offers.
  intercom = await startFakeIntercom();
  intercom.teams.push({ id: "5317", name: "Support" }, { id: "5318", name: "Billing" });
  const directory = intercomDirectory(createIntercomClient({ token: "fake-access-token", baseUrl: intercom.url }));
  app = await startTestApp({ directoryFor: () => directory, workspaces: [PREVIEW_WORKSPACE_ID] });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
  await intercom?.close();
});
beforeEach(async () => {
  page = await browser.newPage({ viewport: { width: 1000, height: 720 } });
  await page.goto(app.url);
});

const card = () => page.locator("#card");

describe.skipIf(!runBrowserTests())("Messenger preview", () => {
  it("answers a typed question with the article it came from, then takes feedback", async () => {
    await expect.poll(() => card().textContent()).toContain("AI assistant");
    await page.getByPlaceholder("Ask a question…").fill("How do I turn on two-factor authentication?");
    await page.getByRole("button", { name: "Ask", exact: true }).click();

    const article = card().getByRole("button", { name: "Turn on two-factor authentication" });
    await article.waitFor();
    await expect.poll(() => card().textContent()).toMatch(/two-factor authentication/i);
    await expect.poll(() => card().textContent()).toContain("Helpful articles");
    if (process.env.SCREENSHOT_PATH) await page.screenshot({ path: process.env.SCREENSHOT_PATH });

    await card().getByRole("button", { name: "That helped" }).click();
    await expect.poll(() => card().textContent()).toContain("Glad that helped, Alex!");
  });

  it("hands over to a person from the first card", async () => {
    await card().getByRole("button", { name: "Talk to a human" }).click();
    await expect.poll(() => card().textContent()).toMatch(/passing this conversation to the team/);
  });

  it("lets an admin set the card up (greeting, collections, the team for hand-offs), and the card then uses that greeting", async () => {
    await page.getByRole("button", { name: "Set up the card (admin)" }).click();
    await card().getByLabel("Greeting (optional)").fill("Welcome to Tallybook support");
    await card().getByLabel("Your Tallybook plan", { exact: true }).check();
    await card().getByLabel("Hand-offs no routing rule claims go to").selectOption("5318");
    if (process.env.CONFIGURE_SCREENSHOT_PATH) {
      await card().getByRole("button", { name: "Add to Messenger" }).scrollIntoViewIfNeeded();
      await page.screenshot({ path: process.env.CONFIGURE_SCREENSHOT_PATH });
    }
    await card().getByRole("button", { name: "Add to Messenger" }).click();
    await expect.poll(() => card().locator(".text.header").first().textContent()).toBe("Welcome to Tallybook support");
  });

  it("speaks the Messenger's language: a French card end to end", async () => {
    await page.getByLabel("Messenger language").selectOption("fr");
    await expect.poll(() => card().textContent()).toContain("Comment pouvons-nous vous aider ?");
    await page.getByPlaceholder("Posez une question…").fill("Comment réinitialiser mon mot de passe ?");
    await page.getByRole("button", { name: "Envoyer", exact: true }).click();
    await card().getByRole("button", { name: "Parler à une personne" }).waitFor();
    await expect.poll(() => card().textContent()).not.toContain("Talk to a human");
    await card().getByRole("button", { name: "Parler à une personne" }).click();
    await expect.poll(() => card().textContent()).toContain("Je transmets cette conversation");
    await page.getByLabel("Messenger language").selectOption("en");
    await expect.poll(() => card().textContent()).toContain("How can we help?");
  });

  it("renders every Canvas Kit component type and sends their values on submit", async () => {
    const gallery = canvas(
      [
        text("**Gallery** with a [link](https://example.com)", { style: "header" }),
        textarea({ id: "details", label: "Details", value: "Some details" }),
        singleSelect({ id: "topic", label: "Topic", options: [option("billing", "Billing"), option("login", "Login")] }),
        dropdown({ id: "plan", label: "Plan", options: [option("solo", "Solo"), option("team", "Team")], value: "team" }),
        checkbox({ id: "cols", label: "Collections", options: [option("a", "Alpha"), option("b", "Beta")], value: ["b"] }),
        list([listItem({ id: "row", title: "A list item", subtitle: "Its subtitle", tertiary_text: "More" })]),
        dataTable([["Plan", "Team"]]),
        divider(),
        spacer("m"),
        image({ url: `${app.url}/healthz`, width: 40, height: 20 }),
        input({ id: "q", label: "Question", value: "typed" }),
        button({ id: "send", label: "Send", action: submit() }),
      ],
      { v: 1 },
    );
    let submitted: Record<string, unknown> | undefined;
    await page.route("**/preview/canvas/initialize", (route) => route.fulfill({ json: gallery }));
    await page.route("**/preview/canvas/submit", (route) => {
      submitted = route.request().postDataJSON();
      return route.fulfill({ json: canvas([text("Thanks")]) });
    });
    await page.goto(app.url);
    await expect.poll(() => card().locator("strong").textContent()).toBe("Gallery");
    expect(await card().locator("a[href='https://example.com']").textContent()).toBe("link");
    expect(await card().locator(".item-title").textContent()).toBe("A list item");
    expect(await card().locator(".data-table dd").textContent()).toBe("Team");
    expect(await card().locator("hr.divider").count()).toBe(1);
    expect(await card().locator(".spacer.m").count()).toBe(1);
    expect(await card().locator("img.image").count()).toBe(1);

    await card().getByRole("button", { name: "Login" }).click();
    await card().getByLabel("Alpha", { exact: true }).check();
    await card().getByRole("button", { name: "Send" }).click();
    await expect.poll(() => card().textContent()).toBe("Thanks");
    expect(submitted).toMatchObject({
      component_id: "send",
      input_values: { details: "Some details", topic: "login", plan: "team", cols: ["a", "b"], q: "typed" },
      current_canvas: { stored_data: { v: 1 } },
    });
  });

  it("shows every request it sent, signed by the server, in the log", async () => {
    await expect.poll(() => page.locator("#log summary").first().textContent()).toMatch(/← initialize \(200\)/);
  });
});
