// Builds the server once into dist/, so `npm start` runs plain JavaScript with node and no
// compiler at run time: each TypeScript module of server/ and canvas/ becomes one JavaScript
// module at the same place under dist/ (imports of other modules kept as imports, their .ts
// turned into .js), with a source map so stack traces point at the TypeScript; the files the
// modules read beside them (templates, models, catalogs, migrations, the demo Help Center) are
// copied so every `new URL(…, import.meta.url)` finds them. A digest of the sources says whether
// the build is current. It also makes the embedded database's template (pglite-template.mjs), so a
// first start copies a database instead of creating one. Plain JavaScript itself, so that nothing
// needs building to build.
//   node server/cli/build.mjs            builds when dist/ is missing or stale
//   node server/cli/build.mjs --force    builds anyway
import { build, stop } from "esbuild";
import { createHash } from "node:crypto";
import { cp, mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ensureTemplate } from "../storage/pglite-template.mjs";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const DIST = path.join(ROOT, "dist");
const INFO = path.join(DIST, "build-info.json");
/** What the running server is made of: its code, and what its code reads at run time. */
const SOURCES = ["server", "canvas", "templates", "app-manifest.json", "package.json"];
/** The preview page bundles these for the browser when it is served: they travel as TypeScript. */
const BROWSER_SOURCES = ["canvas/preview"];

async function filesUnder(relative) {
  const full = path.join(ROOT, relative);
  const entries = await readdir(full, { withFileTypes: true }).catch((error) => (error.code === "ENOTDIR" ? null : Promise.reject(error)));
  if (!entries) return [relative];
  const nested = await Promise.all(entries.map((entry) => (entry.isDirectory() ? filesUnder(path.join(relative, entry.name)) : [path.join(relative, entry.name)])));
  return nested.flat();
}

/** One digest of every source file's path and content: any edit, addition or removal changes it. */
export async function sourceDigest() {
  const files = (await Promise.all(SOURCES.map(filesUnder))).flat().sort();
  const hash = createHash("sha256");
  for (const file of files) hash.update(file).update("\0").update(await readFile(path.join(ROOT, file))).update("\0");
  return hash.digest("hex");
}

export async function isCurrent() {
  const info = JSON.parse(await readFile(INFO, "utf8").catch(() => "{}"));
  return info.digest === (await sourceDigest());
}

/**
 * Every relative import stays an import of the built module beside it; packages come from
 * node_modules. A JSON module is inlined instead: esbuild would drop the import attribute Node
 * needs to import it.
 */
const keepImports = {
  name: "keep-imports",
  setup(builder) {
    builder.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind === "entry-point" || args.path.endsWith(".json")) return undefined;
      return { path: args.path.startsWith(".") ? args.path.replace(/\.ts$/, ".js") : args.path, external: true };
    });
  },
};

export async function buildServer() {
  const started = Date.now();
  const digest = await sourceDigest();
  const files = (await Promise.all(["server", "canvas"].map(filesUnder))).flat();
  const code = files.filter((file) => file.endsWith(".ts"));
  // Built aside, then swapped in whole: a server starting meanwhile never sees half a build.
  const next = `${DIST}.${process.pid}`;
  await rm(next, { recursive: true, force: true });
  try {
    await build({
      absWorkingDir: ROOT,
      entryPoints: code,
      outdir: next,
      outbase: ".",
      bundle: true,
      plugins: [keepImports],
      platform: "node",
      format: "esm",
      target: "node20",
      sourcemap: true,
      logLevel: "warning",
    });
  } finally {
    // esbuild's service would otherwise stay beside the app for its whole life.
    await stop();
  }
  const assets = files.filter((file) => !file.endsWith(".ts") || BROWSER_SOURCES.some((dir) => file.startsWith(`${dir}${path.sep}`)));
  for (const file of [...assets, ...(await filesUnder("templates")), "app-manifest.json"]) {
    await mkdir(path.dirname(path.join(next, file)), { recursive: true });
    await cp(path.join(ROOT, file), path.join(next, file));
  }
  await writeFile(path.join(next, path.basename(INFO)), `${JSON.stringify({ digest, builtAt: new Date().toISOString(), modules: code.length }, null, 2)}\n`);
  // The build in place moves aside first, then the new one takes its name: an app starting from
  // dist/ meanwhile (the tests start several at once) finds one build or the other, never none.
  const old = `${DIST}.old.${process.pid}`;
  await rename(DIST, old).catch((error) => (error.code === "ENOENT" ? undefined : Promise.reject(error)));
  await rename(next, DIST);
  await rm(old, { recursive: true, force: true });
  return { modules: code.length, ms: Date.now() - started };
}

/** Builds when dist/ is missing or older than the sources; says so on stderr. */
export async function ensureBuilt({ force = false } = {}) {
  if (!force && (await isCurrent())) return false;
  const { modules, ms } = await buildServer();
  process.stderr.write(`Built the server into dist/ (${modules} modules, ${ms} ms).\n`);
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  await ensureBuilt({ force: process.argv.includes("--force") });
  await ensureTemplate();
}
