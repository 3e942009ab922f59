// The app as a new user runs it: one process, an embedded Chroma beside it, nothing left behind.
import { ChromaClient } from "chromadb";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answers, spawnApp, waitFor } from "./helpers/process.ts";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { DIST, isCurrent } from "../server/cli/build.mjs";
import { canvasSignature } from "../server/intercom/signature.ts";
import { fixture } from "./helpers/app.ts";

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "assistant-start-"));
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

const SECRET = "start-test-client-secret";

async function startReady() {
  const app = await spawnApp({ DATA_DIR: dataDir, INTERCOM_CLIENT_SECRET: SECRET });
  await waitFor(async () => {
    if (app.child.exitCode !== null) throw new Error(`app exited:\n${app.output()}`);
    const response = await fetch(`http://127.0.0.1:${app.port}/readyz`).catch(() => undefined);
    return response?.status === 200 ? true : undefined;
  }, 60_000, "readyz");
  const chromaUrl = app.logField("embedded Chroma is up", "url") as string;
  expect(chromaUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  return { app, chromaUrl };
}

/** A start syncs and fits the demo before ready: 15 s on a quiet 2-core machine, twice that on a busy one. */
const START_MS = 120_000;

describe("npm start", { timeout: START_MS }, () => {
  it("reaches ready with an embedded Chroma, prints the preview URL, and stops Chroma on SIGTERM", async () => {
    const { app, chromaUrl } = await startReady();
    expect(app.output()).toContain(`Messenger preview: http://localhost:${app.port}/`);
    expect((await fetch(`http://127.0.0.1:${app.port}/`)).headers.get("content-type")).toMatch(/text\/html/);
    // Plain JavaScript from dist/ with node: no TypeScript compiler loaded, none beside it.
    const children = execFileSync("ps", ["-o", "args=", "--ppid", String(app.child.pid)], { encoding: "utf8" });
    expect(children).not.toMatch(/esbuild|tsx/);
    // The tests start what `npm start` runs.
    expect(JSON.parse(readFileSync("package.json", "utf8")).scripts.start).toBe("node --enable-source-maps server/cli/start.mjs");
    const body = JSON.stringify({ ...fixture("messenger-submit"), workspace_id: "preview", input_values: { question: "How do I reset my password?" } });
    const card = await fetch(`http://127.0.0.1:${app.port}/canvas/messenger/submit`, { method: "POST", headers: { "content-type": "application/json", "x-body-signature": canvasSignature(body, SECRET) }, body });
    expect(card.status).toBe(200);
    expect(JSON.stringify(await card.json())).toContain("Reset your password");

    const chroma = new ChromaClient({ host: "127.0.0.1", port: Number(new URL(chromaUrl).port) });
    await chroma.getOrCreateCollection({ name: "kept-across-restarts", embeddingFunction: null });

    app.child.kill("SIGTERM");
    expect(await app.exited).toBe(0);
    expect(await answers(`${chromaUrl}/api/v2/heartbeat`)).toBe(false);

    const again = await startReady();
    try {
      const collections = await new ChromaClient({ host: "127.0.0.1", port: Number(new URL(again.chromaUrl).port) }).listCollections();
      expect(collections.map((collection) => collection.name)).toContain("kept-across-restarts");
    } finally {
      again.app.child.kill("SIGTERM");
      await again.app.exited;
    }
  });

  it("builds again before starting when the build is older than the sources", async () => {
    const info = path.join(DIST, "build-info.json");
    writeFileSync(info, JSON.stringify({ ...JSON.parse(readFileSync(info, "utf8")), digest: "sources edited since" }));
    const { app } = await startReady();
    try {
      expect(app.output()).toMatch(/Built the server into dist\/ \(\d+ modules/);
      expect(await isCurrent()).toBe(true);
    } finally {
      app.child.kill("SIGTERM");
      await app.exited;
    }
  });

  it("leaves no Chroma behind when the app is killed outright", async () => {
    const { app, chromaUrl } = await startReady();
    app.child.kill("SIGKILL");
    await app.exited;
    await waitFor(async () => ((await answers(`${chromaUrl}/api/v2/heartbeat`)) ? undefined : true), 10_000, "Chroma to stop");
  });

  it("refuses to start with a bad variable, naming it in one line", async () => {
    const app = await spawnApp({ DATA_DIR: dataDir, LOG_LEVEL: "loud" });
    expect(await app.exited).toBe(1);
    expect(app.output().trim().split("\n")).toEqual([expect.stringMatching(/^Invalid environment variable LOG_LEVEL: /)]);
  });
});
