// The app as a new user runs it: one process, an embedded Chroma beside it, nothing left behind.
import { ChromaClient } from "chromadb";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answers, spawnApp, waitFor } from "./helpers/process.ts";

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "assistant-start-"));
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

async function startReady() {
  const app = await spawnApp({ DATA_DIR: dataDir });
  await waitFor(async () => {
    if (app.child.exitCode !== null) throw new Error(`app exited:\n${app.output()}`);
    const response = await fetch(`http://127.0.0.1:${app.port}/readyz`).catch(() => undefined);
    return response?.status === 200 ? true : undefined;
  }, 60_000, "readyz");
  const chromaUrl = app.logField("embedded Chroma is up", "url") as string;
  expect(chromaUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  return { app, chromaUrl };
}

describe("npm start", () => {
  it("reaches ready with an embedded Chroma, prints the preview URL, and stops Chroma on SIGTERM", async () => {
    const { app, chromaUrl } = await startReady();
    expect(app.output()).toContain(`Messenger preview: http://localhost:${app.port}/`);
    expect((await fetch(`http://127.0.0.1:${app.port}/`)).headers.get("content-type")).toMatch(/text\/html/);

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
