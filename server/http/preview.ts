// The local Messenger preview: a page that renders our canvases the way the Messenger does and
// drives the real /canvas/messenger/* endpoints. The page never holds the client secret: it sends
// unsigned bodies here, and this route signs them and calls the endpoint over loopback HTTP, so
// the request goes through the same verification as Intercom's.
//
// Whatever the page sends, the workspace is forced to PREVIEW_WORKSPACE_ID: the preview is a
// tenant of its own and can never act on an installed workspace's data.
import { build } from "esbuild";
import express, { type Express } from "express";
import Handlebars from "handlebars";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { canvasSignature } from "../intercom/signature.ts";
import type { Logger } from "../logger.ts";

export const PREVIEW_WORKSPACE_ID = "preview";

const ENDPOINTS = new Set(["initialize", "submit", "configure", "content", "sheet"]);
const CLIENTS = {
  "client.js": fileURLToPath(new URL("../../canvas/preview/client.ts", import.meta.url)),
  "messenger.js": fileURLToPath(new URL("../../canvas/preview/messenger-boot.ts", import.meta.url)),
};
const PAGE = Handlebars.compile(readFileSync(new URL("../../templates/preview.html.hbs", import.meta.url), "utf8"));

const bundles = new Map<string, Promise<string>>();
function bundle(entry: string): Promise<string> {
  let code = bundles.get(entry);
  if (!code) {
    code = build({ entryPoints: [entry], bundle: true, write: false, format: "iife", platform: "browser", target: "es2020", minify: true })
      .then((result) => result.outputFiles[0]!.text);
    code.catch(() => bundles.delete(entry));
    bundles.set(entry, code);
  }
  return code;
}

export function mountPreview(app: Express, options: { clientSecret: string; logger: Logger; intercomAppId?: string }) {
  const { clientSecret, logger, intercomAppId } = options;

  app.get("/", (_req, res) => {
    res.type("html").send(PAGE({ intercomAppId }));
  });

  app.get("/preview/:file", async (req, res) => {
    const entry = CLIENTS[req.params.file as keyof typeof CLIENTS];
    if (!entry || (req.params.file === "messenger.js" && !intercomAppId)) {
      res.status(404).json({ error: "not found" });
      return;
    }
    res.type("application/javascript").send(await bundle(entry));
  });

  app.post("/preview/canvas/:endpoint", express.json({ limit: "512kb" }), async (req, res) => {
    const endpoint = String(req.params.endpoint);
    if (!ENDPOINTS.has(endpoint) || typeof req.body !== "object" || req.body === null || Array.isArray(req.body)) {
      res.status(400).json({ error: "unknown preview endpoint or body" });
      return;
    }
    const body = JSON.stringify({ ...req.body, workspace_id: PREVIEW_WORKSPACE_ID });
    const port = req.socket.localPort;
    try {
      const upstream = await fetch(`http://127.0.0.1:${port}/canvas/messenger/${endpoint}`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-body-signature": canvasSignature(body, clientSecret) },
        body,
        signal: AbortSignal.timeout(15_000),
      });
      res.status(upstream.status).type("application/json").send(await upstream.text());
    } catch (error) {
      logger.error({ err: error, endpoint }, "preview could not reach its own endpoint");
      res.status(502).json({ error: "the canvas endpoint did not answer" });
    }
  });
}
