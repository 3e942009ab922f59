// The server is built once before the run, as `npm install` builds it, so the tests that start the
// app as a process run what `npm start` runs, and none of them builds it meanwhile.
import { ensureBuilt } from "../server/cli/build.mjs";

export default async function setup() {
  await ensureBuilt();
}
