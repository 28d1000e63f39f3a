// Plugins, as an administrator and a colleague live them: the admin enables the example plugin
// "Useful links" from Administration → Plugins; the colleague, already signed in on their own device,
// reloads their space and uses it at once (the "Links" tab, a link shared and shown), with no restart;
// the admin disables it and, after a reload, the colleague's space and navigation no longer offer it.
// Axe checks the administration's home (before, and with the plugin's widget beside the core's "Needs
// attention"), the organisation's page, the audit log, the plugins page, a plugin's settings page, the
// stage preview, the space's "Features" page, the colleague's profile, and a disabled plugin's purge page.
/// <reference lib="dom" />
import type { Page } from 'playwright-core';
import { describe, expect } from 'vitest';
import { expectAccessible } from './support/axe.js';
import { test } from './support/fixtures.js';
import { sendForm } from './support/http.js';
import { expectStatusMessage, goTo, inviteColleague, joinWithInvitation, setUpOrganisation, TILLEULS, waitForHeading } from './support/people.js';

const { admin, dominique } = TILLEULS;
const SPACE = 'Kitchen crew';

/** The tabs of the space page shown now (the "Feed", "Members"... sub-navigation of a space). */
const spaceTabs = (page: Page) => page.locator('nav.subnav').getByRole('link');
const mainNavigation = (page: Page) => page.getByRole('navigation', { name: 'Main navigation' });

/** Opens Administration → Plugins from the main navigation; checks the page with axe on the way. */
async function openPlugins(page: Page): Promise<void> {
  await goTo(page, 'Administration');
  await waitForHeading(page, 'Administration');
  await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Plugins', exact: true }).click();
  await waitForHeading(page, 'Plugins');
}

describe('plugins', () => {
  test('an admin enables "Useful links", a colleague uses it at once; disabled, it leaves the colleague’s pages', async ({ hameau, openBrowser }) => {
    // The admin sets up Les Tilleuls and invites Dominique, who joins on their own device.
    const adminPage = await openBrowser({ locale: 'en-GB' });
    await setUpOrganisation(adminPage, hameau.url, admin);
    const link = await inviteColleague(adminPage, dominique.email);
    const member = await openBrowser({ locale: 'en-GB' });
    await joinWithInvitation(member, link, admin.organisation, dominique);

    // Dominique has a space of their own; no "Links" there, nor in the navigation, yet.
    const spacePath = await sendForm(member, '/spaces/new', { name: SPACE, description: 'Menus and suppliers.', visibility: 'open' });
    expect(spacePath).toMatch(/^\/spaces\/\d+$/);
    await member.goto(`${hameau.url}${spacePath}`);
    await waitForHeading(member, SPACE);
    expect(await spaceTabs(member).allTextContents()).not.toContain('Links');
    await expect.poll(() => mainNavigation(member).getByRole('link', { name: 'Links', exact: true }).count()).toBe(0);

    // The admin: Administration (axe), Plugins (axe), the stage preview (axe), the plugin's page (axe).
    await goTo(adminPage, 'Administration');
    await waitForHeading(adminPage, 'Administration');
    await expectAccessible(adminPage, 'administration home');
    await adminPage.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Plugins', exact: true }).click();
    await waitForHeading(adminPage, 'Plugins');
    await expectAccessible(adminPage, 'plugins page');
    const card = adminPage.locator('#plugin-links');
    await expect.poll(() => card.locator('.plugin-status').first().textContent()).toBe('Disabled');

    await adminPage.getByRole('link', { name: /^Move to stage 2/ }).click();
    await waitForHeading(adminPage, /stage 2/i);
    await expect.poll(() => adminPage.getByText('Useful links').count()).toBeGreaterThan(0);
    await expectAccessible(adminPage, 'stage 2 preview');

    await openPlugins(adminPage);
    await card.getByRole('link', { name: 'Useful links' }).click();
    await waitForHeading(adminPage, /Useful links/);
    await expect.poll(() => adminPage.getByLabel('Links per page').count()).toBe(1);
    await expectAccessible(adminPage, 'plugin settings page');

    // Enabled from the plugins page's toggle.
    await openPlugins(adminPage);
    await card.getByRole('button', { name: /^Enable/ }).click();
    await expectStatusMessage(adminPage, '“Useful links” is enabled: staff can use it now.');
    await expect.poll(() => card.locator('.plugin-status').first().textContent()).toBe('Enabled');
    await expectAccessible(adminPage, 'plugins page, one enabled');

    // Dominique reloads the page they had open: the tab and the navigation entry are there; no restart.
    await member.reload();
    await waitForHeading(member, SPACE);
    await expect.poll(() => spaceTabs(member).allTextContents()).toContain('Links');
    await expect.poll(() => mainNavigation(member).getByRole('link', { name: 'Links', exact: true }).count()).toBe(1);
    await spaceTabs(member).filter({ hasText: 'Links' }).click();
    await member.getByRole('heading', { level: 2, name: 'Links' }).waitFor();
    await expect.poll(() => member.getByText('No link has been shared in this space yet.').count()).toBe(1);
    await member.getByRole('link', { name: 'Add a link' }).click();
    await waitForHeading(member, 'Share a link');
    await member.getByLabel('Title').fill('Supplier price list');
    await member.getByLabel('Address (URL)').fill('https://suppliers.example/prices');
    await member.getByLabel('Description (optional)').fill('Updated every Monday.');
    await member.getByRole('button', { name: 'Share the link' }).click();
    // Back on the space's Links tab, with the plugin's own notice and the link.
    await expectStatusMessage(member, 'The link is shared.');
    await member.getByRole('heading', { level: 2, name: 'Links' }).waitFor();
    await expect.poll(() => member.getByRole('heading', { name: 'Supplier price list' }).count()).toBe(1);
    // In the space's Links tab too.
    await member.goto(`${hameau.url}${spacePath}`);
    await waitForHeading(member, SPACE);
    await spaceTabs(member).filter({ hasText: 'Links' }).click();
    await member.getByRole('heading', { level: 2, name: 'Links' }).waitFor();
    await expect.poll(() => member.getByText('Supplier price list').count()).toBeGreaterThan(0);

    // Dominique administers the space: its "Features" tab (axe) offers to switch the links off there.
    await spaceTabs(member).filter({ hasText: 'Features' }).click();
    await member.getByRole('heading', { level: 2, name: 'Features of this space' }).waitFor();
    await expect.poll(() => member.getByRole('button', { name: 'Switch Useful links off' }).count()).toBe(1);
    await expectAccessible(member, 'space features page');
    // Their profile (axe), with the links plugin's section.
    await member.goto(`${hameau.url}/account`);
    await waitForHeading(member, 'Your profile');
    await expectAccessible(member, 'account page');

    // The admin's home now has the plugin's widget after the core's "Needs attention" (axe), then the
    // organisation's page (axe) and the audit log, where the plugin's enabling is written (axe).
    await goTo(adminPage, 'Administration');
    await waitForHeading(adminPage, 'Administration');
    const widgets = adminPage.locator('section.admin-widgets');
    await expect.poll(() => widgets.getByRole('heading', { level: 3 }).allTextContents()).toEqual(['Needs attention', 'Useful links']);
    await expect.poll(() => widgets.getByText('1 link shared').count()).toBe(1);
    await expectAccessible(adminPage, 'administration home with widgets');
    await adminPage.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Organisation', exact: true }).click();
    await waitForHeading(adminPage, 'Organisation');
    await expectAccessible(adminPage, 'organisation page');
    await adminPage.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Audit log', exact: true }).click();
    await waitForHeading(adminPage, 'Audit log');
    await expect.poll(() => adminPage.locator('main table').getByText('Plugin turned on').count()).toBeGreaterThan(0);
    await expectAccessible(adminPage, 'audit log');

    // The admin disables it: Dominique, after a reload, no longer has the tab nor the navigation entry.
    await openPlugins(adminPage);
    await card.getByRole('button', { name: /^Disable/ }).click();
    await expectStatusMessage(adminPage, '“Useful links” is disabled. Its data is kept.');
    await member.goto(`${hameau.url}${spacePath}`);
    await waitForHeading(member, SPACE);
    await expect.poll(() => spaceTabs(member).allTextContents()).not.toContain('Links');
    await expect.poll(() => mainNavigation(member).getByRole('link', { name: 'Links', exact: true }).count()).toBe(0);
    await expect.poll(() => member.getByText('Supplier price list').count()).toBe(0);

    // Disabled, its data may be purged: the purge page (axe) offers the export first and asks for the id.
    await openPlugins(adminPage);
    await card.getByRole('link', { name: 'Useful links' }).click();
    await waitForHeading(adminPage, /Useful links/);
    await adminPage.getByRole('link', { name: /^Purge/ }).click();
    await waitForHeading(adminPage, 'Purge the data of Useful links');
    await expect.poll(() => adminPage.getByLabel('Type the plugin’s id, links, to confirm').count()).toBe(1);
    await expectAccessible(adminPage, 'purge page');
  });
});
