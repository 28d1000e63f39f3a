// Finds and launches Debian's Chromium. We never download a browser: the machine provides it.
import { accessSync, constants } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium';

/** Flags agreed in TESTING.md: headless, no outside connections, nothing from a previous run. */
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * The Chromium binary to drive: CHROMIUM_PATH when set, otherwise Debian's /usr/bin/chromium.
 * Throws one line that says how to get one, so a missing browser is a failure, never a skip.
 */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.CHROMIUM_PATH?.trim();
  const candidate = configured || DEFAULT_CHROMIUM_PATH;
  try {
    accessSync(candidate, constants.X_OK);
    return candidate;
  } catch {
    const where = configured ? `CHROMIUM_PATH=${configured} is not an executable file` : `no Chromium at ${DEFAULT_CHROMIUM_PATH}`;
    throw new Error(
      `Browser tests need Chromium (${where}): install it with \`apt-get install -y chromium\` (as root, on Debian or Ubuntu), or set CHROMIUM_PATH to a Chromium binary.`,
    );
  }
}

/**
 * Starts a headless Chromium. Playwright gives it a fresh, empty --user-data-dir in the temp
 * folder and deletes it on close (passing our own --user-data-dir to `launch` is refused; only
 * launchPersistentContext takes one, and a persistent context cannot open the second, separate
 * browser context a colleague's journey needs).
 */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: findChromium(),
    headless: true,
    args: CHROMIUM_FLAGS,
  });
}
