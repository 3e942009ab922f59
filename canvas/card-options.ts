// What an admin chooses when adding the card (Configure), returned to Intercom as `results` and
// sent back on every initialize as `card_creation_options`.
import { z } from "zod";

export const CardOptions = z.object({
  greeting: z.string().trim().min(1).max(200).optional().catch(undefined),
  collections: z.array(z.string().min(1).max(64)).max(100).default([]).catch([]),
  /** The team a hand-off from this card goes to when no routing rule matches (Intercom's team id). */
  team_id: z.string().min(1).max(64).optional().catch(undefined),
});
export type CardOptions = z.infer<typeof CardOptions>;

export const readCardOptions = (value: unknown): CardOptions => CardOptions.parse(value ?? {});
