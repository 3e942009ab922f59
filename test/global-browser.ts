// Says, once per run, that the browser tests were skipped and how to run them.
import { CHROMIUM, runBrowserTests } from "./helpers/browser.ts";

export default function setup() {
  if (!runBrowserTests()) console.warn(`\nBrowser tests skipped: no Chromium at ${CHROMIUM}. To run them: sudo apt-get install chromium (or set CHROMIUM_PATH).\n`);
}
