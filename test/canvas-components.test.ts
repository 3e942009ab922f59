// Every builder must produce what Intercom's component reference allows, and the schemas must
// reject what it does not, since they are what the endpoint tests check responses against.
import { describe, expect, it } from "vitest";
import {
  Component,
  button,
  checkbox,
  dataTable,
  divider,
  dropdown,
  image,
  input,
  list,
  listItem,
  openSheet,
  openUrl,
  option,
  singleSelect,
  spacer,
  submit,
  text,
  textarea,
} from "../canvas/components.ts";
import { CanvasResponse, ConfigureResponse, LiveCanvasResponse, MAX_CANVAS_BYTES, canvas } from "../canvas/responses.ts";

const everyKind = [
  text("**Hello** [docs](https://example.com)", { style: "header", align: "center" }),
  button({ id: "go", label: "Go", action: submit(), style: "primary" }),
  button({ id: "read", label: "Read", action: openUrl("https://example.com/a"), style: "link" }),
  button({ id: "sheet", label: "Open", action: openSheet("https://example.com/sheet"), style: "secondary" }),
  input({ id: "q", label: "Question", placeholder: "Ask", action: submit(), save_state: "unsaved" }),
  textarea({ id: "details", label: "Details", error: false }),
  singleSelect({ id: "topic", label: "Topic", options: [option("a", "Billing"), option("b", "Login")], action: submit() }),
  dropdown({ id: "plan", label: "Plan", options: [option("solo", "Solo"), option("team", "Team")], value: "team" }),
  checkbox({ id: "cols", label: "Collections", options: [option("1", "Billing")], value: ["1"] }),
  list([listItem({ id: "i1", title: "Item", subtitle: "Sub", image: "https://example.com/i.png", image_width: 48, image_height: 48, action: openUrl("https://example.com") })]),
  dataTable([["Plan", "Team"]]),
  divider(),
  spacer("m"),
  image({ url: "https://example.com/logo.png", width: 120, height: 40, align: "center", action: { type: "url", url: "https://example.com" } }),
];

describe("Canvas Kit components", () => {
  it("builds every component type as Intercom documents it", () => {
    expect(new Set(everyKind.map((component) => component.type)).size).toBe(12);
    for (const component of everyKind) expect(Component.safeParse(component).error).toBeUndefined();
    expect(CanvasResponse.safeParse(canvas(everyKind, { v: 1 })).success).toBe(true);
  });

  it.each([
    ["an unknown button style", { type: "button", id: "b", label: "B", action: { type: "submit" }, style: "fancy" }],
    ["a button without an action", { type: "button", id: "b", label: "B" }],
    ["a single-select with one option", { type: "single-select", id: "s", options: [{ type: "option", id: "a", text: "A" }] }],
    ["a dropdown with eleven options", { type: "dropdown", id: "d", options: Array.from({ length: 11 }, (_, i) => ({ type: "option", id: `o${i}`, text: `O${i}` })) }],
    ["a checkbox with no option", { type: "checkbox", id: "c", label: "C", options: [] }],
    ["an image without its size", { type: "image", url: "https://example.com/i.png" }],
    ["an image with a submit action", { type: "image", url: "https://example.com/i.png", width: 1, height: 1, action: { type: "submit" } }],
    ["a url action to a javascript: URL", { type: "button", id: "b", label: "B", action: { type: "url", url: "javascript:alert(1)" } }],
    ["a list item with an image but no size", { type: "list", items: [{ type: "item", id: "i", title: "T", image: "https://example.com/i.png" }] }],
    ["a misspelt field", { type: "text", txt: "hello" }],
    ["a spacer size that does not exist", { type: "spacer", size: "xxl" }],
  ])("rejects %s", (_what, component) => {
    expect(Component.safeParse(component).success).toBe(false);
  });

  it("enforces the 64 KB limits on content and stored_data", () => {
    const big = "x".repeat(MAX_CANVAS_BYTES);
    expect(CanvasResponse.safeParse(canvas([text(big)])).success).toBe(false);
    expect(CanvasResponse.safeParse(canvas([text("ok")], { big })).success).toBe(false);
  });

  it("accepts live canvases, results and live content, and rejects a canvas with neither content nor URL", () => {
    expect(CanvasResponse.safeParse({ canvas: { content_url: "https://example.com/content", stored_data: {} } }).success).toBe(true);
    expect(ConfigureResponse.safeParse({ results: { greeting: "Hi" } }).success).toBe(true);
    expect(LiveCanvasResponse.safeParse({ content: { components: [text("hi")] } }).success).toBe(true);
    expect(CanvasResponse.safeParse({ canvas: { stored_data: {} } }).success).toBe(false);
  });
});
