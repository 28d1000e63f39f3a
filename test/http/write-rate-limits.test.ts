// Rate limits on what one person writes: posts and comments together, reports, requests to join
// spaces, new spaces. Past a limit, the "too many" page (429, Retry-After) says in the reader's
// language what was limited and how long to wait. Only what is actually written counts: a refused
// form gives its count back. And a report dismissed by a moderator cannot be filed again by the same
// person for a day (the moderators are not notified again and again about it).
import type { LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { limitMax, RATE_LIMITS, type CountedLimitName } from '../../src/http/rate-limits.js';
import { html, mainText } from '../helpers/app.js';
import { createComment, createPost, createSpace } from '../helpers/content.js';
import { createCast, notificationsOf, type Cast, type Who } from '../helpers/conversation.js';

let c: Cast;
beforeEach(async () => {
  c = await createCast();
});
afterEach(async () => c.t.close());

/** Counts `amount` events for a person straight through the limiter, as if they had happened. */
async function spend(limit: CountedLimitName, who: Who, amount: number) {
  await c.app.limiters[limit].reserve({ log: c.app.log }, String(c.ids[who]), amount);
}

function expectTooMany(response: LightMyRequestResponse, windowMs: number, message: string) {
  expect(response.statusCode).toBe(429);
  const retryAfter = Number(response.headers['retry-after']);
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(windowMs / 1000);
  expect(html(response).querySelector('h1')?.text).toBe('Too many attempts');
  expect(mainText(response)).toContain(message);
}

describe('posts and comments', () => {
  const { max, windowMs } = RATE_LIMITS.contentWritesPerUser;
  const postCount = async () => (await c.app.db.selectFrom('posts').select('content_id').execute()).length;

  it(`allows ${max} of them together in ten minutes, then shows the "too many" page`, async () => {
    expect([max, windowMs]).toEqual([60, 10 * 60_000]);
    const item = await createPost(c.app, { spaceId: c.open, authorId: c.ids.editor, body: 'Talk here' });
    // Refused forms do not count.
    for (let i = 0; i < 5; i += 1) expect((await c.post('/posts', 'member', { space: String(c.open), body: '   ' })).statusCode).toBe(422);
    for (let i = 0; i < 3; i += 1) expect((await c.post(`/content/${item}/comments`, 'member', { body: ' ' })).statusCode).toBe(422);
    // Posts and comments share the count.
    for (let i = 0; i < 3; i += 1) expect((await c.post('/posts', 'member', { space: String(c.open), body: `Post ${i}` })).statusCode).toBe(303);
    for (let i = 0; i < 3; i += 1) expect((await c.post(`/content/${item}/comments`, 'member', { body: `Comment ${i}` })).statusCode).toBe(303);
    await spend('contentWritesPerUser', 'member', max - 6);

    const posts = await postCount();
    expectTooMany(await c.post('/posts', 'member', { space: String(c.open), body: 'One more' }), windowMs, 'You have published a lot of posts and comments in a short time.');
    expectTooMany(await c.post(`/content/${item}/comments`, 'member', { body: 'One more' }), windowMs, 'Wait 10 minutes and try again.');
    expect(await postCount()).toBe(posts);
    // Editing is not writing anew; other people are not limited.
    const mine = (await c.app.db.selectFrom('posts').innerJoin('content', 'content.id', 'posts.content_id').select('content.id').where('content.author_id', '=', c.ids.member).executeTakeFirstOrThrow()).id;
    expect((await c.post(`/posts/${mine}/edit`, 'member', { body: 'Edited' })).statusCode).toBe(303);
    expect((await c.post('/posts', 'editor', { space: String(c.open), body: 'Mine' })).statusCode).toBe(303);
  });

  it('says it in French to a French reader', async () => {
    await spend('contentWritesPerUser', 'member', max);
    await c.app.db.updateTable('users').set({ locale: 'fr' }).where('id', '=', c.ids.member).execute();
    const response = await c.post('/posts', 'member', { space: String(c.open), body: 'Encore' });
    expect(response.statusCode).toBe(429);
    expect(html(response).querySelector('h1')?.text).toBe('Trop de tentatives');
    expect(mainText(response)).toContain('Vous avez publié beaucoup de messages et de commentaires en peu de temps. Attendez 10 minutes et réessayez.');
  });
});

describe('reports', () => {
  const { max, windowMs } = RATE_LIMITS.reportsPerUser;

  it(`allows ${max} an hour; refused or duplicate reports do not count`, async () => {
    expect([max, windowMs]).toEqual([20, 60 * 60_000]);
    const item = await createPost(c.app, { spaceId: c.open, authorId: c.ids.editor, body: 'Reported a lot' });
    const comments: number[] = [];
    for (let i = 0; i < max + 1; i += 1) comments.push(await createComment(c.app, { contentId: item, authorId: c.ids.editor, body: `Comment ${i}` }));
    expect((await c.post(`/comments/${comments[0]}/report`, 'member', { reason: '' })).statusCode).toBe(422);
    expect((await c.post(`/comments/${comments[0]}/report`, 'member', { reason: 'Rude' })).statusCode).toBe(303);
    expect((await c.post(`/comments/${comments[0]}/report`, 'member', { reason: 'Rude again' })).statusCode).toBe(409);
    for (let i = 1; i < max; i += 1) expect((await c.post(`/comments/${comments[i]}/report`, 'member', { reason: 'Rude' })).statusCode).toBe(303);
    expectTooMany(
      await c.post(`/comments/${comments[max]}/report`, 'member', { reason: 'Rude' }),
      windowMs,
      'You have sent a lot of reports in a short time.',
    );
    expectTooMany(await c.post(`/content/${item}/report`, 'member', { reason: 'Rude' }), windowMs, 'the moderators already have the ones you sent');
    expect(await c.app.db.selectFrom('reports').select('id').where('reporter_id', '=', c.ids.member).execute()).toHaveLength(max);
  });

  it('refuses, for a day, to report again what a moderator dismissed, and tells the moderators nothing more', async () => {
    const item = await createPost(c.app, { spaceId: c.open, authorId: c.ids.editor, body: 'Borderline' });
    expect((await c.post(`/content/${item}/report`, 'member', { reason: 'Off-topic' })).statusCode).toBe(303);
    const notified = async () => (await notificationsOf(c.app, c.ids.admin)).filter((n) => n.type === 'content-reported').length;
    expect(await notified()).toBe(1);
    expect((await c.post(`/admin/moderation/content/${item}/dismiss`, 'admin', { note: 'Fine' })).statusCode).toBe(303);

    const page = await c.get(`/content/${item}/report`, 'member');
    expect(mainText(page)).toContain('a moderator looked at it and dismissed your report less than a day ago');
    expect(html(page).querySelector('form textarea[name="reason"]')).toBe(null);

    const again = await c.post(`/content/${item}/report`, 'member', { reason: 'Still <b>off-topic</b>' });
    expect(again.statusCode).toBe(409);
    expect(mainText(again)).toContain('you can report it again from');
    // What was typed is kept, read-only, escaped.
    expect(html(again).querySelector('textarea[readonly]')?.textContent).toBe('Still <b>off-topic</b>');
    expect(await notified()).toBe(1);
    expect(await c.app.db.selectFrom('reports').select('status').where('content_id', '=', item).execute()).toEqual([{ status: 'dismissed' }]);
    // Someone else may still report it; the same person may again a day later.
    expect((await c.post(`/content/${item}/report`, 'outsider', { reason: 'Really off-topic' })).statusCode).toBe(303);
    await c.app.db.updateTable('reports').set({ decided_at: Date.now() - 24 * 60 * 60 * 1000 - 1000 }).where('status', '=', 'dismissed').execute();
    expect((await c.post(`/content/${item}/report`, 'member', { reason: 'Still off-topic' })).statusCode).toBe(303);
    expect(await notified()).toBe(3);
  });

  it('refuses a comment’s report the same way', async () => {
    const item = await createPost(c.app, { spaceId: c.open, authorId: c.ids.editor, body: 'Post' });
    const comment = await createComment(c.app, { contentId: item, authorId: c.ids.editor, body: 'Comment' });
    expect((await c.post(`/comments/${comment}/report`, 'member', { reason: 'Rude' })).statusCode).toBe(303);
    expect((await c.post(`/admin/moderation/comments/${comment}/dismiss`, 'admin', {})).statusCode).toBe(303);
    const again = await c.post(`/comments/${comment}/report`, 'member', { reason: 'Rude' });
    expect(again.statusCode).toBe(409);
    expect(mainText(again)).toContain('dismissed your report less than a day ago');
  });
});

describe('requests to join spaces', () => {
  const { max, windowMs } = RATE_LIMITS.joinRequestsPerUser;

  /** The key of a private space's request link, as its admin copies it from the members page. */
  async function requestKey(spaceId: number): Promise<string> {
    const members = html(await c.get(`/spaces/${spaceId}/members`, 'spaceAdmin'));
    return new URL(members.querySelector('#request-link')!.getAttribute('value')!).searchParams.get('key')!;
  }

  it(`allows ${max} an hour; asking again for a space already asked does not count`, async () => {
    expect([max, windowMs]).toEqual([10, 60 * 60_000]);
    const spaces: Array<{ id: number; key: string }> = [];
    for (let i = 0; i < max + 1; i += 1) {
      const id = await createSpace(c.app, { name: `Private ${i}`, visibility: 'private', members: [[c.ids.spaceAdmin, 'admin']] });
      spaces.push({ id, key: await requestKey(id) });
    }
    const ask = (space: { id: number; key: string }) => c.post(`/spaces/${space.id}/request`, 'outsider', { key: space.key });
    for (let i = 0; i < max; i += 1) expect((await ask(spaces[i]!)).statusCode).toBe(303);
    // Already waiting: answered as before, not counted, not refused.
    const again = await ask(spaces[0]!);
    expect(again.statusCode).toBe(303);
    expectTooMany(await ask(spaces[max]!), windowMs, 'You have asked to join many spaces in a short time.');
    const pending = await c.app.db.selectFrom('space_requests').select('space_id').where('user_id', '=', c.ids.outsider).execute();
    expect(pending).toHaveLength(max);
    // Cancelling and asking again is asking again: it counts.
    expect((await c.post(`/spaces/${spaces[0]!.id}/request/cancel`, 'outsider')).statusCode).toBe(303);
    expect((await ask(spaces[0]!)).statusCode).toBe(429);
  });
});

describe('new spaces', () => {
  const { max, windowMs } = RATE_LIMITS.spaceCreationsPerUser;

  it(`allows ${max} a day; a refused form does not count`, async () => {
    expect([max, windowMs]).toEqual([10, 24 * 60 * 60_000]);
    const spaceCount = async () => (await c.app.db.selectFrom('spaces').select('id').execute()).length;
    for (let i = 0; i < 3; i += 1) expect((await c.post('/spaces/new', 'member', { name: ' ', visibility: 'open' })).statusCode).toBe(422);
    for (let i = 0; i < max; i += 1) expect((await c.post('/spaces/new', 'member', { name: `Team ${i}`, visibility: 'open' })).statusCode).toBe(303);
    const before = await spaceCount();
    expectTooMany(await c.post('/spaces/new', 'member', { name: 'One more', visibility: 'open' }), windowMs, 'You have created many spaces today.');
    expect(await spaceCount()).toBe(before);
    expect((await c.post('/spaces/new', 'editor', { name: 'Editors', visibility: 'open' })).statusCode).toBe(303);
  });
});

describe('the limits', () => {
  it('each have a message in both languages', async () => {
    const { hasMessage } = await import('../../src/i18n/index.js');
    for (const [name, limit] of Object.entries(RATE_LIMITS)) {
      if ('messageKey' in limit) expect(hasMessage(limit.messageKey), name).toBe(true);
    }
    expect(limitMax(RATE_LIMITS.contentWritesPerUser, c.app.config)).toBe(60);
  });
});
