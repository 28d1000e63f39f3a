// Lists that grow with use are shown a bounded page at a time, never cut silently: who reacted (the
// first names under each reaction, then a page per reaction, keyset on name), replies under a comment
// (the first ones, then a replies page, keyset on id), a space's requests and invitations and a
// person's own (keyset on time), and the reasons quoted by the moderation queue.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { insertUser } from '../../src/auth/users.js';
import {
  REPLIES_PAGE_SIZE,
  REPLIES_SHOWN,
  WHO_REACTED_PAGE_SIZE,
  WHO_REACTED_SHOWN,
} from '../../src/features/conversation/queries.js';
import { QUEUE_REASONS_SHOWN } from '../../src/features/moderation/queries.js';
import { PENDING_PAGE_SIZE } from '../../src/features/spaces/queries.js';
import { html, mainText } from '../helpers/app.js';
import { createComment, createPost, createSpace } from '../helpers/content.js';
import { createCast, latestComment, type Cast } from '../helpers/conversation.js';

let c: Cast;
beforeEach(async () => {
  c = await createCast();
});
afterEach(async () => c.t.close());

/** `count` people named "Person 001"... (sorted by name as numbered), straight into the table. */
async function people(count: number, prefix = 'Person'): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 1; i <= count; i += 1) {
    const n = String(i).padStart(3, '0');
    ids.push(await insertUser(c.app.db, { email: `${prefix.toLowerCase()}${n}@example.com`, name: `${prefix} ${n}`, passwordHash: 'unused', role: 'member', locale: 'en' }));
  }
  return ids;
}

const names = (root: ReturnType<typeof html>, selector: string) => root.querySelectorAll(selector).map((el) => el.textContent.trim());

describe('who reacted', () => {
  it(`names the first ${WHO_REACTED_SHOWN} under each reaction, then everyone on the reaction’s pages`, async () => {
    const item = await createPost(c.app, { spaceId: c.company, authorId: c.ids.editor, body: 'Party' });
    const fans = await people(WHO_REACTED_PAGE_SIZE + 5);
    const now = Date.now();
    await c.app.db.insertInto('reactions').values(fans.map((userId) => ({ content_id: item, user_id: userId, reaction: 'like', created_at: now }))).execute();
    await c.app.db.insertInto('reactions').values([{ content_id: item, user_id: c.ids.member, reaction: 'heart', created_at: now }]).execute();

    const overview = html(await c.get(`/content/${item}/reactions`, 'member'));
    const like = overview.querySelector('section[aria-labelledby="reaction-like"]')!;
    expect(like.querySelector('h2')?.textContent).toContain(`${WHO_REACTED_PAGE_SIZE + 5} reactions`);
    expect(names(like, '.people-list li a')).toEqual(Array.from({ length: WHO_REACTED_SHOWN }, (_, i) => `Person ${String(i + 1).padStart(3, '0')}`));
    const all = like.querySelector('a[href$="/reactions/like"]')!;
    expect(all.textContent).toBe(`And ${WHO_REACTED_PAGE_SIZE + 5 - WHO_REACTED_SHOWN} others: see everyone`);
    const heart = overview.querySelector('section[aria-labelledby="reaction-heart"]')!;
    expect(names(heart, '.people-list li a')).toEqual(['Bruno Petit']);
    expect(heart.querySelector('a[href$="/reactions/heart"]')).toBe(null);

    const first = await c.get(all.getAttribute('href')!, 'member');
    expect(first.statusCode).toBe(200);
    const firstPage = html(first);
    expect(firstPage.querySelectorAll('.people-list li')).toHaveLength(WHO_REACTED_PAGE_SIZE);
    const next = firstPage.querySelector('a[rel="next"]')!.getAttribute('href')!;
    expect(next).toBe(`/content/${item}/reactions/like?after=${encodeURIComponent(`person ${WHO_REACTED_PAGE_SIZE}|${fans[WHO_REACTED_PAGE_SIZE - 1]}`)}`);
    const second = html(await c.get(next, 'member'));
    expect(names(second, '.people-list li a')).toEqual(['Person 101', 'Person 102', 'Person 103', 'Person 104', 'Person 105']);
    expect(second.querySelector('a[rel="next"]')).toBe(null);
    expect(second.querySelector(`a[href="/content/${item}/reactions/like"]`)?.textContent).toBe('First page');

    // A cursor that is not one starts from the beginning; an unknown reaction is no page.
    expect(html(await c.get(`/content/${item}/reactions/like?after=junk`, 'member')).querySelectorAll('.people-list li')).toHaveLength(WHO_REACTED_PAGE_SIZE);
    expect((await c.get(`/content/${item}/reactions/thumbsdown`, 'member')).statusCode).toBe(404);
    expect((await c.get(`/content/${item}/reactions/like`, null)).statusCode).toBe(303);
  });

  it('is 404 for an item of a private space, to someone outside it', async () => {
    const item = await createPost(c.app, { spaceId: c.secret, authorId: c.ids.member, body: 'Secret' });
    expect((await c.get(`/content/${item}/reactions/like`, 'outsider')).statusCode).toBe(404);
    expect((await c.get(`/content/${item}/reactions/like`, 'spaceAdmin')).statusCode).toBe(200);
  });
});

describe('replies', () => {
  it(`shows the first ${REPLIES_SHOWN} under a comment, the others on its replies page`, async () => {
    const item = await createPost(c.app, { spaceId: c.open, authorId: c.ids.editor, body: 'Thread' });
    const top = await createComment(c.app, { contentId: item, authorId: c.ids.editor, body: 'Question' });
    const replies: number[] = [];
    for (let i = 0; i < REPLIES_SHOWN + 5; i += 1) replies.push(await createComment(c.app, { contentId: item, authorId: c.ids.member, body: `Reply ${i}`, parentId: top }));

    const page = html(await c.get(`/content/${item}`, 'member'));
    const shown = page.querySelectorAll(`#comment-${top} .comments--replies > li`).map((li) => Number(li.getAttribute('id')!.replace('comment-', '')));
    expect(shown).toEqual(replies.slice(0, REPLIES_SHOWN));
    const more = page.querySelector(`#comment-${top} .comment__more-replies a`)!;
    expect(more.textContent).toBe('5 more replies to Eve Editor');
    expect(more.getAttribute('href')).toBe(`/comments/${top}/replies?after=${replies[REPLIES_SHOWN - 1]}`);

    const rest = await c.get(more.getAttribute('href')!, 'member');
    expect(rest.statusCode).toBe(200);
    const restPage = html(rest);
    expect(restPage.querySelector('h1')?.textContent).toBe('Replies to Eve Editor');
    expect(restPage.querySelectorAll(`#comment-${top} .comments--replies > li`).map((li) => Number(li.getAttribute('id')!.replace('comment-', '')))).toEqual(replies.slice(REPLIES_SHOWN));
    expect(restPage.querySelector(`a[href="/comments/${top}/replies"]`)?.textContent).toBe('Back to the first replies');
    // The replies page has the form to answer the comment.
    expect(restPage.querySelector(`#comment-${top} form input[name="parent_id"]`)?.getAttribute('value')).toBe(String(top));

    // A new reply beyond the first ones leads to where it is shown.
    const answer = await c.post(`/content/${item}/comments`, 'member', { body: 'One more', parent_id: String(top) });
    const newest = await latestComment(c.app);
    expect(answer.headers.location).toBe(`/comments/${top}/replies?after=${newest.id - 1}#comment-${newest.id}`);
    expect(html(await c.get(answer.headers.location!.split('#')[0]!, 'member')).querySelector(`#comment-${newest.id}`)).not.toBe(null);
  });

  it(`pages the replies page ${REPLIES_PAGE_SIZE} at a time, and answers 404 for what is no replies page`, async () => {
    const item = await createPost(c.app, { spaceId: c.secret, authorId: c.ids.spaceAdmin, body: 'Thread' });
    const top = await createComment(c.app, { contentId: item, authorId: c.ids.spaceAdmin, body: 'Question' });
    const now = Date.now();
    await c.app.db
      .insertInto('comments')
      .values(
        Array.from({ length: REPLIES_PAGE_SIZE + 2 }, (_, i) => ({
          content_id: item,
          parent_id: top,
          author_id: c.ids.member,
          body: `Reply ${i}`,
          body_html: `<p>Reply ${i}</p>`,
          created_at: now,
          edited_at: null,
          deleted_at: null,
          deleted_by: null,
          hidden_at: null,
          hidden_by: null,
          hidden_reason: null,
        })),
      )
      .execute();
    const first = html(await c.get(`/comments/${top}/replies`, 'member'));
    const ids = first.querySelectorAll(`#comment-${top} .comments--replies > li`).map((li) => Number(li.getAttribute('id')!.replace('comment-', '')));
    expect(ids).toHaveLength(REPLIES_PAGE_SIZE);
    const more = first.querySelector(`#comment-${top} .comment__more-replies a`)!;
    expect(more.textContent).toBe('2 more replies to Sam Lead');
    const second = html(await c.get(more.getAttribute('href')!, 'member'));
    expect(second.querySelectorAll(`#comment-${top} .comments--replies > li`)).toHaveLength(2);
    expect(second.querySelector(`#comment-${top} .comment__more-replies`)).toBe(null);

    expect((await c.get(`/comments/${top}/replies`, 'outsider')).statusCode).toBe(404);
    expect((await c.get(`/comments/${ids[0]}/replies`, 'member')).statusCode).toBe(404);
    expect((await c.get(`/comments/${top}/replies`, null)).statusCode).toBe(303);
  });
});

describe('requests and invitations of a space', () => {
  it(`shows its managers ${PENDING_PAGE_SIZE} of each at a time, the oldest first`, async () => {
    const askers = await people(PENDING_PAGE_SIZE + 3, 'Asker');
    const invited = await people(PENDING_PAGE_SIZE + 2, 'Invitee');
    const base = Date.now() - 1_000_000;
    await c.app.db
      .insertInto('space_requests')
      .values([
        ...askers.map((userId, i) => ({ space_id: c.secret, user_id: userId, kind: 'request' as const, created_by: userId, created_at: base + i })),
        ...invited.map((userId, i) => ({ space_id: c.secret, user_id: userId, kind: 'invitation' as const, created_by: c.ids.spaceAdmin, created_at: base + i })),
      ])
      .execute();
    const page = html(await c.get(`/spaces/${c.secret}/members`, 'spaceAdmin'));
    const requestNames = (root: ReturnType<typeof html>) => root.querySelectorAll('section[aria-labelledby="space-requests-title"] .pending-list li > p > bdi').map((b) => b.textContent);
    const invitationNames = (root: ReturnType<typeof html>) => root.querySelectorAll('section[aria-labelledby="space-invitations-title"] .pending-list li > p > bdi').map((b) => b.textContent);
    expect(requestNames(page)).toHaveLength(PENDING_PAGE_SIZE);
    expect(requestNames(page)[0]).toBe('Asker 001');
    expect(invitationNames(page)).toHaveLength(PENDING_PAGE_SIZE);
    const moreRequests = page.querySelector('section[aria-labelledby="space-requests-title"] a[rel="next"]')!;
    expect(moreRequests.textContent).toBe('More requests');
    const next = html(await c.get(moreRequests.getAttribute('href')!, 'spaceAdmin'));
    expect(requestNames(next)).toEqual(['Asker 051', 'Asker 052', 'Asker 053']);
    expect(next.querySelector('section[aria-labelledby="space-requests-title"] a[rel="next"]')).toBe(null);
    expect(next.querySelector('section[aria-labelledby="space-requests-title"] nav a')?.textContent).toBe('First requests');
    const moreInvitations = page.querySelector('section[aria-labelledby="space-invitations-title"] a[rel="next"]')!;
    expect(invitationNames(html(await c.get(moreInvitations.getAttribute('href')!, 'spaceAdmin')))).toEqual(['Invitee 051', 'Invitee 052']);
  });

  it('pages a person’s own invitations in the directory, the newest first', async () => {
    const base = Date.now() - 1_000_000;
    const spaces: number[] = [];
    for (let i = 0; i < PENDING_PAGE_SIZE + 2; i += 1) spaces.push(await createSpace(c.app, { name: `Club ${String(i).padStart(3, '0')}`, visibility: 'private' }));
    await c.app.db
      .insertInto('space_requests')
      .values(spaces.map((spaceId, i) => ({ space_id: spaceId, user_id: c.ids.outsider, kind: 'invitation' as const, created_by: c.ids.admin, created_at: base + i })))
      .execute();
    const page = html(await c.get('/spaces', 'outsider'));
    const invitations = (root: ReturnType<typeof html>) => root.querySelectorAll('section[aria-labelledby="spaces-invitations-title"] .pending-list li a bdi').map((b) => b.textContent);
    expect(invitations(page)).toHaveLength(PENDING_PAGE_SIZE);
    expect(invitations(page)[0]).toBe(`Club ${String(PENDING_PAGE_SIZE + 1).padStart(3, '0')}`);
    const more = page.querySelector('section[aria-labelledby="spaces-invitations-title"] a[rel="next"]')!;
    expect(more.textContent).toBe('More invitations');
    expect(invitations(html(await c.get(more.getAttribute('href')!, 'outsider')))).toEqual(['Club 001', 'Club 000']);
  });
});

describe('the moderation queue', () => {
  it(`quotes the ${QUEUE_REASONS_SHOWN} oldest reasons of an entry and says how many there are`, async () => {
    const item = await createPost(c.app, { spaceId: c.company, authorId: c.ids.editor, body: 'Controversial' });
    const reporters = await people(QUEUE_REASONS_SHOWN + 5, 'Reporter');
    const now = Date.now();
    await c.app.db
      .insertInto('reports')
      .values(reporters.map((reporterId, i) => ({ content_id: item, comment_id: null, reporter_id: reporterId, reason: `Reason ${i}`, created_at: now + i, decided_by: null, decided_at: null, decision_note: null })))
      .execute();
    // Reports about the item's comments are entries of their own, not reasons of the item's.
    const comment = await createComment(c.app, { contentId: item, authorId: c.ids.member, body: 'Reply' });
    await c.app.db
      .insertInto('reports')
      .values({ content_id: item, comment_id: comment, reporter_id: c.ids.editor, reason: 'About the comment', created_at: now, decided_by: null, decided_at: null, decision_note: null })
      .execute();
    const page = html(await c.get('/admin/moderation', 'admin'));
    const entry = page.querySelector(`#content-${item}`)!;
    expect(entry.querySelectorAll('.moderation-reasons li')).toHaveLength(QUEUE_REASONS_SHOWN);
    expect(entry.querySelector('.moderation-reasons li p')?.textContent).toBe('Reason 0');
    expect(entry.textContent).toContain(`${QUEUE_REASONS_SHOWN + 5} reports`);
    expect(entry.textContent).toContain('And 5 more reports.');
    expect(entry.textContent).not.toContain('About the comment');
    const commentEntry = page.querySelector(`#comment-${comment}`)!;
    expect(names(commentEntry, '.moderation-reasons li p[dir="auto"]')).toEqual(['About the comment']);
    expect(mainText(await c.get('/admin/moderation', 'admin'))).toContain('1 report');
  });
});
