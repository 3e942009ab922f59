// What an admin chooses when adding the card (Configure), returned to Intercom as `results` and
// sent back on every initialize as `card_creation_options`.
import { z } from "zod";

export const CardOptions = z.object({
  greeting: z.string().trim().min(1).max(200).optional().catch(undefined),
  collections: z.array(z.string().min(1).max(64)).max(100).default([]).catch([]),
});
export type CardOptions = z.infer<typeof CardOptions>;

export const readCardOptions = (value: unknown): CardOptions => CardOptions.parse(value ?? {});
