// The browser tests drive Debian's Chromium (nothing downloads a browser of its own). On a machine
// without it they are skipped, and the run says so once (test/global-browser.ts); .ci/run installs
// Chromium and sets REQUIRE_BROWSER, so there a missing browser fails instead of skipping.
import { existsSync } from "node:fs";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export const runBrowserTests = (): boolean => existsSync(CHROMIUM) || Boolean(process.env.REQUIRE_BROWSER);
