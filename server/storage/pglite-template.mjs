// A new embedded database is a copy of one created once per PGlite version: creating one runs
// initdb inside WebAssembly (about 5 s on 2 cores), copying its files takes a fraction of a
// second. The template is made by `npm install` (server/cli/build.mjs) in node_modules/.cache,
// where packages keep what they derive from node_modules; when it cannot be written there, each
// database is created in place as before. Plain JavaScript, so the build can make it.
import { existsSync, readFileSync } from "node:fs";
import { cp, mkdir, rename, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { Worker } from "node:worker_threads";

/** node_modules/.cache/pglite-template-<version>, beside the PGlite the app runs. */
export function templateDir() {
  let dir = path.dirname(createRequire(import.meta.url).resolve("@electric-sql/pglite"));
  while (path.basename(dir) !== "node_modules") dir = path.dirname(dir);
  const { version } = JSON.parse(readFileSync(path.join(dir, "@electric-sql", "pglite", "package.json"), "utf8"));
  return path.join(dir, ".cache", `pglite-template-${version}`);
}

/**
 * Creates a database at `dir` in a thread of its own: initdb's WebAssembly memory, which never
 * shrinks, goes with the thread instead of staying in the app's heap.
 */
export function createInThread(dir) {
  return new Promise((created, failed) => {
    const worker = new Worker(new URL("./pglite-init.mjs", import.meta.url), { workerData: { dir } });
    worker.once("error", failed);
    worker.once("exit", (code) => (code === 0 ? created() : failed(new Error(`creating the embedded database failed (exit ${code})`))));
  });
}

/** Makes the template unless it exists; made aside and renamed, so a reader never sees half of one. */
export async function ensureTemplate() {
  const template = templateDir();
  if (existsSync(path.join(template, "PG_VERSION"))) return template;
  const aside = `${template}.${process.pid}.${Date.now()}`;
  try {
    await mkdir(aside, { recursive: true });
    await createInThread(aside);
    await rename(aside, template);
  } catch (error) {
    // Another process made it meanwhile; anything else is the caller's to see.
    if (!existsSync(path.join(template, "PG_VERSION"))) throw error;
  } finally {
    await rm(aside, { recursive: true, force: true });
  }
  return template;
}

/** A new database at `dir` (which holds none): a copy of the template, or created in place when there can be none. */
export async function createDatabase(dir) {
  const template = await ensureTemplate().catch(() => undefined);
  if (!template) return createInThread(dir);
  const aside = `${dir}.${process.pid}.${Date.now()}`;
  try {
    await cp(template, aside, { recursive: true });
    await rm(dir, { recursive: true, force: true });
    await rename(aside, dir);
  } finally {
    await rm(aside, { recursive: true, force: true });
  }
}
