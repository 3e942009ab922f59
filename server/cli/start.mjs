// `npm start`: runs the built server with plain node (server/cli/build.mjs builds it at install;
// a build that is missing or older than the sources is made again first, in this process).
import path from "node:path";
import { pathToFileURL } from "node:url";
import { DIST, ensureBuilt } from "./build.mjs";

await ensureBuilt();
await import(pathToFileURL(path.join(DIST, "server", "main.js")).href);
