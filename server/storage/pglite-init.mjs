// Creates a PGlite database in its own thread (see openPglite in database.ts): initdb's memory
// goes away with the thread instead of staying in the app's WebAssembly heap.
import { PGlite } from "@electric-sql/pglite";
import { workerData } from "node:worker_threads";

const db = await PGlite.create(workerData.dir);
await db.close();
