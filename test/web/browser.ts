/**
 * Debian's chromium driven by playwright-core (which never downloads a browser): a fresh profile
 * per call, headless, no network beyond what the page asks for.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext } from "playwright-core";

/** Where .ci/run installs chromium (apt-get install chromium). */
export const CHROMIUM = "/usr/bin/chromium";

/** The flags of every launch. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** A browser with a fresh profile; `close` ends it and deletes the profile. */
export async function launchBrowser(viewport = { width: 1100, height: 900 }): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install it with apt-get install -y chromium (.ci/run does)`);
  const profile = mkdtempSync(join(tmpdir(), "vundap-chromium-"));
  // launchPersistentContext passes the profile as --user-data-dir (playwright refuses it among args).
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    acceptDownloads: true,
    viewport,
    locale: "vi-VN",
    timezoneId: "Asia/Ho_Chi_Minh",
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
