// A must-read announcement, as the people involved would live it: the administrator sets up the
// organisation and makes a colleague an editor; the editor publishes a must-read article in the
// company space; a member signs in, finds it on top of the home feed, opens it, comments, likes it and
// confirms they have read and understood it; the editor sees the confirmation. The member then starts
// a space of their own, posts in it, and scrolls down a busy feed.
import { describe, expect } from 'vitest';
import { expectAccessible } from './support/axe.js';
import { DESKTOP, PHONE, test } from './support/fixtures.js';
import { sendForm } from './support/http.js';
import { expectUpdatedInPlace } from './support/in-place.js';
import { expectNoHorizontalScroll } from './support/layout.js';
import {
  expectStatusMessage,
  goTo,
  inviteColleague,
  joinWithInvitation,
  openMembersAdministration,
  pathOf,
  setUpOrganisation,
  signIn,
  TILLEULS,
  waitForHeading,
} from './support/people.js';

const admin = TILLEULS.admin;

const editor = TILLEULS.dominique;

const member = TILLEULS.sacha;

const article = {
  title: 'New entrance to the car park from Monday',
  body: [
    'From **Monday 3 March**, the car park entrance moves to rue des Lilas.',
    '',
    '- Your badge opens the new gate.',
    '- Deliveries keep using the old entrance.',
    '',
    'Questions? Ask below. #safety',
  ].join('\n'),
};

/** The stream of the home feed holds this many items before its "More" (FEED_PAGE_SIZE). */
const FEED_PAGE_SIZE = 20;

describe('must-read news', () => {
  test('an editor publishes a must-read article; a member finds it on top, comments, likes and confirms it; the editor sees the confirmation', async ({
    hameau,
    openBrowser,
  }) => {
    // ---- The administrator sets up the organisation and brings two colleagues in. ----------------
    const adminPage = await openBrowser();
    await setUpOrganisation(adminPage, hameau.url, admin);
    const editorLink = await inviteColleague(adminPage, editor.email);
    const memberLink = await inviteColleague(adminPage, member.email);

    const editorPage = await openBrowser();
    await joinWithInvitation(editorPage, editorLink, admin.organisation, editor);
    // The member joins from their phone; they will read the news at their desk later.
    const memberPhone = await openBrowser({ viewport: PHONE });
    await joinWithInvitation(memberPhone, memberLink, admin.organisation, member);

    // Administration → Members: the administrator makes Dominique an editor.
    await openMembersAdministration(adminPage);
    await adminPage.getByLabel(`Role of ${editor.name}`).selectOption({ label: 'Editor' });
    await adminPage.getByRole('button', { name: `Change — ${editor.name}` }).click();
    await expectStatusMessage(adminPage, `${editor.name} is now: Editor.`);

    // ---- The editor publishes a must-read article in the company space. --------------------------
    await goTo(editorPage, 'Home');
    await waitForHeading(editorPage, `Hello, ${editor.name}`);
    await editorPage.getByRole('link', { name: 'New article', exact: true }).click();
    await waitForHeading(editorPage, 'New article');
    await expectAccessible(editorPage, 'new article form');
    await editorPage.getByLabel('Where to publish').selectOption({ label: `${admin.organisation} (the whole organisation)` });
    await editorPage.getByLabel('Title').fill(article.title);
    await editorPage.getByLabel('Text', { exact: true }).fill(article.body);
    await editorPage.getByLabel('Must-read: readers confirm they have read and understood it').check();
    await editorPage.getByLabel('Publish now').check();
    await editorPage.getByRole('button', { name: 'Save' }).click();

    await waitForHeading(editorPage, article.title);
    await expectStatusMessage(editorPage, 'The article is published.');
    const articlePath = pathOf(editorPage);
    expect(articlePath).toMatch(/^\/content\/\d+$/);
    // The author is not asked to confirm; they follow who has. Nobody has yet, of the two others.
    await editorPage.getByText('Must-read: readers are asked to confirm they have read and understood it.').waitFor();
    await editorPage.getByText('0 of 2 people have confirmed').waitFor();

    // Meanwhile, the administrator posts a short note in the company space, after the article.
    await goTo(adminPage, 'Home');
    await waitForHeading(adminPage, `Hello, ${admin.name}`);
    await adminPage.getByLabel('Your post').fill('The coffee machine on the second floor works again.');
    await adminPage.getByRole('button', { name: 'Publish' }).click();
    await expectStatusMessage(adminPage, 'Your post is published.');

    // ---- The member signs in at their desk: the article waits on top of the feed. ---------------
    const memberPage = await openBrowser();
    await signIn(memberPage, hameau.url, admin.organisation, member);
    // The bell says something new is waiting: the must-read was announced to everyone it concerns.
    await memberPage.getByRole('link', { name: 'Notifications, 1 unread' }).waitFor();
    const mustReads = memberPage.getByRole('region', { name: 'To read and confirm' });
    const articleCard = mustReads.getByRole('article', { name: article.title });
    await articleCard.waitFor();
    expect(await articleCard.getByRole('list', { name: 'Status' }).getByRole('listitem').allTextContents()).toContain('Must read');
    // On top: the first item of the page, although the administrator's note is newer.
    expect(await memberPage.getByRole('main').getByRole('article').first().getAttribute('aria-labelledby')).toBe(
      await articleCard.getAttribute('aria-labelledby'),
    );
    await memberPage
      .getByRole('region', { name: 'Latest' })
      .getByRole('article')
      .filter({ hasText: 'The coffee machine on the second floor works again.' })
      .waitFor();
    await expectAccessible(memberPage, 'home feed with a must-read');
    await memberPage.setViewportSize(PHONE);
    await expectNoHorizontalScroll(memberPage, 'home feed on a phone');
    await memberPage.setViewportSize(DESKTOP);

    // ---- The member opens the article. ------------------------------------------------------------
    await articleCard.getByRole('link', { name: article.title, exact: true }).click();
    await waitForHeading(memberPage, article.title);
    expect(pathOf(memberPage)).toBe(articlePath);
    // The markdown is rendered, and #safety files it under a topic.
    await memberPage.getByRole('listitem').filter({ hasText: 'Your badge opens the new gate.' }).waitFor();
    await memberPage.getByRole('list', { name: 'Topics' }).getByRole('link', { name: '#safety' }).waitFor();
    await expectAccessible(memberPage, 'article page');

    // They start a comment, and like the article before sending it: the count changes at once, and the
    // page stays as it was (what they are typing is still there).
    const comment = 'Thanks! Will the old badges still open the gate on Monday?';
    const commentBox = memberPage.getByLabel('Your comment');
    await commentBox.fill(comment);
    await expectUpdatedInPlace(memberPage, 'liking the article', async () => {
      await memberPage.getByRole('button', { name: 'Like, no one yet' }).click();
      await memberPage.getByRole('button', { name: 'Like, 1 person: you' }).waitFor();
    });
    expect(await memberPage.getByRole('button', { name: 'Like, 1 person: you' }).getAttribute('aria-pressed')).toBe('true');
    expect(await commentBox.inputValue()).toBe(comment);

    await expectUpdatedInPlace(memberPage, 'sending a comment', async () => {
      await memberPage.getByRole('button', { name: 'Comment', exact: true }).click();
      await memberPage.getByRole('heading', { name: '1 comment' }).waitFor();
    });
    const posted = memberPage.getByRole('article', { name: `Comment by ${member.name}` });
    expect(await posted.textContent()).toContain(comment);
    await expectStatusMessage(memberPage, 'Your comment is published.');
    expect(await memberPage.getByLabel('Your comment').inputValue()).toBe('');

    // "Read and understood": the panel turns into the confirmation, in place.
    await expectUpdatedInPlace(memberPage, 'confirming the article', async () => {
      await memberPage.getByRole('button', { name: /^Read and understood/ }).click();
      await expectStatusMessage(memberPage, 'that you have read and understood it.');
    });
    expect(await memberPage.getByRole('button', { name: /^Read and understood/ }).count()).toBe(0);
    await expectAccessible(memberPage, 'article page once confirmed');
    await memberPage.setViewportSize(PHONE);
    await expectNoHorizontalScroll(memberPage, 'article page on a phone');
    await memberPage.setViewportSize(DESKTOP);

    // Back on the home feed, nothing is left to confirm: the article is with the rest, confirmed.
    await goTo(memberPage, 'Home');
    await waitForHeading(memberPage, `Hello, ${member.name}`);
    const latest = memberPage.getByRole('region', { name: 'Latest' });
    const confirmedCard = latest.getByRole('article', { name: article.title });
    await confirmedCard.waitFor();
    expect(await memberPage.getByRole('region', { name: 'To read and confirm' }).count()).toBe(0);
    expect(await confirmedCard.getByRole('list', { name: 'Status' }).getByRole('listitem').allTextContents()).toContain('Read and confirmed');
    expect(await confirmedCard.getByRole('button', { name: 'Like, 1 person: you' }).count()).toBe(1);
    expect(await confirmedCard.getByRole('link', { name: new RegExp(`^1 comment — ${article.title}`) }).count()).toBe(1);

    // ---- The editor sees who has confirmed. -------------------------------------------------------
    await editorPage.reload();
    await waitForHeading(editorPage, article.title);
    await editorPage.getByText('1 of 2 people have confirmed').waitFor();
    await editorPage.getByRole('link', { name: 'See who has confirmed' }).click();
    await waitForHeading(editorPage, `Who has read and understood: ${article.title}`);
    await editorPage.getByText('1 of 2 people have confirmed').waitFor();
    const confirmed = editorPage.getByRole('region', { name: 'Confirmed (1)' });
    await confirmed.getByRole('cell', { name: member.name, exact: true }).waitFor();
    const pending = editorPage.getByRole('region', { name: 'Not confirmed yet (1)' });
    expect(await pending.getByRole('listitem').allTextContents()).toEqual([admin.name]);
    await expectAccessible(editorPage, 'confirmations page');

    // ---- The member starts a space and posts in it with the composer. -----------------------------
    await goTo(memberPage, 'Spaces');
    await waitForHeading(memberPage, 'Spaces');
    await memberPage.getByRole('link', { name: 'Create a space' }).click();
    await waitForHeading(memberPage, 'Create a space');
    await memberPage.getByLabel('Name').fill('Garden club');
    await memberPage.getByLabel('Description').fill('Seeds, cuttings and lunchtime weeding behind building B.');
    await memberPage.getByLabel('Open', { exact: true }).check();
    await memberPage.getByRole('button', { name: 'Create the space' }).click();
    await waitForHeading(memberPage, 'Garden club');
    await expectStatusMessage(memberPage, 'The space Garden club is created, and you are its admin.');
    const spacePath = pathOf(memberPage);
    const spaceId = /^\/spaces\/(\d+)$/.exec(spacePath)?.[1];
    expect(spaceId).toBeDefined();

    await memberPage.getByLabel('Your post').fill('First seed swap on Thursday at noon. Bring a pot! #garden');
    await memberPage.getByRole('button', { name: 'Publish' }).click();
    await expectStatusMessage(memberPage, 'Your post is published.');
    await waitForHeading(memberPage, 'Garden club');
    expect(pathOf(memberPage)).toBe(spacePath);
    await memberPage.getByRole('region', { name: 'Posts and news' }).getByRole('article').filter({ hasText: 'First seed swap on Thursday at noon.' }).waitFor();
    await expectAccessible(memberPage, 'space page');

    // ---- A busy week: the feed fills up, and scrolling down brings the older items. ---------------
    const busyWeek = 24;
    for (let day = 1; day <= busyWeek; day += 1) {
      await sendForm(memberPage, '/posts', { space: spaceId!, body: `Garden diary, entry ${day}: watered the tomatoes.` });
    }
    // The stream now holds the article, the administrator's note, the first post and the diary.
    const streamTotal = busyWeek + 3;

    await goTo(memberPage, 'Home');
    await waitForHeading(memberPage, `Hello, ${member.name}`);
    const stream = latest.getByRole('article');
    await stream.first().waitFor();
    expect(await stream.count()).toBe(FEED_PAGE_SIZE);
    // The article, the oldest item, is further down.
    expect(await latest.getByRole('article', { name: article.title }).count()).toBe(0);
    await expectUpdatedInPlace(memberPage, 'scrolling to the end of the feed', async () => {
      await latest.getByRole('link', { name: 'More' }).scrollIntoViewIfNeeded();
      await latest.getByRole('article', { name: article.title }).waitFor();
    });
    expect(await stream.count()).toBe(streamTotal);
    expect(await latest.getByRole('link', { name: 'More' }).count()).toBe(0);
    await expectAccessible(memberPage, 'home feed after scrolling');

    // Without JavaScript, "More" is a plain link to the next page.
    const noScript = await openBrowser({ javaScriptEnabled: false });
    await signIn(noScript, hameau.url, admin.organisation, member);
    const firstPage = noScript.getByRole('region', { name: 'Latest' }).getByRole('article');
    expect(await firstPage.count()).toBe(FEED_PAGE_SIZE);
    await noScript.getByRole('region', { name: 'Latest' }).getByRole('link', { name: 'More' }).click();
    await noScript.waitForURL(/[?&]after=/);
    await waitForHeading(noScript, `Hello, ${member.name}`);
    const nextPage = noScript.getByRole('region', { name: 'Latest' }).getByRole('article');
    expect(await nextPage.count()).toBe(streamTotal - FEED_PAGE_SIZE);
    await nextPage.filter({ has: noScript.getByRole('heading', { name: article.title }) }).waitFor();
  });
});
