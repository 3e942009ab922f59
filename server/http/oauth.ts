// The OAuth install flow of the public app: /oauth/install sends the admin to Intercom to approve
// the app; /oauth/callback trades the code for an access token, asks Intercom which workspace it
// belongs to, and stores it sealed. The `state` is signed with the client secret and expires, so a
// callback cannot be forged or replayed later.
import { createHmac, randomBytes } from "node:crypto";
import type { Express } from "express";
import { z } from "zod";
import { createIntercomClient, workspaceOfToken } from "../intercom/client.ts";
import type { WorkspaceTokens } from "../intercom/token-store.ts";
import type { Logger } from "../logger.ts";
import { sameSecret } from "../same-secret.ts";

const STATE_TTL_MS = 10 * 60_000;

export interface OAuthDeps {
  clientId: string;
  clientSecret: string;
  publicUrl: string;
  apiBaseUrl: string;
  authorizeUrl: string;
  tokens: WorkspaceTokens;
  logger: Logger;
  /** Called once a workspace has installed the app (e.g. to sync its Help Center). */
  onInstalled(workspaceId: string): void;
  now?: () => number;
}

/** What a state was issued for: installing the app, or signing an admin into the console. */
export type StatePurpose = "install" | "console";

const sign = (secret: string, payload: string, purpose: StatePurpose) => createHmac("sha256", secret).update(`oauth-state\0${purpose}\0${payload}`).digest("base64url");

export function issueState(secret: string, now: number, purpose: StatePurpose = "install"): string {
  const payload = `${now}.${randomBytes(12).toString("base64url")}`;
  return `${payload}.${sign(secret, payload, purpose)}`;
}

export function stateIsValid(secret: string, state: string, now: number, purpose: StatePurpose = "install"): boolean {
  const at = state.lastIndexOf(".");
  if (at < 0) return false;
  const payload = state.slice(0, at);
  const issued = Number(payload.split(".")[0]);
  return sameSecret(state.slice(at + 1), sign(secret, payload, purpose)) && now - issued >= 0 && now - issued < STATE_TTL_MS;
}

const TokenResponse = z.looseObject({ token: z.string().optional(), access_token: z.string().optional() }).refine((body) => body.token || body.access_token, "no token in the response");

/** Trades the code Intercom's authorize page returned for the workspace's access token. */
export async function exchangeCode(deps: Pick<OAuthDeps, "apiBaseUrl" | "clientId" | "clientSecret">, code: string): Promise<string> {
  const exchanged = await fetch(`${deps.apiBaseUrl}/auth/eagle/token`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ code, client_id: deps.clientId, client_secret: deps.clientSecret }),
    signal: AbortSignal.timeout(15_000),
  });
  const body = TokenResponse.parse(await exchanged.json());
  if (!exchanged.ok) throw new Error(`token exchange answered ${exchanged.status}`);
  return (body.access_token ?? body.token)!;
}

/** Intercom's authorize page for this app, coming back to `redirectPath` with a state for `purpose`. */
export function authorizeUrl(deps: Pick<OAuthDeps, "authorizeUrl" | "clientId" | "clientSecret" | "publicUrl">, redirectPath: string, purpose: StatePurpose, now: number): string {
  const url = new URL(deps.authorizeUrl);
  url.searchParams.set("client_id", deps.clientId);
  url.searchParams.set("state", issueState(deps.clientSecret, now, purpose));
  url.searchParams.set("redirect_uri", `${deps.publicUrl}${redirectPath}`);
  return url.toString();
}

const page = (title: string, text: string) =>
  `<!doctype html><meta charset="utf-8"><title>${title}</title><body style="font:16px system-ui;margin:48px;max-width:560px"><h1>${title}</h1><p>${text}</p></body>`;

export function mountOAuth(app: Express, deps: OAuthDeps) {
  const now = deps.now ?? Date.now;

  app.get("/oauth/install", (_req, res) => {
    res.redirect(302, authorizeUrl(deps, "/oauth/callback", "install", now()));
  });

  app.get("/oauth/callback", async (req, res) => {
    const code = typeof req.query.code === "string" ? req.query.code : "";
    const state = typeof req.query.state === "string" ? req.query.state : "";
    if (!code || !stateIsValid(deps.clientSecret, state, now())) {
      deps.logger.warn({ hasCode: Boolean(code) }, "rejected OAuth callback: missing code or invalid state");
      res.status(400).type("html").send(page("Installation link expired", "Please start the installation again from the Intercom App Store."));
      return;
    }
    try {
      const token = await exchangeCode(deps, code);
      const workspaceId = await workspaceOfToken(createIntercomClient({ token, baseUrl: deps.apiBaseUrl }));
      await deps.tokens.save(workspaceId, token);
      deps.logger.info({ workspaceId }, "app installed through OAuth");
      deps.onInstalled(workspaceId);
      res.type("html").send(page("Help Center Assistant is installed", "You can close this tab and add the app to your Messenger from Intercom."));
    } catch (error) {
      deps.logger.error({ err: error }, "OAuth installation failed");
      res.status(502).type("html").send(page("Installation failed", "Intercom did not accept the installation. Please try again in a minute."));
    }
  });
}
