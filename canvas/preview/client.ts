// Browser side of the local Messenger preview: renders any Canvas Kit canvas as HTML, the way the
// Messenger shows it, and sends the requests Intercom would send when a person interacts with it.
// Bundled with esbuild by the server; no framework, because the page is one card.
type Json = Record<string, unknown>;
type Action = { type: "submit" } | { type: "url"; url: string } | { type: "sheet"; url: string };
type Component = Json & { type: string };
type Canvas = { content?: { components: Component[] }; content_url?: string; stored_data?: Json };
type Mode = "messenger" | "configure";

const PREVIEW_CONTACT = { type: "user", id: "preview-user", user_id: "preview-user", name: "Alex Rivera", email: "alex@example.com" };

const card = document.getElementById("card")!;
const log = document.getElementById("log")!;
const state: { mode: Mode; canvas: Canvas | null; cardOptions: Json; busy: boolean } = {
  mode: "messenger",
  canvas: null,
  cardOptions: {},
  busy: false,
};

const localePicker = document.getElementById("locale") as HTMLSelectElement | null;

/** The Messenger's context, with the locale picked beside the preview (as the customer's Messenger would set it). */
function context(): Json {
  return { location: "home", locale: localePicker?.value ?? "en", messenger_action_colour: "#1f5eff", messenger_background_colour: "#0f1b3d" };
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: (Node | string)[]) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else node.setAttribute(key, value);
  }
  node.append(...children);
  return node;
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/** Canvas Kit text understands a little markdown: bold, italics, links and line breaks. */
function markdown(text: string): string {
  return escapeHtml(text)
    .replace(/\*\*(.+?)\*\*/g, "<strong>$1</strong>")
    .replace(/(^|[^*])\*(?!\s)(.+?)\*/g, "$1<em>$2</em>")
    .replace(/\[([^\]]+)\]\((https?:\/\/[^)\s]+)\)/g, '<a href="$2" target="_blank" rel="noopener">$1</a>')
    .replace(/\n/g, "<br>");
}

function record(direction: "→" | "←", endpoint: string, body: unknown) {
  const entry = el("details", { class: "log-entry" }, el("summary", {}, `${direction} ${endpoint}`), el("pre", {}, JSON.stringify(body, null, 2)));
  log.prepend(entry);
  while (log.childElementCount > 20) log.lastElementChild!.remove();
}

async function call(endpoint: string, body: Json): Promise<Json | null> {
  record("→", endpoint, body);
  const response = await fetch(`/preview/canvas/${endpoint}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const json = (await response.json().catch(() => ({ error: "not JSON" }))) as Json;
  record("←", `${endpoint} (${response.status})`, json);
  if (!response.ok) {
    showError(`The app answered ${response.status}: ${String(json.error ?? "unknown error")}`);
    return null;
  }
  return json;
}

function showError(message: string) {
  card.replaceChildren(el("p", { class: "text error", role: "alert" }, message), restartButton());
}

function restartButton() {
  const button = el("button", { class: "btn secondary", type: "button" }, "Start again");
  button.addEventListener("click", () => void start(state.mode));
  return button;
}

/** The value of every interactive component on the canvas, as Intercom sends them in input_values. */
function inputValues(): Json {
  const values: Json = {};
  for (const field of card.querySelectorAll<HTMLElement>("[data-input-id]")) {
    const id = field.dataset.inputId!;
    if (field instanceof HTMLInputElement || field instanceof HTMLTextAreaElement || field instanceof HTMLSelectElement) {
      values[id] = field.value;
    } else if (field.dataset.kind === "checkbox") {
      values[id] = [...field.querySelectorAll<HTMLInputElement>("input:checked")].map((box) => box.value);
    } else if (field.dataset.kind === "single-select") {
      const chosen = field.querySelector<HTMLElement>("[aria-pressed=true]");
      if (chosen) values[id] = chosen.dataset.optionId;
    }
  }
  return values;
}

async function submit(componentId: string) {
  if (state.busy || !state.canvas) return;
  state.busy = true;
  card.classList.add("busy");
  try {
    const body: Json = {
      component_id: componentId,
      input_values: inputValues(),
      current_canvas: state.canvas,
      context: context(),
    };
    if (state.mode === "configure") {
      const response = await call("configure", { ...body, admin: { type: "admin", id: "1", name: "Preview admin" } });
      if (response && "results" in response) {
        state.cardOptions = response.results as Json;
        await start("messenger");
      } else if (response) show(response.canvas as Canvas);
    } else {
      const response = await call("submit", { ...body, contact: PREVIEW_CONTACT, user: PREVIEW_CONTACT });
      if (response) show(response.canvas as Canvas);
    }
  } finally {
    state.busy = false;
    card.classList.remove("busy");
  }
}

function runAction(action: Action | undefined, componentId: string) {
  if (!action) return;
  if (action.type === "submit") void submit(componentId);
  else if (action.type === "url") window.open(action.url, "_blank", "noopener");
  else openSheet(action.url);
}

function openSheet(url: string) {
  const frame = el("iframe", { class: "sheet-frame", src: url, title: "Sheet" });
  const close = el("button", { class: "btn secondary sheet-close", type: "button" }, "Close");
  const sheet = el("div", { class: "sheet", role: "dialog" }, close, frame);
  close.addEventListener("click", async () => {
    sheet.remove();
    const response = await call("sheet", { current_canvas: state.canvas, context: context(), contact: PREVIEW_CONTACT });
    if (response) show(response.canvas as Canvas);
  });
  document.querySelector(".messenger")!.append(sheet);
}

const str = (value: unknown) => (typeof value === "string" ? value : "");

function optionsOf(component: Component): Array<{ id: string; text: string; disabled?: boolean }> {
  return (component.options ?? component.option ?? []) as Array<{ id: string; text: string; disabled?: boolean }>;
}

function render(component: Component): HTMLElement {
  const id = str(component.id);
  const disabled = component.disabled === true || component.save_state === "saved";
  const labelled = (control: HTMLElement) =>
    component.label ? el("label", { class: "field" }, el("span", { class: "label" }, str(component.label)), control) : control;
  // Groups of choices get a fieldset, so each option keeps its own accessible label.
  const grouped = (control: HTMLElement) =>
    component.label ? el("fieldset", { class: "field" }, el("legend", { class: "label" }, str(component.label)), control) : control;
  switch (component.type) {
    case "text": {
      const node = el("p", { class: `text ${str(component.style) || "paragraph"} align-${str(component.align) || "left"}` });
      node.innerHTML = markdown(str(component.text));
      if (component.bottom_margin === "none") node.classList.add("tight");
      return node;
    }
    case "button": {
      const button = el("button", { class: `btn ${str(component.style) || "primary"}`, type: "button" }, str(component.label));
      button.toggleAttribute("disabled", disabled);
      button.addEventListener("click", () => runAction(component.action as Action, id));
      return button;
    }
    case "input": {
      const field = el("input", { type: "text", "data-input-id": id, placeholder: str(component.placeholder), "aria-label": str(component.label) || str(component.placeholder) || id });
      field.value = str(component.value);
      field.toggleAttribute("disabled", disabled);
      field.classList.toggle("failed", component.save_state === "failed");
      field.addEventListener("keydown", (event) => {
        if (event.key !== "Enter") return;
        event.preventDefault();
        const next = component.action ? null : card.querySelector<HTMLButtonElement>("button.btn.primary");
        if (component.action) runAction(component.action as Action, id);
        else next?.click();
      });
      if (!component.action) return labelled(field);
      const go = el("button", { class: "btn inline", type: "button", "aria-label": "Send" }, "→");
      go.addEventListener("click", () => runAction(component.action as Action, id));
      return labelled(el("div", { class: "input-row" }, field, go));
    }
    case "textarea": {
      const field = el("textarea", { "data-input-id": id, placeholder: str(component.placeholder), rows: "3" });
      field.value = str(component.value);
      field.toggleAttribute("disabled", disabled);
      field.classList.toggle("failed", component.error === true);
      return labelled(field);
    }
    case "dropdown": {
      const select = el("select", { "data-input-id": id });
      for (const option of optionsOf(component)) {
        const node = el("option", { value: option.id }, option.text);
        node.toggleAttribute("disabled", option.disabled === true);
        node.toggleAttribute("selected", option.id === component.value);
        select.append(node);
      }
      select.toggleAttribute("disabled", disabled);
      return labelled(select);
    }
    case "single-select": {
      const group = el("div", { class: "single-select", "data-input-id": id, "data-kind": "single-select", role: "group" });
      for (const option of optionsOf(component)) {
        const choice = el("button", { class: "choice", type: "button", "data-option-id": option.id, "aria-pressed": String(option.id === component.value) }, option.text);
        choice.toggleAttribute("disabled", disabled || option.disabled === true);
        choice.addEventListener("click", () => {
          for (const other of group.querySelectorAll("[aria-pressed]")) other.setAttribute("aria-pressed", "false");
          choice.setAttribute("aria-pressed", "true");
          if (component.action) runAction(component.action as Action, id);
        });
        group.append(choice);
      }
      return grouped(group);
    }
    case "checkbox": {
      const group = el("div", { class: "checkbox", "data-input-id": id, "data-kind": "checkbox", role: "group" });
      const chosen = new Set((component.value ?? []) as string[]);
      for (const option of optionsOf(component)) {
        const box = el("input", { type: "checkbox", value: option.id });
        box.toggleAttribute("checked", chosen.has(option.id));
        box.toggleAttribute("disabled", disabled || option.disabled === true);
        group.append(el("label", { class: "check" }, box, option.text));
      }
      return grouped(group);
    }
    case "list": {
      const list = el("ul", { class: "list" });
      for (const item of (component.items ?? []) as Component[]) {
        const row = el("li", { class: "item" });
        if (item.image) row.append(el("img", { src: str(item.image), width: String(item.image_width ?? 48), height: String(item.image_height ?? 48), alt: "", class: item.rounded_image ? "rounded" : "" }));
        const words = el("div", { class: "item-text" }, el("span", { class: "item-title" }, str(item.title)));
        const sub = [str(item.subtitle), str(item.tertiary_text)].filter(Boolean).join(" • ");
        if (sub) words.append(el("span", { class: "item-sub" }, sub));
        row.append(words);
        if (item.action && component.disabled !== true && item.disabled !== true) {
          row.classList.add("clickable");
          row.setAttribute("role", "button");
          row.addEventListener("click", () => runAction(item.action as Action, str(item.id)));
        }
        list.append(row);
      }
      return list;
    }
    case "data-table": {
      const table = el("dl", { class: "data-table" });
      for (const item of (component.items ?? []) as Component[]) table.append(el("dt", {}, str(item.field)), el("dd", {}, str(item.value)));
      return table;
    }
    case "divider":
      return el("hr", { class: component.bottom_margin === "none" ? "divider tight" : "divider" });
    case "spacer":
      return el("div", { class: `spacer ${str(component.size) || "s"}` });
    case "image": {
      const img = el("img", { src: str(component.url), width: String(component.width), height: String(component.height), alt: "", class: `image align-${str(component.align) || "left"}${component.rounded ? " rounded" : ""}` });
      const action = component.action as Action | undefined;
      if (!action) return img;
      const link = el("a", { href: action.type === "url" ? action.url : "#", target: "_blank", rel: "noopener" }, img);
      return link;
    }
    default:
      return el("p", { class: "text error" }, `Unknown component type "${component.type}"`);
  }
}

async function show(canvas: Canvas) {
  state.canvas = canvas;
  let components = canvas.content?.components;
  if (!components && canvas.content_url) {
    const live = await call("content", { canvas, context: context(), contact: PREVIEW_CONTACT });
    components = (live?.content as { components: Component[] } | undefined)?.components;
  }
  card.replaceChildren(...(components ?? []).map(render));
  card.querySelector<HTMLInputElement>("input[type=text]")?.focus();
}

async function start(mode: Mode) {
  state.mode = mode;
  document.body.dataset.mode = mode;
  const response =
    mode === "configure"
      ? await call("configure", { context: context(), admin: { type: "admin", id: "1", name: "Preview admin" } })
      : await call("initialize", { context: context(), card_creation_options: state.cardOptions, contact: PREVIEW_CONTACT, user: PREVIEW_CONTACT });
  if (response) await show(response.canvas as Canvas);
}

document.getElementById("restart")!.addEventListener("click", () => void start("messenger"));
localePicker?.addEventListener("change", () => void start("messenger"));
document.getElementById("configure")!.addEventListener("click", () => void start("configure"));
void start("messenger");
