// Checks on what htmx changes, as a person would notice them: a click that should update part of the
// page leaves the rest of it as it was (no reload, no jump to another page).
// Functions passed to page.evaluate run in the browser, hence the DOM types.
/// <reference lib="dom" />
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';

/**
 * Runs `action` (which must wait for its own visible outcome, such as a new count), then checks that
 * the page was updated in place: it was not reloaded, and no boosted navigation replaced its main
 * content (both would replace the <main> element, which is tagged before the action).
 *
 * @example
 * await expectUpdatedInPlace(page, 'reacting', async () => {
 *   await page.getByRole('button', { name: 'Like, no one yet' }).click();
 *   await page.getByRole('button', { name: 'Like, 1 person: you' }).waitFor();
 * });
 */
export async function expectUpdatedInPlace(page: Page, what: string, action: () => Promise<void>): Promise<void> {
  const url = page.url();
  const token = randomUUID();
  await page.evaluate((value) => {
    const main = document.getElementById('main');
    if (!main) throw new Error('The page has no <main id="main">.');
    main.dataset.e2eBefore = value;
  }, token);
  await action();
  const kept = await page.evaluate((value) => document.getElementById('main')?.dataset.e2eBefore === value, token);
  if (!kept) throw new Error(`After ${what}, the page was reloaded or replaced (from ${url} to ${page.url()}), instead of being updated in place.`);
  if (page.url() !== url) throw new Error(`After ${what}, the address changed from ${url} to ${page.url()}.`);
  await page.evaluate(() => {
    delete document.getElementById('main')?.dataset.e2eBefore;
  });
}
