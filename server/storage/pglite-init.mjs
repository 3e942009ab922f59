// Creates a PGlite database in its own thread (createInThread in pglite-template.mjs).
import { PGlite } from "@electric-sql/pglite";
import { workerData } from "node:worker_threads";

const db = await PGlite.create(workerData.dir);
await db.close();
