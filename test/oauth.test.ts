// The public app's OAuth install, against a local Intercom: the token is traded, its workspace
// found, and the token stored sealed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueState } from "../server/http/oauth.ts";
import { TokenSealer, WorkspaceTokens } from "../server/intercom/token-store.ts";
import { createLogger } from "../server/logger.ts";
import type { Database } from "../server/storage/database.ts";
import { startTestApp, type TestApp } from "./helpers/app.ts";
import { openTestDatabase } from "./helpers/databases.ts";
import { startFakeIntercom, type FakeIntercom } from "./helpers/fake-intercom.ts";

const SECRET = "oauth-client-secret-0123";
let intercom: FakeIntercom;
let db: Database;
let cleanup: () => Promise<void>;
let tokens: WorkspaceTokens;
let app: TestApp;
const installed: string[] = [];

beforeAll(async () => {
  intercom = await startFakeIntercom({ workspaceId: "ws4oauth" });
  ({ db, cleanup } = await openTestDatabase("pglite"));
  tokens = new WorkspaceTokens(db, new TokenSealer("a-very-long-token-encryption-key-0123456789"));
  app = await startTestApp({
    oauth: {
      clientId: "client-123",
      clientSecret: SECRET,
      publicUrl: "https://assistant.example.com",
      apiBaseUrl: intercom.url,
      authorizeUrl: "https://app.intercom.com/oauth",
      tokens,
      logger: createLogger("silent"),
      onInstalled: (workspaceId) => void installed.push(workspaceId),
    },
  });
});
afterAll(async () => {
  await app.close();
  await intercom.close();
  await cleanup();
});

describe("OAuth install", () => {
  it("sends the admin to Intercom with the client id, a signed state and the callback", async () => {
    const response = await fetch(`${app.url}/oauth/install`, { redirect: "manual" });
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get("location")!);
    expect(location.origin + location.pathname).toBe("https://app.intercom.com/oauth");
    expect(location.searchParams.get("client_id")).toBe("client-123");
    expect(location.searchParams.get("redirect_uri")).toBe("https://assistant.example.com/oauth/callback");
    expect(location.searchParams.get("state")).toMatch(/^\d+\..+\..+$/);
  });

  it("trades the code, stores the workspace's token sealed, and syncs its Help Center", async () => {
    const install = await fetch(`${app.url}/oauth/install`, { redirect: "manual" });
    const state = new URL(install.headers.get("location")!).searchParams.get("state")!;
    const response = await fetch(`${app.url}/oauth/callback?code=good-code&state=${encodeURIComponent(state)}`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("is installed");
    expect(tokens.get("ws4oauth")).toBe("fake-access-token");
    expect(installed).toEqual(["ws4oauth"]);
    const [row] = await db.query<{ sealed_token: string }>("SELECT sealed_token FROM workspace_tokens WHERE workspace_id = 'ws4oauth'");
    expect(row!.sealed_token).toMatch(/^v1\./);
    expect(row!.sealed_token).not.toContain("fake-access-token");

    const reloaded = new WorkspaceTokens(db, new TokenSealer("a-very-long-token-encryption-key-0123456789"));
    expect(await reloaded.load()).toEqual({ loaded: 1, unreadable: [] });
    expect(reloaded.get("ws4oauth")).toBe("fake-access-token");
    const wrongKey = new WorkspaceTokens(db, new TokenSealer("another-long-token-encryption-key-987654321"));
    expect(await wrongKey.load()).toEqual({ loaded: 0, unreadable: ["ws4oauth"] });
  });

  it("refuses a forged, expired or missing state", async () => {
    const forged = `${Date.now()}.abc.def`;
    const expired = issueState(SECRET, Date.now() - 11 * 60_000);
    for (const state of [forged, expired, ""]) {
      expect((await fetch(`${app.url}/oauth/callback?code=good-code&state=${encodeURIComponent(state)}`)).status).toBe(400);
    }
  });

  it("says the installation failed when Intercom rejects the code", async () => {
    const state = issueState(SECRET, Date.now());
    expect((await fetch(`${app.url}/oauth/callback?code=bad-code&state=${encodeURIComponent(state)}`)).status).toBe(502);
  });

  it("binds a sealed token to its workspace", () => {
    const sealer = new TokenSealer("a-very-long-token-encryption-key-0123456789");
    const sealed = sealer.seal("ws-a", "secret-token");
    expect(sealer.open("ws-a", sealed)).toBe("secret-token");
    expect(() => sealer.open("ws-b", sealed)).toThrow();
  });
});
