// What the customer sees, read back from a card: an answer (articles cited), a choice (articles
// offered) or a hand-over. The eval and the learning replay measure through it.
export type Outcome = { kind: "answer"; first: string | undefined; shown: string[]; text: string } | { kind: "choice"; shown: string[] } | { kind: "hand_over"; text: string };

/** `idOfUrl` and `idOfTitle` turn the buttons back into article ids. */
export function outcomeOf(card: { canvas?: { content?: { components?: Array<Record<string, any>> } }; event?: unknown }, idOfUrl: Map<string, string>, idOfTitle: Map<string, string>): Outcome {
  const components = card.canvas?.content?.components ?? [];
  const choices = components.filter((c) => typeof c.id === "string" && c.id.startsWith("choice_")).map((c) => idOfTitle.get(c.label) ?? c.label);
  if (choices.length) return { kind: "choice", shown: choices };
  // A clarification offers the likely articles as topics to pick: as much a choice as "Is it one of these?".
  const topics = [...components.filter((c) => c.id === "topic").flatMap((c) => (c.options ?? []).map((o: { text: string }) => o.text)), ...components.filter((c) => /^topic_\d+$/.test(c.id)).map((c) => c.label)];
  if (topics.length) return { kind: "choice", shown: topics.map((title) => idOfTitle.get(title) ?? title) };
  const cited = components.filter((c) => c.type === "button" && c.action?.type === "url").map((c) => idOfUrl.get(c.action.url) ?? c.action.url);
  if (components.some((c) => c.id === "helpful")) return { kind: "answer", first: cited[0], shown: cited, text: components.filter((c) => c.type === "text").map((c) => c.text).join("\n") };
  return { kind: "hand_over", text: components.filter((c) => c.type === "text").map((c) => c.text).join("\n") };
}

