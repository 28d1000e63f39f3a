// Being told, live: a member mentions a colleague in a post; the colleague's page, already open, shows
// the bell's count change without reloading (server-sent events), and says it politely to screen
// readers; the colleague opens the notifications page (checked with axe) and goes to the post from
// the notification.
import { describe, expect } from 'vitest';
import { expectAccessible } from './support/axe.js';
import { test } from './support/fixtures.js';
import { expectUpdatedInPlace } from './support/in-place.js';
import { expectNoHorizontalScroll } from './support/layout.js';
import { expectStatusMessage, inviteColleague, joinWithInvitation, pathOf, setUpOrganisation, waitForHeading, TILLEULS } from './support/people.js';
import { PHONE } from './support/fixtures.js';

const admin = TILLEULS.admin;

const author = TILLEULS.dominique;

const colleague = TILLEULS.sacha;

describe('live notifications', () => {
  test('a mention reaches the colleague’s open page live; they open the post from the notifications page', async ({ hameau, openBrowser }) => {
    const adminPage = await openBrowser();
    await setUpOrganisation(adminPage, hameau.url, admin);
    const authorLink = await inviteColleague(adminPage, author.email);
    const colleagueLink = await inviteColleague(adminPage, colleague.email);

    const colleaguePage = await openBrowser();
    await joinWithInvitation(colleaguePage, colleagueLink, admin.organisation, colleague);
    const authorPage = await openBrowser();
    await joinWithInvitation(authorPage, authorLink, admin.organisation, author);

    // The colleague's home page stays open; nothing waits yet.
    await colleaguePage.getByRole('link', { name: 'Notifications', exact: true }).waitFor();

    // The author writes a post mentioning the colleague, picking the name from the suggestions; the
    // colleague's page, untouched (no reload, no navigation), shows the bell's new count.
    await expectUpdatedInPlace(colleaguePage, 'a mention arriving', async () => {
      const box = authorPage.getByLabel('Your post');
      await box.fill('Thanks for the help with the move, ');
      await box.pressSequentially('@Sach');
      await authorPage.getByRole('option', { name: new RegExp(colleague.name) }).click();
      await box.pressSequentially(' see you Monday.');
      await authorPage.getByRole('button', { name: 'Publish' }).click();
      await expectStatusMessage(authorPage, 'Your post is published.');
      await colleaguePage.getByRole('link', { name: 'Notifications, 1 unread' }).waitFor();
    });
    expect(await colleaguePage.locator('.notification-bell__count').textContent()).toBe('1');
    // The polite live region said it too.
    expect(await colleaguePage.locator('#live-bell-status').textContent()).toBe('Notifications, 1 unread');
    expect(await colleaguePage.locator('#live-bell-status').getAttribute('aria-live')).toBe('polite');

    // The notifications page: one entry, unread, said in words; no accessibility problem.
    await colleaguePage.getByRole('link', { name: 'Notifications, 1 unread' }).click();
    await waitForHeading(colleaguePage, 'Notifications');
    const entry = colleaguePage.getByRole('button', { name: `Unread: ${author.name} mentioned you in “Thanks for the help with the move,` });
    await entry.waitFor();
    await expectAccessible(colleaguePage, 'notifications page');

    // Opening it goes to the post and marks it read: the bell empties.
    await entry.click();
    await colleaguePage.getByRole('paragraph').filter({ hasText: 'see you Monday.' }).waitFor();
    expect(pathOf(colleaguePage)).toMatch(/^\/content\/\d+$/);
    await colleaguePage.getByRole('link', { name: 'Notifications', exact: true }).waitFor();

    // Following the post from its page, in place.
    const follow = colleaguePage.getByRole('button', { name: 'Follow', exact: true });
    expect(await follow.getAttribute('aria-pressed')).toBe('false');
    await expectUpdatedInPlace(colleaguePage, 'following the post', async () => {
      await follow.click();
      await colleaguePage.getByRole('status').filter({ hasText: 'You follow this item' }).waitFor({ state: 'attached' });
    });
    expect(await colleaguePage.getByRole('button', { name: 'Follow', exact: true }).getAttribute('aria-pressed')).toBe('true');

    // The page read on a phone.
    await colleaguePage.setViewportSize(PHONE);
    await colleaguePage.getByRole('link', { name: 'Notifications', exact: true }).click();
    await waitForHeading(colleaguePage, 'Notifications');
    await expectNoHorizontalScroll(colleaguePage, 'notifications page');
    await expectAccessible(colleaguePage, 'notifications page (read)');
  });
});
