// Help Center content in Intercom's own shapes (the REST API's `article` and `collection`
// objects), parsed at the boundary: the bundled demo file and, later, the Intercom API.
import { readFile } from "node:fs/promises";
import { z } from "zod";

const Id = z.union([z.string().min(1), z.number().int()]).transform(String);

export const IntercomCollection = z.looseObject({
  id: Id,
  name: z.string().min(1),
  description: z.string().nullish(),
  url: z.string().nullish(),
  parent_id: Id.nullish(),
  default_locale: z.string().nullish(),
});
export type IntercomCollection = z.infer<typeof IntercomCollection>;

/** One language version of an article (`translated_content.<locale>` in Intercom's API). */
export const IntercomArticleContent = z.looseObject({
  title: z.string().nullish(),
  description: z.string().nullish(),
  body: z.string().nullish(),
  author_id: z.union([z.number(), z.string()]).nullish(),
  state: z.enum(["published", "draft"]).nullish(),
  created_at: z.number().int().nullish(),
  updated_at: z.number().int().nullish(),
  url: z.string().nullish(),
});
export type IntercomArticleContent = z.infer<typeof IntercomArticleContent>;

export const IntercomArticle = z.looseObject({
  id: Id,
  title: z.string(),
  description: z.string().nullish(),
  body: z.string().nullish(),
  author_id: z.union([z.number(), z.string()]).nullish(),
  state: z.enum(["published", "draft"]),
  created_at: z.number().int(),
  updated_at: z.number().int(),
  url: z.string().nullish(),
  parent_id: Id.nullish(),
  parent_ids: z.array(Id).nullish(),
  parent_type: z.string().nullish(),
  default_locale: z.string().nullish(),
  translated_content: z.record(z.string(), z.unknown()).nullish(),
});
export type IntercomArticle = z.infer<typeof IntercomArticle>;

export const HelpCenterSnapshot = z.object({
  collections: z.array(IntercomCollection),
  articles: z.array(IntercomArticle),
});
export type HelpCenterSnapshot = z.infer<typeof HelpCenterSnapshot>;

const DEMO_FILE = new URL("./demo-help-center/help-center.json", import.meta.url);

/** The bundled Help Center of "Tallybook", a fictional invoicing product, used when no Intercom token is set. */
export async function loadDemoHelpCenter(): Promise<HelpCenterSnapshot> {
  return HelpCenterSnapshot.parse(JSON.parse(await readFile(DEMO_FILE, "utf8")));
}
