// The `test` every browser test uses. It gives each test a fresh Hameau server and a way to open
// browsers as different people, and it watches what a person would not see but must not happen:
// errors in the browser console (CSP violations land there) and uncaught script errors.
// When a test fails it saves a screenshot of every open page and prints where it is.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { test as base } from 'vitest';
import { launchChromium } from './chromium.js';
import { startHameau, type RunningHameau } from './server.js';

export interface BrowserOptions {
  /** The browser's language, sent as Accept-Language; pages before sign-in follow it. */
  locale?: string;
  viewport?: { width: number; height: number };
  /** False for a browser that runs no script: what works without JavaScript (links, plain forms). */
  javaScriptEnabled?: boolean;
}

/** Opens a page in a browser of its own (its own cookies), as a different person on their own device. */
export type OpenBrowser = (options?: BrowserOptions) => Promise<Page>;

interface Fixtures {
  hameau: RunningHameau;
  openBrowser: OpenBrowser;
}

interface FileFixtures {
  browser: Browser;
}

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

/**
 * Console errors that are the application working as intended. A form with a mistake is answered
 * 422 (with the form and its messages), and Chromium logs every 4xx answer to a fetch as a failed
 * load; htmx submits forms with fetch. Any other status, a CSP violation or a script error still fails.
 */
const EXPECTED_CONSOLE_ERRORS = [/^Failed to load resource: the server responded with a status of 422\b/];

let screenshotFolder: Promise<string> | undefined;

export const test = base.extend<Fixtures & FileFixtures>({
  // One Chromium per file; each openBrowser() is a separate context in it (its own cookies).
  browser: [
    async ({}, use) => {
      const browser = await launchChromium();
      await use(browser);
      await browser.close();
    },
    { scope: 'file' },
  ],

  hameau: async ({ task, onTestFinished }, use) => {
    const hameau = await startHameau();
    await use(hameau);
    const failed = task.result?.state === 'fail';
    const stopped = await hameau.stop().then(
      () => null,
      (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
    );
    if (failed && hameau.output()) console.error(`Server output during "${task.name}":\n${hameau.output()}`);
    if (stopped) failAfterTeardown(onTestFinished, stopped);
  },

  openBrowser: async ({ browser, task, onTestFinished }, use) => {
    const pages: { page: Page; consoleErrors: string[] }[] = [];
    const contexts: BrowserContext[] = [];

    await use(async (options = {}) => {
      const contextOptions: BrowserContextOptions = {
        locale: options.locale ?? 'en-GB',
        viewport: options.viewport ?? DESKTOP,
        javaScriptEnabled: options.javaScriptEnabled ?? true,
      };
      const context = await browser.newContext(contextOptions);
      contexts.push(context);
      const page = await context.newPage();
      const consoleErrors: string[] = [];
      page.on('console', (message) => {
        if (message.type() !== 'error') return;
        if (EXPECTED_CONSOLE_ERRORS.some((expected) => expected.test(message.text()))) return;
        const { url, lineNumber } = message.location();
        consoleErrors.push(`console error: ${message.text()}${url ? ` (${url}:${lineNumber})` : ''} on ${page.url()}`);
      });
      page.on('pageerror', (error) => consoleErrors.push(`uncaught error: ${error.message} on ${page.url()}`));
      pages.push({ page, consoleErrors });
      return page;
    });

    const failed = task.result?.state === 'fail';
    const errors = pages.flatMap((entry) => entry.consoleErrors);
    if (failed) {
      for (const [index, { page }] of pages.entries()) await saveScreenshot(page, task.name, index + 1);
      if (errors.length > 0) console.error(`Browser console during "${task.name}":\n${errors.join('\n')}`);
    }
    for (const context of contexts) await context.close().catch(() => undefined);
    if (!failed && errors.length > 0) {
      failAfterTeardown(onTestFinished, new Error(`The browser reported errors during the journey:\n${errors.map((error) => `  ${error}`).join('\n')}`));
    }
  },
});

/**
 * A fixture's teardown must not throw: vitest would then skip the teardowns after it and leave a
 * server running. What a teardown finds wrong fails the test from an onTestFinished hook instead,
 * which vitest runs once every teardown is done.
 */
function failAfterTeardown(onTestFinished: (handler: () => void) => void, error: Error): void {
  onTestFinished(() => {
    throw error;
  });
}

async function saveScreenshot(page: Page, testName: string, pageNumber: number): Promise<void> {
  if (page.isClosed()) return;
  screenshotFolder ??= mkdtemp(path.join(tmpdir(), 'hameau-e2e-screenshots-'));
  const file = path.join(await screenshotFolder, `${testName.replace(/[^\w-]+/g, '-').slice(0, 80)}-page-${pageNumber}.png`);
  try {
    await page.screenshot({ path: file, fullPage: true, timeout: 10_000 });
    console.error(`Screenshot of ${page.url()} saved to ${file}`);
  } catch (error) {
    console.error(`Could not take a screenshot of ${page.url()}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
