// The page's <head> follows boosted navigation. Links and forms are boosted by htmx (the body is
// swapped, the document stays), and a plugin's stylesheets are linked in the head: with htmx's hx-head
// extension, a page left open while the admin enables "Useful links" gets the plugin's stylesheet at the
// next click, and loses it at the next click once the plugin is disabled; the title follows each page.
// All without a reload, without a second copy of what the head already has, and without running the
// page's scripts again (htmx itself is the same object from start to end).
/// <reference lib="dom" />
import type { Page } from 'playwright-core';
import { describe, expect } from 'vitest';
import { test } from './support/fixtures.js';
import { sendForm } from './support/http.js';
import { goTo, setUpOrganisation, TILLEULS, waitForHeading } from './support/people.js';

const { admin } = TILLEULS;
const LINKS_CSS = '/links/static/links.css';

/** What the document's head holds now, and whether the document is still the one first loaded. */
function headNow(page: Page) {
  return page.evaluate((stylesheet) => {
    const marked = window as unknown as { e2eDocument?: string; e2eHtmx?: unknown; htmx?: unknown };
    const links = Array.from(document.head.querySelectorAll('link[rel="stylesheet"]')).map((link) => link.getAttribute('href') ?? '');
    const scripts = Array.from(document.head.querySelectorAll('script')).map((script) => script.getAttribute('src') ?? '(inline)');
    return {
      sameDocument: marked.e2eDocument === 'first load',
      sameHtmx: marked.htmx !== undefined && marked.e2eHtmx === marked.htmx,
      title: document.title,
      titles: document.head.querySelectorAll('title').length,
      pluginLinks: links.filter((href) => href.startsWith(stylesheet)).length,
      // The sheet is in effect, not only linked.
      pluginSheetApplied: Array.from(document.styleSheets).some((sheet) => sheet.href !== null && new URL(sheet.href).pathname === stylesheet),
      duplicateLinks: links.filter((href, index) => links.indexOf(href) !== index),
      scripts,
    };
  }, LINKS_CSS);
}

describe('the page head on boosted navigation', () => {
  test('a plugin enabled while a page is open brings its stylesheet at the next click; disabled, takes it away', async ({ hameau, openBrowser }) => {
    const page = await openBrowser({ locale: 'en-GB' });
    await setUpOrganisation(page, hameau.url, admin);
    // A fresh load of the home page, then a mark on the document and on htmx: a reload would lose
    // the first, a second run of htmx's script would replace the second.
    await page.goto(`${hameau.url}/`);
    await waitForHeading(page, `Hello, ${admin.name}`);
    await page.evaluate(() => {
      const marked = window as unknown as { e2eDocument?: string; e2eHtmx?: unknown; htmx?: unknown };
      marked.e2eDocument = 'first load';
      marked.e2eHtmx = marked.htmx;
    });
    const before = await headNow(page);
    expect(before).toMatchObject({ sameDocument: true, sameHtmx: true, titles: 1, pluginLinks: 0, pluginSheetApplied: false, duplicateLinks: [] });
    expect(before.title).toMatch(new RegExp(`${admin.organisation}$`));

    // The admin enables "Useful links" (a plain POST from their session, not a navigation of this page).
    await sendForm(page, '/admin/plugins/links/enable', {});

    // One boosted click: the plugin's stylesheet is now in the head, in effect; the title is the new page's.
    await goTo(page, 'Spaces');
    await waitForHeading(page, 'Spaces');
    await expect.poll(async () => (await headNow(page)).pluginSheetApplied).toBe(true);
    const enabled = await headNow(page);
    expect(enabled).toMatchObject({ sameDocument: true, sameHtmx: true, titles: 1, pluginLinks: 1, duplicateLinks: [], scripts: before.scripts });
    expect(enabled.title).toBe(`Spaces · ${admin.organisation}`);

    // The plugin's own page, boosted too: the sheet stays, once; the title changes again.
    await goTo(page, 'Links');
    await page.getByRole('heading', { level: 1 }).filter({ hasText: /Links/ }).waitFor();
    const onPluginPage = await headNow(page);
    expect(onPluginPage).toMatchObject({ sameDocument: true, sameHtmx: true, titles: 1, pluginLinks: 1, pluginSheetApplied: true, duplicateLinks: [], scripts: before.scripts });
    expect(onPluginPage.title).not.toBe(enabled.title);

    // The admin disables it: the next boosted click takes the stylesheet away.
    await sendForm(page, '/admin/plugins/links/disable', {});
    await goTo(page, 'Home');
    await waitForHeading(page, `Hello, ${admin.name}`);
    await expect.poll(async () => (await headNow(page)).pluginLinks).toBe(0);
    const disabled = await headNow(page);
    expect(disabled).toMatchObject({ sameDocument: true, sameHtmx: true, titles: 1, pluginLinks: 0, pluginSheetApplied: false, duplicateLinks: [], scripts: before.scripts });
    expect(disabled.title).toBe(before.title);
  });
});
