// Runs the Chroma server shipped in the `chromadb` package (its own `chroma` CLI) for the app.
//
// The CLI's native binding blocks the thread that calls it, so it runs in a worker thread and this
// thread stays free to notice that the app went away: when the app's end of our stdin closes
// (the app exited, crashed or was killed with SIGKILL) or a signal arrives, the process exits and
// takes the server with it. No orphaned Chroma outlives the app.
//
// Usage: node chroma-child.mjs --path <dir> --port <port>
import { Worker } from "node:worker_threads";

const cli = new URL("cli.mjs", import.meta.resolve("chromadb"));
const worker = new Worker(cli, { argv: ["run", ...process.argv.slice(2)], stdout: false, stderr: false });

worker.on("error", (error) => {
  console.error(`chroma: ${error.message}`);
  process.exit(1);
});
worker.on("exit", (code) => process.exit(code || 1));

// process.exit() would wait for the worker, which never yields while the server runs. Chroma keeps
// its data in SQLite and flushed segment files, which survive an abrupt stop by design.
const stop = () => process.kill(process.pid, "SIGKILL");
process.stdin.on("end", stop);
process.stdin.on("error", stop);
process.stdin.resume();
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
