import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readManifest } from "../server/manifest.ts";
import { startTestApp, type TestApp } from "./helpers/app.ts";

const run = promisify(execFile);
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

describe("app-manifest.json", () => {
  it("is valid and declares every Canvas Kit surface and webhook topic the app handles", () => {
    const manifest = readManifest();
    expect(manifest.canvas_kit.messenger.locations).toEqual(expect.arrayContaining(["home", "conversation"]));
    expect(manifest.webhooks.topics).toEqual(expect.arrayContaining(["conversation.user.created", "conversation.admin.closed"]));
    expect(manifest.environment.filter((variable) => variable.required).map((variable) => variable.name)).toEqual(["PUBLIC_URL", "INTERCOM_CLIENT_SECRET"]);
  });

  it("points only at routes the app serves", async () => {
    const manifest = readManifest();
    const paths = [
      ...Object.values(manifest.canvas_kit.messenger.endpoints),
      ...Object.values(manifest.canvas_kit.inbox.endpoints),
      manifest.webhooks.endpoint,
    ];
    for (const path of paths) {
      // Unsigned: a served route says 401, an unknown one 404.
      expect((await app.canvas(path, {}, { signature: null })).status, path).toBe(401);
    }
    for (const path of Object.values(manifest.health)) expect((await fetch(app.url + path)).status, path).not.toBe(404);
  });

  it("prints the full URLs to paste into the Developer Hub", async () => {
    const { stdout } = await run("npx", ["tsx", "server/cli/manifest.ts", "--public-url", "https://x.example/"]);
    expect(stdout).toContain("Messenger initialize URL");
    expect(stdout).toMatch(/Messenger submit URL\s+https:\/\/x\.example\/canvas\/messenger\/submit\n/);
    expect(stdout).toMatch(/Webhook endpoint URL\s+https:\/\/x\.example\/webhooks\/intercom\n/);
  });

  it("explains its usage without a public URL", async () => {
    const failure = await run("npx", ["tsx", "server/cli/manifest.ts"], { env: { ...process.env, PUBLIC_URL: "" } }).catch((error) => error);
    expect(failure.code).toBe(2);
    expect(failure.stderr).toContain("Usage: npm run manifest -- --public-url");
  });
});
