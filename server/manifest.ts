// app-manifest.json describes the app for the Intercom Developer Hub. This schema keeps it honest,
// and `manifestUrls` turns its paths into the URLs to paste into the Developer Hub.
import { readFileSync } from "node:fs";
import { z } from "zod";

const Path = z.string().regex(/^\/[a-z0-9/_-]*$/, "must be an absolute path");
const Topic = z.string().regex(/^[a-z_]+(\.[a-z_]+)+$/, "must be an Intercom topic such as conversation.user.created");

export const AppManifest = z.strictObject({
  name: z.string().min(1).max(40),
  description: z.string().min(20).max(300),
  version: z.string().regex(/^\d+\.\d+\.\d+$/),
  canvas_kit: z.strictObject({
    messenger: z.strictObject({
      locations: z.array(z.enum(["home", "conversation", "message", "operator"])).min(1),
      endpoints: z.strictObject({ initialize: Path, submit: Path, configure: Path, submit_sheet: Path, live_canvas: Path }),
    }),
    inbox: z.strictObject({
      locations: z.array(z.enum(["conversation_details"])).min(1),
      endpoints: z.strictObject({ initialize: Path, submit: Path }),
    }),
  }),
  webhooks: z.strictObject({ endpoint: Path, topics: z.array(Topic).min(1) }),
  oauth: z.strictObject({ scopes: z.array(z.string().min(1)).min(1), redirect_path: Path, console_redirect_path: Path, install_path: Path }),
  health: z.strictObject({ liveness: Path, readiness: Path }),
  environment: z.array(z.strictObject({ name: z.string().regex(/^[A-Z][A-Z0-9_]*$/), required: z.boolean(), description: z.string().min(1) })),
});
export type AppManifest = z.infer<typeof AppManifest>;

export function readManifest(): AppManifest {
  return AppManifest.parse(JSON.parse(readFileSync(new URL("../app-manifest.json", import.meta.url), "utf8")));
}

/** Label → full URL for every endpoint Intercom must be told about. */
export function manifestUrls(manifest: AppManifest, publicUrl: string): Array<[string, string]> {
  const base = publicUrl.replace(/\/+$/, "");
  const messenger = manifest.canvas_kit.messenger.endpoints;
  const inbox = manifest.canvas_kit.inbox.endpoints;
  return [
    ["Messenger initialize URL", base + messenger.initialize],
    ["Messenger submit URL", base + messenger.submit],
    ["Messenger configure URL", base + messenger.configure],
    ["Messenger submit sheet URL", base + messenger.submit_sheet],
    ["Inbox initialize URL", base + inbox.initialize],
    ["Inbox submit URL", base + inbox.submit],
    ["Webhook endpoint URL", base + manifest.webhooks.endpoint],
    ["OAuth redirect URL (public app)", base + manifest.oauth.redirect_path],
    ["OAuth redirect URL for the console's sign-in", base + manifest.oauth.console_redirect_path],
  ];
}
