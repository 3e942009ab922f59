// npm run manifest -- --public-url https://assistant.example.com
// Prints what to paste into the Intercom Developer Hub for this deployment.
import { parseArgs } from "node:util";
import { z } from "zod";
import { manifestUrls, readManifest } from "../manifest.ts";

const { values } = parseArgs({ options: { "public-url": { type: "string" } } });
const publicUrl = z.url({ protocol: /^https?$/ }).safeParse(values["public-url"] ?? process.env.PUBLIC_URL);
if (!publicUrl.success) {
  console.error("Usage: npm run manifest -- --public-url https://your-app.example.com (or set PUBLIC_URL)");
  process.exit(2);
}

const manifest = readManifest();
const urls = manifestUrls(manifest, publicUrl.data);
const width = Math.max(...urls.map(([label]) => label.length));
console.log(`${manifest.name} ${manifest.version}\n`);
for (const [label, url] of urls) console.log(`${label.padEnd(width)}  ${url}`);
console.log(`\nMessenger locations: ${manifest.canvas_kit.messenger.locations.join(", ")}`);
console.log(`Inbox locations:     ${manifest.canvas_kit.inbox.locations.join(", ")}`);
console.log(`Webhook topics:      ${manifest.webhooks.topics.join(", ")}`);
console.log(`OAuth scopes:        ${manifest.oauth.scopes.join("; ")}`);
