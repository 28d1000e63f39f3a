// First run, as the people involved would live it: an administrator sets up the organisation on a
// brand-new Hameau, invites a colleague without email configured (so copies the link by hand),
// and the colleague joins from their phone, signs out, and signs in again.
// Functions passed to page.evaluate run in the browser, hence the DOM types.
/// <reference lib="dom" />
import { describe, expect } from 'vitest';
import { expectAccessible } from './support/axe.js';
import { DESKTOP, PHONE, test } from './support/fixtures.js';
import { expectNoHorizontalScroll } from './support/layout.js';
import { expectStatusMessage, waitForHeading } from './support/people.js';

const admin = {
  organisation: 'Les Tilleuls',
  name: 'Camille Martin',
  email: 'camille.martin@tilleuls.example',
  password: 'lilac kettle harbour 1987',
};

const colleague = {
  name: 'Dominique Petit',
  email: 'dominique.petit@tilleuls.example',
  password: 'seven rivers under moonlight',
};

describe('first run', () => {
  test('an administrator sets up the organisation, invites a colleague who joins, signs out and signs in again', async ({
    hameau,
    openBrowser,
  }) => {
    // The administrator opens the brand-new intranet and is led to the setup page.
    const page = await openBrowser({ locale: 'en-GB' });
    await page.goto(`${hameau.url}/`);
    await waitForHeading(page, 'Welcome to Hameau');
    expect(new URL(page.url()).pathname).toBe('/setup');
    await expectAccessible(page, 'setup page');
    await page.setViewportSize(PHONE);
    await expectNoHorizontalScroll(page, 'setup page on a phone');
    await page.setViewportSize(DESKTOP);

    await page.getByLabel('Organisation name').fill(admin.organisation);
    await page.getByLabel('Default language').selectOption({ label: 'English' });
    await page.getByLabel('Full name').fill(admin.name);
    await page.getByLabel('Email address').fill(admin.email);
    await page.getByLabel('New password').fill(admin.password);
    await page.getByLabel('Repeat the password').fill(admin.password);
    await page.getByRole('button', { name: 'Create the organisation' }).click();

    await waitForHeading(page, `Hello, ${admin.name}`);
    expect(new URL(page.url()).pathname).toBe('/');
    // The home page is the feed, empty for now; the note at its top says the setup is done.
    await expectStatusMessage(page, 'Your organisation is ready.');
    await expectAccessible(page, 'home page');

    // Administration: invite a colleague. No SMTP here, so the page hands over the link to copy.
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Administration' }).click();
    await waitForHeading(page, 'Administration');
    expect(new URL(page.url()).pathname).toBe('/admin');
    await expectAccessible(page, 'administration home');
    await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Members and roles' }).click();
    await waitForHeading(page, 'Members and roles');
    expect(new URL(page.url()).pathname).toBe('/admin/members');
    await expectAccessible(page, 'members page');

    const invitePanel = page.getByRole('region', { name: 'Invite a colleague' });
    await invitePanel.getByLabel('Email address').fill(colleague.email);
    await invitePanel.getByLabel('Language of the invitation').selectOption({ label: 'Français' });
    await invitePanel.getByRole('button', { name: 'Invite' }).click();

    const linkField = invitePanel.getByLabel(/^(Invitation link|Lien d’invitation)$/);
    await linkField.waitFor();
    const invitationLink = await linkField.inputValue();
    expect(new URL(invitationLink).origin).toBe(hameau.url);
    expect(new URL(invitationLink).pathname).toMatch(/^\/invite\/[\w-]+$/);
    // The answer replaced the panel only: the address stays, and the waiting list shows the invitation.
    expect(new URL(page.url()).pathname).toBe('/admin/members');
    await page.getByRole('region', { name: 'Invitations waiting for an answer' }).getByRole('cell', { name: colleague.email, exact: true }).waitFor();
    await expectAccessible(page, 'members page after an invitation');
    // The members and invitations tables fold into cards on a phone rather than overflow.
    await page.setViewportSize(PHONE);
    await expectNoHorizontalScroll(page, 'members page on a phone');
    await page.setViewportSize(DESKTOP);

    // The colleague opens the link on their phone, in French, and joins.
    const phone = await openBrowser({ locale: 'fr-FR', viewport: PHONE });
    await phone.goto(invitationLink);
    await waitForHeading(phone, `Rejoindre ${admin.organisation}`);
    await expectAccessible(phone, 'invitation page');
    await phone.getByLabel('Nom complet').fill(colleague.name);
    expect(await phone.getByLabel('Langue', { exact: true }).inputValue()).toBe('fr');
    await phone.getByLabel('Nouveau mot de passe').fill(colleague.password);
    await phone.getByLabel('Répétez le mot de passe').fill(colleague.password);
    await phone.getByRole('button', { name: 'Rejoindre' }).click();

    await waitForHeading(phone, `Bonjour, ${colleague.name}`);
    expect(new URL(phone.url()).pathname).toBe('/');
    await expectStatusMessage(phone, `Bienvenue, ${colleague.name}\u202f!`);
    await expectNoHorizontalScroll(phone, 'home page on a phone');
    await expectAccessible(phone, 'home page in French on a phone');

    // Sign out from the user menu. On a phone it shows only the initial; its name is for screen
    // readers. (Playwright gives <summary> no role, hence the tag.)
    await phone.getByRole('banner').locator('summary', { hasText: 'menu de votre compte' }).click();
    await phone.getByRole('button', { name: 'Se déconnecter' }).click();
    await waitForHeading(phone, `Se connecter à ${admin.organisation}`);
    expect(new URL(phone.url()).pathname).toBe('/login');
    await expectStatusMessage(phone, 'Déconnexion effectuée.');
    await expectAccessible(phone, 'login page');

    // And back in.
    await phone.getByLabel('Adresse e-mail').fill(colleague.email);
    await phone.getByLabel('Mot de passe', { exact: true }).fill(colleague.password);
    await phone.getByRole('button', { name: 'Se connecter' }).click();
    await waitForHeading(phone, `Bonjour, ${colleague.name}`);
    expect(new URL(phone.url()).pathname).toBe('/');
    await expectNoHorizontalScroll(phone, 'home page on a phone');

    // A member sees no Administration link; the home page reads well in the dark theme too.
    expect(await phone.getByRole('link', { name: 'Administration' }).count()).toBe(0);
    await phone.emulateMedia({ colorScheme: 'dark' });
    await expectAccessible(phone, 'home page in the dark theme');
  });

  test('a setup form with a mistake explains it and keeps what was typed', async ({ hameau, openBrowser }) => {
    const page = await openBrowser({ locale: 'en-GB' });
    await page.goto(`${hameau.url}/setup`);
    await waitForHeading(page, 'Welcome to Hameau');

    await page.getByLabel('Organisation name').fill(admin.organisation);
    await page.getByLabel('Full name').fill(admin.name);
    await page.getByLabel('Email address').fill(admin.email);
    await page.getByLabel('New password').fill(admin.password);
    await page.getByLabel('Repeat the password').fill('lilac kettle harbour 1978');
    await page.getByRole('button', { name: 'Create the organisation' }).click();

    const summary = page.getByRole('alert');
    await summary.getByRole('heading', { name: 'There is a problem' }).waitFor();
    expect(await summary.getByRole('link').allTextContents()).toEqual(['The two passwords are not the same.']);
    expect(new URL(page.url()).pathname).toBe('/setup');
    // Focus goes to the summary, so a screen reader announces it and the keyboard starts there.
    await page.waitForFunction((element) => element === document.activeElement, await summary.elementHandle(), { timeout: 5_000 });

    // What the person typed is still there (passwords excepted: they are never sent back).
    expect(await page.getByLabel('Organisation name').inputValue()).toBe(admin.organisation);
    expect(await page.getByLabel('Full name').inputValue()).toBe(admin.name);
    expect(await page.getByLabel('Email address').inputValue()).toBe(admin.email);
    const confirmation = page.getByLabel('Repeat the password');
    expect(await confirmation.getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByText('Error: The two passwords are not the same.').count()).toBe(1);
    await expectAccessible(page, 'setup page with a mistake');

    // Following the summary's link puts the cursor in the field, on the same page (not reloaded).
    await summary.getByRole('link', { name: 'The two passwords are not the same.' }).click();
    await page.waitForURL(/#passwordConfirmation$/);
    await page.waitForFunction((element) => element === document.activeElement, await confirmation.elementHandle(), { timeout: 5_000 });
    expect(await page.getByLabel('Organisation name').inputValue()).toBe(admin.organisation);

    // Correcting the two passwords is enough to finish.
    await page.getByLabel('New password').fill(admin.password);
    await confirmation.fill(admin.password);
    await page.getByRole('button', { name: 'Create the organisation' }).click();
    await waitForHeading(page, `Hello, ${admin.name}`);
  });
});
