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
  /** The end of what the server printed, for diagnosing a failure. */
  output(): string;
  /** The server process's id (it changes when the supervisor restarts it). */
  pid(): number | undefined;
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

/**
 * Chroma's local server can be left unable to serve after a client drops a request mid-write: a
 * worker thread panics ("message reply channel was unexpectedly dropped") and every later query
 * fails. The supervisor notices the panic, or an unexpected exit, and restarts the server on the
 * same port with the same data, so the app heals by itself.
 */
const PANIC = /panicked at/;

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
  let output = "";
  let stopping = false;
  let child: ChildProcess;

  const launch = async () => {
    // stdin stays open as a lifeline: the child exits when it closes.
    const current = spawn(process.execPath, [CHILD, "--path", dir, "--port", String(port)], { stdio: ["pipe", "pipe", "pipe"] });
    child = current;
    let restarting = false;
    const restart = (why: string) => {
      if (stopping || restarting || child !== current) return;
      restarting = true;
      logger.error({ why, output: output.slice(-500) }, "embedded Chroma failed; restarting it");
      current.kill("SIGKILL");
      void exited(current)
        .then(launch)
        .catch((error) => logger.fatal({ err: error }, "embedded Chroma could not be restarted"));
    };
    const keep = (chunk: Buffer) => {
      const text = chunk.toString();
      output = (output + text).slice(-20000);
      if (PANIC.test(text)) restart("a server thread panicked");
    };
    current.stdout!.on("data", keep);
    current.stderr!.on("data", keep);
    current.once("exit", (code, signal) => {
      if (!stopping && !restarting) restart(`exited (code ${code}, signal ${signal})`);
    });

    const deadline = Date.now() + (options.timeoutMs ?? 30_000);
    while (!(await isChromaAlive(url, 500))) {
      if (current.exitCode !== null || current.signalCode !== null || Date.now() > deadline) {
        stopping = true;
        current.kill("SIGKILL");
        const why = current.exitCode !== null ? `exited with code ${current.exitCode}` : "did not answer its heartbeat";
        throw new Error(`embedded Chroma ${why}: ${output.trim().split("\n").slice(-3).join(" | ")}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    logger.info({ url, path: dir, pid: current.pid }, "embedded Chroma is up");
  };

  await launch();
  return {
    url,
    output: () => output,
    pid: () => child.pid,
    async stop() {
      stopping = true;
      child.kill("SIGTERM");
      await exited(child);
    },
  };
}
