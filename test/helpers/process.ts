// Runs the app as a real process, the way `npm start` does, and reads its structured log.
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

export interface AppProcess {
  child: ChildProcess;
  port: number;
  output: () => string;
  /** The value of `field` in the first JSON log line whose msg is `msg`. */
  logField: (msg: string, field: string) => unknown;
  exited: Promise<number | null>;
}

export async function spawnApp(env: Record<string, string>): Promise<AppProcess> {
  const port = await freePort();
  // What `npm start` runs: the built server (test/global-build.ts built it before the run).
  const child = spawn(process.execPath, ["--enable-source-maps", "server/cli/start.mjs"], {
    env: { ...process.env, PORT: String(port), LOG_LEVEL: "info", CHROMA_URL: "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    child,
    port,
    output: () => output,
    exited,
    logField(msg, field) {
      for (const line of output.split("\n")) {
        if (!line.startsWith("{")) continue;
        const entry = JSON.parse(line) as Record<string, unknown>;
        if (entry.msg === msg) return entry[field];
      }
      return undefined;
    },
  };
}

export async function waitFor<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000, what = "condition"): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function answers(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(500) });
    return true;
  } catch {
    return false;
  }
}
