// Starts the Chroma server bundled with the `chromadb` package when no CHROMA_URL is given, so a
// new user gets a real vector store with nothing to install. The server lives in a child process
// (chroma-child.mjs) that dies with the app, however the app ends.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { createServer } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Logger } from "../logger.ts";

export interface ChromaServer {
  url: string;
  stop(): Promise<void>;
}

const CHILD = fileURLToPath(new URL("./chroma-child.mjs", import.meta.url));

async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

async function isChromaAlive(url: string, timeoutMs = 1000): Promise<boolean> {
  try {
    const response = await fetch(`${url}/api/v2/heartbeat`, { signal: AbortSignal.timeout(timeoutMs) });
    return response.ok;
  } catch {
    return false;
  }
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
}

export async function startEmbeddedChroma(options: {
  dataDir: string;
  logger: Logger;
  timeoutMs?: number;
}): Promise<ChromaServer> {
  const { logger } = options;
  const dir = path.join(options.dataDir, "chroma");
  await mkdir(dir, { recursive: true });
  const port = await freeLoopbackPort();
  const url = `http://127.0.0.1:${port}`;

  // stdin stays open as a lifeline: the child exits when it closes.
  const child = spawn(process.execPath, [CHILD, "--path", dir, "--port", String(port)], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);

  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  while (!(await isChromaAlive(url, 500))) {
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      child.kill("SIGKILL");
      const why = child.exitCode !== null ? `exited with code ${child.exitCode}` : "did not answer its heartbeat";
      throw new Error(`embedded Chroma ${why}: ${output.trim().split("\n").slice(-3).join(" | ")}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  logger.info({ url, path: dir, pid: child.pid }, "embedded Chroma is up");

  let stopping = false;
  child.once("exit", (code, signal) => {
    if (!stopping) logger.error({ code, signal, output: output.slice(-500) }, "embedded Chroma stopped unexpectedly");
  });
  return {
    url,
    async stop() {
      stopping = true;
      child.kill("SIGTERM");
      await exited(child);
    },
  };
}
