// Polls, as a team lives them: a member creates an anonymous poll with a purpose in their space; five
// colleagues vote, each from their own browser; the results stay hidden ("too few answers…") until the
// fifth vote (k = 5 by default), then appear for everyone, with no name. Axe checks the new poll form
// and the poll page, before and after the results appear; the poll page has no horizontal scroll on a phone.
/// <reference lib="dom" />
import type { Page } from 'playwright-core';
import { describe, expect } from 'vitest';
import { expectAccessible } from './support/axe.js';
import { PHONE, test } from './support/fixtures.js';
import { sendForm } from './support/http.js';
import { expectNoHorizontalScroll } from './support/layout.js';
import { inviteColleague, joinWithInvitation, setUpOrganisation, TILLEULS, waitForHeading, type Person } from './support/people.js';

const { admin, dominique } = TILLEULS;
const SPACE = 'Workshop';
const QUESTION = 'Should we move the weekly meeting to Thursday?';
const VOTERS: Person[] = ['Alix Bernard', 'Morgan Colin', 'Noa Durand', 'Robin Fabre', 'Sasha Garnier'].map((name, i) => ({
  name,
  email: `voter${i + 1}@tilleuls.example`,
  password: `a calm pass phrase number ${i + 1}`,
}));

const results = (page: Page) => page.locator('.poll-results');

describe('polls', () => {
  test('a member creates an anonymous poll with a purpose; results appear only after the fifth vote', async ({ hameau, openBrowser }) => {
    const adminPage = await openBrowser({ locale: 'en-GB' });
    await setUpOrganisation(adminPage, hameau.url, admin);
    await sendForm(adminPage, '/admin/plugins/polls/enable', {});

    // Dominique (the author) and five colleagues join; Dominique opens a space, the others join it.
    const author = await openBrowser({ locale: 'en-GB' });
    await joinWithInvitation(author, await inviteColleague(adminPage, dominique.email), admin.organisation, dominique);
    const spacePath = await sendForm(author, '/spaces/new', { name: SPACE, description: 'The workshop team.', visibility: 'open' });
    const voters: Page[] = [];
    for (const voter of VOTERS) {
      const page = await openBrowser({ locale: 'en-GB' });
      await joinWithInvitation(page, await inviteColleague(adminPage, voter.email), admin.organisation, voter);
      await sendForm(page, `${spacePath}/join`, {});
      voters.push(page);
    }

    // Dominique: "New poll" beside "Publish" in the space, the form (axe), an anonymous poll with a purpose.
    await author.goto(`${hameau.url}${spacePath}`);
    await waitForHeading(author, SPACE);
    await author.getByRole('link', { name: 'New poll' }).click();
    await waitForHeading(author, 'New poll');
    await expectAccessible(author, 'new poll form');
    await author.getByLabel('Question').fill(QUESTION);
    await author.getByLabel('Purpose of the poll').selectOption({ label: 'Check the quality of dialogue' });
    await author.getByLabel('Kind of poll').selectOption({ label: 'Single choice' });
    await author.getByLabel('Answers offered').fill('Yes\nNo\nNo opinion');
    await author.getByLabel('Privacy of the votes').selectOption('anonymous');
    await author.getByRole('button', { name: 'Publish the poll' }).click();
    await waitForHeading(author, QUESTION);
    const pollPath = new URL(author.url()).pathname;
    expect(pollPath).toMatch(/^\/polls\/\d+$/);
    await expect.poll(() => author.getByText('Check the quality of dialogue').count()).toBeGreaterThan(0);
    await expect.poll(() => results(author).textContent()).toContain('No answers yet.');
    await expectAccessible(author, 'poll page, no answers');

    // Four votes: too few to show anything; the fifth shows the results.
    for (const [i, page] of voters.entries()) {
      await page.goto(`${hameau.url}${pollPath}`);
      await waitForHeading(page, QUESTION);
      // The purpose is shown to voters.
      await expect.poll(() => page.getByText('Check the quality of dialogue').count()).toBeGreaterThan(0);
      await page.getByRole('radio', { name: i % 2 === 0 ? 'Yes' : 'No', exact: true }).check();
      await page.getByRole('button', { name: 'Vote' }).click();
      await expectStatusOnPanel(page, 'Your vote is recorded.');
      if (i < 4) {
        await expect.poll(() => results(page).textContent()).toContain('Too few answers to show results without identifying people.');
        if (i === 0) await expectAccessible(page, 'poll page, too few answers');
      }
    }
    const last = voters[4]!;
    await expect.poll(() => results(last).textContent()).toContain('5 voters');
    await author.reload();
    await waitForHeading(author, QUESTION);
    await expect.poll(() => results(author).textContent()).toContain('5 voters');
    const shown = (await results(author).textContent()) ?? '';
    expect(shown).toContain('3 (60%)');
    for (const voter of VOTERS) expect(shown).not.toContain(voter.name);
    await expectAccessible(author, 'poll page, results shown');

    // A second vote is not offered; on a phone the page fits.
    const phone = await openBrowser({ locale: 'en-GB', viewport: PHONE });
    await joinWithInvitation(phone, await inviteColleague(adminPage, 'phone@tilleuls.example'), admin.organisation, { name: 'Lou Phone', email: 'phone@tilleuls.example', password: 'a phone pass phrase here' });
    await phone.goto(`${hameau.url}${pollPath}`);
    await waitForHeading(phone, QUESTION);
    await expectNoHorizontalScroll(phone, 'poll page on a phone');
    expect(await last.getByRole('button', { name: 'Vote' }).count()).toBe(0);
  });
});

/** After a vote: htmx swapped the panel (its status region says so), or, without it, the page after the redirect. */
async function expectStatusOnPanel(page: Page, text: string): Promise<void> {
  await page.getByRole('status').filter({ hasText: text }).first().waitFor();
}
