// Finding a post again, as a colleague would: the administrator posts about an event in the company
// space; a member types the word without its accent in the header's search box, sees the post among
// the suggestions, opens every result, finds the post with the word highlighted, and opens it. The
// results page passes the accessibility check, and works without JavaScript too.
import { describe, expect } from 'vitest';
import { expectAccessible } from './support/axe.js';
import { test } from './support/fixtures.js';
import { expectStatusMessage, goTo, inviteColleague, joinWithInvitation, pathOf, setUpOrganisation, signIn, waitForHeading, type Administrator, type Person } from './support/people.js';

const admin: Administrator = {
  organisation: 'Les Érables',
  name: 'Noémie Garnier',
  email: 'noemie.garnier@erables.example',
  password: 'copper lantern over the bay',
};

const member: Person = {
  name: 'Yanis Morel',
  email: 'yanis.morel@erables.example',
  password: 'quiet meadow after the rain',
};

const POST = 'Le programme de l’événement de printemps est en ligne : inscriptions jusqu’à vendredi.';

describe('search', () => {
  test('a member finds a post by a word typed without its accent, from the suggestions to the results page', async ({ hameau, openBrowser }) => {
    const adminPage = await openBrowser();
    await setUpOrganisation(adminPage, hameau.url, admin);
    const link = await inviteColleague(adminPage, member.email);
    await goTo(adminPage, 'Home');
    await waitForHeading(adminPage, `Hello, ${admin.name}`);
    await adminPage.getByLabel('Your post').fill(POST);
    await adminPage.getByRole('button', { name: 'Publish' }).click();
    await expectStatusMessage(adminPage, 'Your post is published.');

    const memberPage = await openBrowser();
    await joinWithInvitation(memberPage, link, admin.organisation, member);

    // Typing in the header's box: suggestions come while typing, the post among them.
    const box = memberPage.getByRole('search', { name: 'Search Hameau' }).getByRole('searchbox', { name: 'Search Hameau' });
    await box.click();
    await box.pressSequentially('evenem', { delay: 40 });
    const suggestions = memberPage.locator('#search-suggestions');
    const suggested = suggestions.getByRole('link', { name: /programme de l’événement de printemps/ });
    await suggested.waitFor();
    await expect.poll(() => memberPage.locator('#search-suggest-status').textContent()).toBe('1 suggestion');
    expect(await suggested.locator('mark').allTextContents()).toEqual(['événement']);

    // From the keyboard: Down goes into the suggestions, Up from the first back to the box, Escape
    // closes them and stays in the box (what was typed kept).
    const focusedHref = () => memberPage.evaluate(() => document.activeElement?.getAttribute('href') ?? document.activeElement?.id ?? null);
    await box.press('ArrowDown');
    expect(await focusedHref()).toMatch(/^\/content\/\d+$/);
    await memberPage.keyboard.press('ArrowUp');
    expect(await focusedHref()).toBe('site-search-q');
    await box.press('ArrowDown');
    await memberPage.keyboard.press('Escape');
    expect(await focusedHref()).toBe('site-search-q');
    expect(await suggestions.innerHTML()).toBe('');
    expect(await box.inputValue()).toBe('evenem');
    // Typing on brings them back.
    await box.pressSequentially('e', { delay: 40 });
    await suggested.waitFor();

    // Every result: the results page, the post found, the word highlighted.
    await suggestions.getByRole('link', { name: 'All results for “eveneme”' }).click();
    await waitForHeading(memberPage, 'Search');
    expect(pathOf(memberPage)).toBe('/search');
    const posts = memberPage.getByRole('region', { name: /^Posts/ });
    const result = posts.getByRole('link', { name: /programme de l’événement/ });
    await result.waitFor();
    expect(await posts.locator('mark').first().textContent()).toBe('événement');
    await expectAccessible(memberPage, 'search results');

    await result.click();
    await memberPage.waitForURL(/\/content\/\d+$/);
    await memberPage.getByRole('main').getByText('inscriptions jusqu’à vendredi').first().waitFor();

    // Without JavaScript, the header's box is a plain form to the same results.
    const plain = await openBrowser({ javaScriptEnabled: false });
    await signIn(plain, hameau.url, admin.organisation, member);
    await plain.getByRole('searchbox', { name: 'Search Hameau' }).fill('EVENEMENT');
    await plain.getByRole('searchbox', { name: 'Search Hameau' }).press('Enter');
    await waitForHeading(plain, 'Search');
    await plain.getByRole('region', { name: /^Posts/ }).getByRole('link', { name: /programme de l’événement/ }).waitFor();

    // The page without a query explains how to search; it is accessible too.
    await memberPage.goto(`${hameau.url}/search`);
    await memberPage.getByRole('heading', { name: 'How to search' }).waitFor();
    await expectAccessible(memberPage, 'search help');
  });
});
