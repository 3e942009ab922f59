// A workspace that uninstalls the app (or revokes its access): Intercom answers its token with 401,
// and the app forgets that token, stops syncing the workspace, and picks it up again on reinstall.
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IntercomConnections } from "../server/intercom/connections.ts";
import { TokenSealer, WorkspaceTokens } from "../server/intercom/token-store.ts";
import { sourceRouter } from "../server/knowledge/sources.ts";
import { createLogger } from "../server/logger.ts";
import type { Database } from "../server/storage/database.ts";
import { testKnowledge } from "./helpers/app.ts";
import { BACKENDS, openTestDatabase } from "./helpers/databases.ts";
import { startFakeIntercom, type FakeIntercom } from "./helpers/fake-intercom.ts";
import { waitFor } from "./helpers/process.ts";

const sealer = new TokenSealer("a-very-long-token-encryption-key-0123456789");

describe.each(BACKENDS)("on %s", (backend) => {
  let db: Database;
  let cleanup: () => Promise<void>;
  let intercom: FakeIntercom;
  let tokens: WorkspaceTokens;
  let connections: IntercomConnections;
  const logs: string[] = [];
  const stored = async () => (await db.query<{ workspace_id: string }>("SELECT workspace_id FROM workspace_tokens ORDER BY workspace_id")).map((row) => row.workspace_id);

  beforeAll(async () => {
    ({ db, cleanup } = await openTestDatabase(backend));
    // The fake accepts only "fake-access-token"; any other token is answered 401, as Intercom does once access is revoked.
    intercom = await startFakeIntercom({ workspaceId: "ws4gone" });
    tokens = new WorkspaceTokens(db, sealer);
    const logger = createLogger("info", new Writable({ write: (chunk, _encoding, done) => (logs.push(chunk.toString()), done()) }));
    connections = new IntercomConnections({ apiBaseUrl: intercom.url, installed: tokens, logger });
  });
  afterAll(async () => {
    await intercom.close();
    await cleanup();
  });

  it("forgets a workspace whose token Intercom refuses, keeps the others, and reconnects it on reinstall", async () => {
    await tokens.save("ws4gone", "revoked-token");
    await tokens.save("ws4kept", "fake-access-token");
    const knowledge = testKnowledge({ sourceFor: sourceRouter({ previewWorkspaceId: "preview", clientFor: (id) => connections.clientFor(id), connected: true }) });

    await expect(knowledge.sync("ws4gone")).rejects.toThrow();
    await waitFor(() => !connections.workspaces().includes("ws4gone"), 5000, "the revoked workspace to be forgotten");
    expect(connections.workspaces()).toEqual(["ws4kept"]);
    expect(connections.clientFor("ws4gone")).toBeUndefined();
    expect(await stored()).toEqual(["ws4kept"]);
    expect(await new WorkspaceTokens(db, sealer).load()).toEqual({ loaded: 1, unreadable: [] });
    expect(logs.join("")).toContain("Intercom no longer accepts this workspace's token (401)");

    await tokens.save("ws4gone", "fake-access-token");
    await expect(knowledge.sync("ws4gone")).resolves.toMatchObject({ errors: [] });
    expect(connections.workspaces()).toContain("ws4gone");
  });

  it("keeps a reinstalled workspace connected when a request made with its old token comes back 401", async () => {
    await tokens.save("ws4again", "old-token");
    const stale = connections.clientFor("ws4again")!;
    await tokens.save("ws4again", "fake-access-token");
    await expect(stale.admins.identify()).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(connections.workspaces()).toContain("ws4again");
    expect(await stored()).toContain("ws4again");
    await expect(connections.clientFor("ws4again")!.admins.identify()).resolves.toMatchObject({ app: { id_code: "ws4gone" } });
  });
});
