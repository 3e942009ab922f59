// The conversation state a Messenger card carries between requests in `stored_data`. It comes
// back inside each request, so it is parsed like any input; it holds only the card's own history
// and the admin's card options, never who the workspace or the contact is.
import { z } from "zod";

/** Turns kept verbatim; older ones are dropped (the count is kept) so the canvas stays small. */
export const MAX_KEPT_TURNS = 12;
const MAX_QUESTION = 500;
const MAX_ANSWER = 1500;

const clip = (max: number) => z.string().transform((value) => value.slice(0, max));

export const Turn = z.object({
  q: clip(MAX_QUESTION),
  a: clip(MAX_ANSWER),
  articles: z.array(z.string().max(64)).max(3).default([]),
  /** Sentiment of the question in [-1, 1], for the frustration check. */
  s: z.number().min(-1).max(1).default(0),
});
export type Turn = z.infer<typeof Turn>;

export const CardState = z.object({
  v: z.literal(1),
  turns: z.array(Turn).max(MAX_KEPT_TURNS).default([]),
  /** Questions asked in this card so far, including those no longer kept in `turns`. */
  asked: z.number().int().min(0).max(10_000).default(0),
  collections: z.array(z.string().max(64)).max(100).default([]),
  greeting: z.string().max(200).optional(),
  /** The card's team for hand-offs (card options `team_id`). */
  team: z.string().max(64).optional(),
  /** The language the card speaks (the last question's, or the Messenger's locale's). */
  lang: z.string().max(8).optional(),
  /** Topics offered by the last clarification, so a pick can be read back by its index. */
  topics: z.array(z.string().max(200)).max(10).default([]),
  /** Articles offered by the last choice (key, title, probability), so a pick can be read back by its index. */
  choices: z.array(z.object({ k: z.string().max(80), t: z.string().max(200), p: z.number().min(0).max(1) })).max(3).default([]),
});
export type CardState = z.infer<typeof CardState>;

export const emptyState = (options: { collections?: string[]; greeting?: string; team_id?: string } = {}): CardState => ({
  v: 1,
  turns: [],
  asked: 0,
  topics: [],
  choices: [],
  collections: options.collections ?? [],
  ...(options.greeting ? { greeting: options.greeting } : {}),
  ...(options.team_id ? { team: options.team_id } : {}),
});

/** A state that does not parse (tampered, or from an older version) starts the card afresh. */
export function readState(stored: unknown): CardState {
  const parsed = CardState.safeParse(stored);
  return parsed.success ? parsed.data : emptyState();
}

export function withTurn(state: CardState, turn: z.input<typeof Turn>, topics: string[] = [], choices: CardState["choices"] = []): CardState {
  const turns = [...state.turns, Turn.parse(turn)].slice(-MAX_KEPT_TURNS);
  return { ...state, turns, asked: state.asked + 1, topics: topics.map((topic) => topic.slice(0, 200)).slice(0, 10), choices: choices.slice(0, 3) };
}
