// Accessibility check of the page as it is now, with axe-core run inside the browser.
// Functions passed to page.evaluate run in the browser, hence the DOM types.
/// <reference lib="dom" />
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

/** The success criteria we hold every page to: WCAG 2.0, 2.1 and 2.2, levels A and AA. */
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'];
const BLOCKING_IMPACTS = new Set(['serious', 'critical']);

interface AxeNode {
  target: unknown[];
  failureSummary?: string;
}
interface AxeViolation {
  id: string;
  impact?: string | null;
  help: string;
  helpUrl: string;
  nodes: AxeNode[];
}

const require = createRequire(import.meta.url);
let axeSource: Promise<string> | undefined;

/**
 * Puts axe-core into the page once (a boosted navigation keeps the same document, so it stays).
 *
 * Why evaluate and not `page.addScriptTag({ path })`: addScriptTag inserts an inline <script>,
 * which our Content-Security-Policy (`script-src 'self'`) blocks, and the browser logs that as a
 * CSP violation. `page.evaluate(source)` runs the file through the DevTools protocol
 * (Runtime.evaluate), which the page's CSP does not govern, so axe lands in the page's own
 * window without weakening the policy. We do not use the context option `bypassCSP: true`
 * either: it would hide the very CSP violations these tests look for.
 */
async function injectAxe(page: Page): Promise<void> {
  const present = await page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe === 'object');
  if (present) return;
  axeSource ??= readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(await axeSource);
}

/**
 * Runs axe on the whole page and throws, listing each problem, when a WCAG 2.x A/AA rule is broken
 * with a serious or critical impact. `where` names the page in the message.
 *
 * @example
 * await expectAccessible(page, 'login page');
 */
export async function expectAccessible(page: Page, where: string): Promise<void> {
  await injectAxe(page);
  const violations = await page.evaluate(async (tags) => {
    const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: unknown[] }> } }).axe;
    const results = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return results.violations;
  }, WCAG_TAGS);
  const blocking = (violations as AxeViolation[]).filter((violation) => BLOCKING_IMPACTS.has(violation.impact ?? ''));
  if (blocking.length > 0) {
    throw new Error(`Accessibility problems on the ${where} (${page.url()}):\n${blocking.map(describeViolation).join('\n')}`);
  }
}

function describeViolation(violation: AxeViolation): string {
  const nodes = violation.nodes.map((node) => {
    const summary = (node.failureSummary ?? '').split('\n').map((line) => `        ${line.trim()}`).join('\n');
    return `    at ${node.target.map(String).join(' ')}\n${summary}`;
  });
  return `  [${violation.impact}] ${violation.id}: ${violation.help}\n    ${violation.helpUrl}\n${nodes.join('\n')}`;
}
