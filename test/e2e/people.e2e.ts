// People, as an administrator and a colleague live it: the admin creates a department, a site and a
// profile field, imports a colleague from a CSV file (preview, then confirm; no email set up, so the
// link is copied), the colleague joins with the profile filled in, completes it, and colleagues find
// each other in the directory (live search, accents aside) and the org chart. Axe checks every page.
/// <reference lib="dom" />
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect } from 'vitest';
import { expectAccessible } from './support/axe.js';
import { PHONE, DESKTOP, test } from './support/fixtures.js';
import { expectNoHorizontalScroll } from './support/layout.js';
import { expectStatusMessage, goTo, joinWithInvitation, pathOf, setUpOrganisation, waitForHeading } from './support/people.js';

const admin = { organisation: 'Les Tilleuls', name: 'Camille Martin', email: 'camille.martin@tilleuls.example', password: 'lilac kettle harbour 1987' };
const colleague = { name: 'Cléo Dupré', email: 'cleo.dupre@tilleuls.example', password: 'seven rivers under moonlight' };

describe('people', () => {
  test('an admin imports a colleague who joins with a profile; both find each other in the directory and the org chart', async ({ hameau, openBrowser }) => {
    const page = await openBrowser({ locale: 'en-GB' });
    await setUpOrganisation(page, hameau.url, admin);

    // Administration → People → Departments: add one.
    await goTo(page, 'Administration');
    await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'People' }).click();
    await waitForHeading(page, 'People');
    await page.getByRole('navigation', { name: 'People administration' }).getByRole('link', { name: 'Departments' }).click();
    await waitForHeading(page, 'Departments');
    await page.getByLabel('Name', { exact: true }).fill('Finance');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await expectStatusMessage(page, '“Finance” added.');
    await expectAccessible(page, 'departments page');

    // A profile field shown in the directory.
    await page.getByRole('navigation', { name: 'People administration' }).getByRole('link', { name: 'Profile fields' }).click();
    await waitForHeading(page, 'Profile fields');
    await page.getByLabel('Label').fill('Team');
    await page.getByLabel('Type').selectOption({ label: 'Choice' });
    await page.getByLabel('Options (choice fields)').fill('Red\nBlue');
    await page.getByLabel('Show this field in the directory').check();
    await page.getByRole('button', { name: 'Add the field' }).click();
    await expectStatusMessage(page, 'Field “Team” added.');
    await expectAccessible(page, 'profile fields page');

    // Import: the preview, then the confirmation, then the link to pass on.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hameau-e2e-csv-'));
    const csv = path.join(dir, 'people.csv');
    fs.writeFileSync(csv, `\ufeffnom;courriel;poste;service;site;responsable\n${colleague.name};${colleague.email};Comptable;Finance;Lyon;${admin.email}\n`);
    await page.getByRole('navigation', { name: 'People administration' }).getByRole('link', { name: 'Import people' }).click();
    await waitForHeading(page, 'Import people');
    await expectAccessible(page, 'import page');
    await page.getByLabel('CSV file').setInputFiles(csv);
    await page.getByRole('button', { name: 'Check the file' }).click();
    await waitForHeading(page, 'Check the import');
    await expectStatusMessage(page, '1 person is ready to be invited. Nothing has been written yet.');
    await expect.poll(() => page.getByText('1 site will be created: Lyon').count()).toBe(1);
    await expectAccessible(page, 'import preview');
    await page.getByRole('button', { name: 'Invite 1 person (links to pass on)' }).click();
    await waitForHeading(page, 'People invited');
    const link = await page.getByLabel(`Invitation link for ${colleague.email}`).inputValue();
    await expectAccessible(page, 'import result');
    fs.rmSync(dir, { recursive: true, force: true });

    // The colleague joins: the profile is already filled in from the file.
    const cleo = await openBrowser({ locale: 'en-GB' });
    await joinWithInvitation(cleo, link, admin.organisation, colleague);
    await cleo.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'People', exact: true }).click();
    await waitForHeading(cleo, 'People');
    await cleo.getByRole('link', { name: colleague.name }).click();
    await waitForHeading(cleo, colleague.name);
    await expect.poll(() => cleo.getByText('Comptable').count()).toBeGreaterThan(0);
    expect(await cleo.getByRole('link', { name: admin.name }).count()).toBeGreaterThan(0);
    await expectAccessible(cleo, 'profile page');

    // She completes her profile.
    await cleo.getByRole('link', { name: 'Edit your profile' }).click();
    await waitForHeading(cleo, 'Edit your profile');
    await expectAccessible(cleo, 'profile form');
    // A photo: resized on the server, shown back on the form.
    const png = await sharp({ create: { width: 300, height: 200, channels: 3, background: { r: 30, g: 120, b: 200 } } }).png().toBuffer();
    await cleo.getByLabel('New photo').setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: png });
    await cleo.getByRole('button', { name: 'Upload the photo' }).click();
    await expectStatusMessage(cleo, 'Photo saved.');
    await expect.poll(() => cleo.getByRole('img', { name: 'Current photo' }).evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(256);
    await cleo.getByLabel('Phone').fill('+33 4 72 00 00 00');
    await cleo.getByLabel('Skills').fill('Excel, Fiscalité');
    await cleo.getByLabel('Team').selectOption('Blue');
    await cleo.getByLabel('About me').fill('Ask me about taxes.\nOr about cycling.');
    await cleo.getByRole('button', { name: 'Save' }).click();
    await waitForHeading(cleo, colleague.name);
    await expectStatusMessage(cleo, 'Profile saved.');
    expect(await cleo.getByRole('link', { name: '+33 4 72 00 00 00' }).getAttribute('href')).toBe('tel:+33472000000');
    await cleo.setViewportSize(PHONE);
    await expectNoHorizontalScroll(cleo, 'profile page on a phone');
    await cleo.setViewportSize(DESKTOP);

    // The admin searches the directory as she types, without accents: the list updates in place.
    await goTo(page, 'People');
    await waitForHeading(page, 'People');
    await expectAccessible(page, 'directory');
    await page.evaluate(() => (document.getElementById('main')!.dataset.kept = 'yes'));
    await page.getByLabel('Name, job or skill').fill('fiscalite');
    await expect.poll(() => page.locator('.person-card__name').allTextContents()).toEqual([colleague.name]);
    expect(await page.evaluate(() => document.getElementById('main')!.dataset.kept)).toBe('yes');
    await expect.poll(() => page.locator('#people-status').textContent()).toBe('1 person.');
    expect(await page.locator('.person-card').first().textContent()).toContain('Blue');
    await page.setViewportSize(PHONE);
    await expectNoHorizontalScroll(page, 'directory on a phone');
    await page.setViewportSize(DESKTOP);

    // The org chart: Cléo under the admin, in a team that folds.
    await page.getByRole('link', { name: 'See the org chart' }).click();
    await waitForHeading(page, 'Org chart');
    expect(pathOf(page)).toBe('/people/org-chart');
    const team = page.getByRole('list', { name: `Direct reports of ${admin.name}` });
    await expect.poll(() => team.getByRole('link', { name: colleague.name }).count()).toBe(1);
    await expectAccessible(page, 'org chart');
    await page.getByText(`1 direct report of ${admin.name}`).click();
    await expect.poll(() => team.isVisible()).toBe(false);

    // Typing a skill offers the existing ones (htmx fills the field's datalist).
    await page.goto(`${hameau.url}/people/1/edit`);
    await waitForHeading(page, 'Edit your profile');
    await page.getByLabel('Skills').pressSequentially('Cycling, fisc');
    await expect.poll(() => page.locator('#skills-options option').evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value))).toEqual(['Cycling, Fiscalité']);
  });

  test('the directory works without JavaScript', async ({ hameau, openBrowser }) => {
    const setup = await openBrowser({ locale: 'en-GB' });
    await setUpOrganisation(setup, hameau.url, admin);
    const page = await openBrowser({ locale: 'en-GB', javaScriptEnabled: false });
    await page.goto(`${hameau.url}/login`);
    await page.getByLabel('Email address').fill(admin.email);
    await page.getByLabel('Password', { exact: true }).fill(admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await waitForHeading(page, `Hello, ${admin.name}`);
    await page.goto(`${hameau.url}/people`);
    const search = page.getByRole('search', { name: 'Search people' });
    await search.getByLabel('Name, job or skill').fill('CAMILLE');
    await search.getByRole('button', { name: 'Search', exact: true }).click();
    await waitForHeading(page, 'People');
    expect(new URL(page.url()).search).toBe('?q=CAMILLE&department=&site=');
    expect(await page.locator('.person-card__name').allTextContents()).toEqual([admin.name]);
  });
});
