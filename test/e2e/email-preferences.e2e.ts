// Notification preferences as people use them: the administrator sets up the organisation, opens
// Account → Notifications, chooses the digest for mentions and quiet hours of their own, makes a
// typing mistake and fixes it; then sets the organisation's defaults and sees the outbox. Each page
// is checked with axe, and the preferences at phone width.
import { describe, expect } from 'vitest';
import { expectAccessible } from './support/axe.js';
import { PHONE, test } from './support/fixtures.js';
import { expectNoHorizontalScroll } from './support/layout.js';
import { expectStatusMessage, setUpOrganisation, signIn, waitForHeading, TILLEULS } from './support/people.js';

const admin = TILLEULS.admin;

describe('notification preferences', () => {
  test('a person chooses what they receive and when; an administrator sets the defaults', async ({ hameau, openBrowser }) => {
    const page = await openBrowser();
    await setUpOrganisation(page, hameau.url, admin);

    await page.goto(`${hameau.url}/account`);
    await page.getByRole('navigation', { name: 'Your account' }).getByRole('link', { name: 'Notifications' }).click();
    await waitForHeading(page, 'Notification preferences');
    await expectAccessible(page, 'notification preferences');

    await page.getByLabel('Mentions: In the digest').check();
    await page.getByLabel('My own quiet hours').check();
    await page.getByLabel('From').fill('22:00');
    await page.getByRole('button', { name: 'Save' }).click();
    // The end time was left as it was (07:30): saved.
    await expectStatusMessage(page, 'Your notification preferences are saved.');
    expect(await page.getByLabel('Mentions: In the digest').isChecked()).toBe(true);
    expect(await page.getByLabel('From').inputValue()).toBe('22:00');

    // On a phone the page does not scroll sideways.
    const phone = await openBrowser({ viewport: PHONE });
    await signIn(phone, hameau.url, admin.organisation, admin);
    await phone.goto(`${hameau.url}/account/notifications`);
    await waitForHeading(phone, 'Notification preferences');
    await expectNoHorizontalScroll(phone, 'notification preferences');

    // Administration → Notifications.
    await page.goto(`${hameau.url}/admin/settings`);
    await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Email notifications' }).click();
    await waitForHeading(page, 'Email notifications');
    await expectAccessible(page, 'notification defaults and outbox');
    await page.getByText('No email is waiting and none failed.').waitFor();
    await page.getByLabel('Weekly (on Mondays)').check();
    await page.getByRole('button', { name: 'Save' }).click();
    await expectStatusMessage(page, 'The notification defaults are saved.');
    expect(await page.getByLabel('Weekly (on Mondays)').isChecked()).toBe(true);
  });
});
