// Surveys, as a team lives them: the administrator (an editor may too) starts an anonymous survey from
// the "Idea relevance" template, sets its end and opens it; a colleague, on a phone, reads the privacy
// statement, forgets a required question and is told so without losing what they chose, then answers.
// The owner sees that the results of an anonymous survey wait for the close; after "Close now" with one
// answer (fewer than k = 5) the page says "too few answers" and shows no count. The owner publishes a
// summary, which the colleague reads. Axe checks every page on the way; the answer page has no
// horizontal scroll on a phone.
/// <reference lib="dom" />
import type { Page } from 'playwright-core';
import { describe, expect } from 'vitest';
import { expectAccessible } from './support/axe.js';
import { PHONE, test } from './support/fixtures.js';
import { sendForm } from './support/http.js';
import { expectNoHorizontalScroll } from './support/layout.js';
import { expectStatusMessage, goTo, inviteColleague, joinWithInvitation, pathOf, setUpOrganisation, TILLEULS, waitForHeading } from './support/people.js';

const { admin, dominique } = TILLEULS;
const TITLE = 'Relevance of the idea';
const NEED = 'Does this idea meet a need in your work?';
const USE = 'Would you use it?';
const TOO_FEW = 'Too few answers to show results without identifying people.';
/** What would give away how many answered (one, here): the participation line or an answer count. */
const COUNT = /\b1 person has answered|\b1 answers?\b|Nobody has answered/;
const SUMMARY = 'You asked for it: the idea will be tried in January.';

/** A datetime-local value a week from now (the form reads it in the organisation's time zone). */
function nextWeek(): string {
  const d = new Date(Date.now() + 7 * 24 * 3600 * 1000);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}T12:00`;
}

/** The group of choices of a question (its legend holds the question, and "(required)" when it is). */
const question = (page: Page, text: string) => page.getByRole('group', { name: new RegExp(`^${text.replace(/[?()]/g, '\\$&')}`) });

describe('surveys', () => {
  test('an anonymous survey from a template: privacy first, a required answer, results wait for the close, too few answers', async ({ hameau, openBrowser }) => {
    const owner = await openBrowser({ locale: 'en-GB' });
    await setUpOrganisation(owner, hameau.url, admin);
    await sendForm(owner, '/admin/plugins/polls/enable', {});
    const invitation = await inviteColleague(owner, dominique.email);
    // Back home, where the plugin's entry now shows in the navigation.
    await owner.goto(`${hameau.url}/`);
    await waitForHeading(owner, `Hello, ${admin.name}`);
    // Nothing to be told yet: the notifications page says what will come, the plugin's kinds too.
    await owner.goto(`${hameau.url}/notifications`);
    await waitForHeading(owner, 'Notifications');
    await owner.getByRole('list', { name: 'And, from the features your organisation has turned on:' }).getByText('Reminders of surveys I have not answered').waitFor();
    await expectAccessible(owner, 'notifications page, empty');

    // The owner: "Surveys" in the main navigation, the list (axe), "New survey", a template.
    await goTo(owner, 'Surveys');
    await waitForHeading(owner, 'Surveys');
    await expectAccessible(owner, 'surveys list, empty');
    await owner.getByRole('link', { name: 'New survey' }).click();
    await waitForHeading(owner, 'New survey');
    await owner.getByRole('navigation', { name: 'Start from a template' }).getByRole('link', { name: 'Idea relevance' }).click();
    await expect.poll(() => owner.getByLabel('Title').inputValue()).toBe(TITLE);
    await expectAccessible(owner, 'new survey form, from a template');
    expect(await owner.getByRole('radio', { name: /^Anonymous/ }).isChecked()).toBe(true);
    await owner.getByLabel('End', { exact: true }).fill(nextWeek());
    await owner.getByRole('button', { name: 'Create the draft' }).click();
    await waitForHeading(owner, 'Edit the survey');
    const editPath = pathOf(owner);
    expect(editPath).toMatch(/^\/polls\/surveys\/\d+\/edit$/);
    const surveyPath = editPath.replace(/\/edit$/, '');
    const questions = owner.getByRole('region', { name: 'Questions' });
    await expect.poll(() => questions.textContent()).toContain(NEED);
    await expectAccessible(owner, 'survey editor, draft with the template’s questions');
    await owner.getByRole('button', { name: 'Open the survey' }).click();
    await owner.getByRole('button', { name: 'Close now' }).waitFor();
    await expectAccessible(owner, 'survey editor, open');
    await owner.goto(`${hameau.url}${surveyPath}`);
    await waitForHeading(owner, TITLE);
    await owner.getByRole('button', { name: 'Send my answers' }).waitFor();
    await expectAccessible(owner, 'privacy statement and answer page, on a computer');

    // The colleague, on a phone: the survey is in "To answer"; the privacy statement comes first.
    const colleague = await openBrowser({ locale: 'en-GB', viewport: PHONE });
    await joinWithInvitation(colleague, invitation, admin.organisation, dominique);
    await colleague.goto(`${hameau.url}/polls/surveys`);
    await waitForHeading(colleague, 'Surveys');
    await colleague.getByRole('region', { name: 'To answer' }).getByRole('link', { name: TITLE }).click();
    await waitForHeading(colleague, TITLE);
    const privacy = colleague.getByRole('region', { name: 'Privacy' });
    await expect.poll(() => privacy.textContent()).toContain('This survey is anonymous');
    await expect.poll(() => privacy.textContent()).toContain('only if at least 5 people have answered');
    const privacyBox = await privacy.boundingBox();
    const formBox = await colleague.locator('form.survey-form').boundingBox();
    expect(privacyBox && formBox && privacyBox.y < formBox.y).toBe(true);
    await expectAccessible(colleague, 'privacy statement and answer page');
    await expectNoHorizontalScroll(colleague, 'survey answer page on a phone');

    // A required question left empty: a clear message, and the choice already made is kept.
    await question(colleague, USE).getByRole('radio', { name: 'From time to time', exact: true }).check();
    await colleague.getByRole('button', { name: 'Send my answers' }).click();
    await colleague.getByRole('alert').filter({ hasText: 'Answer this question.' }).waitFor();
    await expect.poll(() => question(colleague, NEED).textContent()).toContain('Answer this question.');
    expect(await question(colleague, USE).getByRole('radio', { name: 'From time to time', exact: true }).isChecked()).toBe(true);
    await expectAccessible(colleague, 'answer page with a required question left empty');
    await expectNoHorizontalScroll(colleague, 'survey answer page with an error, on a phone');
    await question(colleague, NEED).getByRole('radio', { name: '4', exact: true }).check();
    await colleague.getByRole('button', { name: 'Send my answers' }).click();
    await expectStatusMessage(colleague, 'You have already answered this survey. Thank you.');
    expect(await colleague.getByRole('button', { name: 'Send my answers' }).count()).toBe(0);

    // The owner: an anonymous survey's results wait for the close; no count below k, no CSV.
    await owner.goto(`${hameau.url}${surveyPath}/results`);
    await waitForHeading(owner, `Results: ${TITLE}`);
    await expectStatusMessage(owner, 'The results of an anonymous survey are shown once it has closed');
    const waiting = (await owner.locator('main').textContent()) ?? '';
    expect(waiting).not.toMatch(COUNT);
    expect(waiting).not.toContain(TOO_FEW);
    expect(await owner.getByRole('link', { name: /Export the aggregated results/ }).count()).toBe(0);
    await expectAccessible(owner, 'results page, waiting for the close');

    // Closed with one answer (fewer than k): "too few answers", and still no count.
    await owner.goto(`${hameau.url}${editPath}`);
    await waitForHeading(owner, 'Edit the survey');
    await owner.getByRole('button', { name: 'Close now' }).click();
    await waitForHeading(owner, `Results: ${TITLE}`);
    await expect.poll(() => owner.getByText(TOO_FEW).count()).toBeGreaterThan(0);
    expect(await owner.getByText('The results of an anonymous survey are shown once it has closed').count()).toBe(0);
    const closed = (await owner.locator('main').textContent()) ?? '';
    expect(closed).not.toMatch(COUNT);
    expect(closed).not.toContain('From time to time');
    await expectAccessible(owner, 'results page, closed with too few answers');

    // The owner publishes a summary; the colleague reads it from the list.
    await owner.getByLabel('Summary (Markdown)').fill(SUMMARY);
    await owner.getByRole('checkbox', { name: /Publish the summary/ }).check();
    await owner.getByRole('button', { name: 'Save the summary' }).click();
    await expect.poll(() => owner.getByLabel('Summary (Markdown)').inputValue()).toBe(SUMMARY);
    await colleague.goto(`${hameau.url}/polls/surveys`);
    await waitForHeading(colleague, 'Surveys');
    await expectAccessible(colleague, 'surveys list with a closed survey');
    await colleague.getByRole('region', { name: 'Closed' }).getByRole('link', { name: 'You said, we did' }).click();
    await waitForHeading(colleague, TITLE);
    await expect.poll(() => colleague.locator('main').textContent()).toContain(SUMMARY);
    expect(pathOf(colleague)).toBe(`${surveyPath}/results`);
    await expectAccessible(colleague, 'published summary');
    await expectNoHorizontalScroll(colleague, 'published summary on a phone');
  });
});
