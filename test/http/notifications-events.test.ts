// Who hears about what: replies, comments on what one follows, reactions, and the events written by
// other features (mentions, must-reads, reminders, space requests and invitations, reports). For each:
// who gets it, and who does not (the actor, people who may not see the item, deactivated people,
// people who unfollowed). One event never gives the same person two notifications.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { html } from '../helpers/app.js';
import { createCast, deactivate, type Cast } from '../helpers/conversation.js';
import { articleFields } from '../helpers/news.js';
import { commentOn, followState, postIn, received, typesOf } from '../helpers/notify-app.js';

let c: Cast;
beforeEach(async () => {
  c = await createCast();
});
afterEach(async () => c.t.close());

const mention = (name: string, id: number) => `@[${name}](${id})`;

describe('comments', () => {
  it('tell the author (reply), the followers (comment), never the one who wrote, once each', async () => {
    const post = await postIn(c, 'member', c.open, 'Who wants the old printer?');
    // The author follows what they publish.
    expect(await followState(c.app, post, c.ids.member)).toBe('following');

    const first = await commentOn(c, 'editor', post, 'Me!');
    expect(await received(c.app, c.ids.member)).toEqual([{ type: 'reply', actor_id: c.ids.editor, content_id: post, comment_id: first, space_id: null }]);
    expect(await typesOf(c.app, c.ids.editor)).toEqual([]);
    // Commenting follows.
    expect(await followState(c.app, post, c.ids.editor)).toBe('following');

    // A third person: the author hears a reply, the earlier commenter a comment, the writer nothing.
    const second = await commentOn(c, 'outsider', post, 'Me too');
    expect(await typesOf(c.app, c.ids.member)).toEqual(['reply', 'reply']);
    expect(await received(c.app, c.ids.editor)).toEqual([{ type: 'comment', actor_id: c.ids.outsider, content_id: post, comment_id: second, space_id: null }]);
    expect(await typesOf(c.app, c.ids.outsider)).toEqual([]);

    // A reply to Eve's comment: Eve hears one reply (not also a comment), Carol a comment, Bruno nothing (his act).
    const answer = await commentOn(c, 'member', post, 'Eve first', first);
    expect(await received(c.app, c.ids.editor)).toEqual([
      { type: 'comment', actor_id: c.ids.outsider, content_id: post, comment_id: second, space_id: null },
      { type: 'reply', actor_id: c.ids.member, content_id: post, comment_id: answer, space_id: null },
    ]);
    expect(await typesOf(c.app, c.ids.outsider)).toEqual(['comment']);
    expect(await typesOf(c.app, c.ids.member)).toEqual(['reply', 'reply']);

    // A mention in a comment: the mentioned hear a mention only, however else they would have heard.
    await commentOn(c, 'admin', post, `${mention('Eve Editor', c.ids.editor)} ${mention('Bruno Petit', c.ids.member)} settled?`);
    expect((await typesOf(c.app, c.ids.editor)).slice(2)).toEqual(['mention']);
    expect((await typesOf(c.app, c.ids.member)).slice(2)).toEqual(['mention']);
    expect((await typesOf(c.app, c.ids.outsider)).slice(1)).toEqual(['comment']);
    expect(await typesOf(c.app, c.ids.admin)).toEqual([]);
  });

  it('in a private space reach only those who may see it, and never deactivated people', async () => {
    const post = await postIn(c, 'spaceAdmin', c.secret, 'Budget draft');
    const now = Date.now();
    // Carol (not a member) and Gaston (deactivated) follow it anyway, as if from before.
    await c.app.db
      .insertInto('content_follows')
      .values([c.ids.outsider, c.ids.gone].map((user_id) => ({ content_id: post, user_id, state: 'following' as const, updated_at: now })))
      .execute();
    // The administrator follows the whole space (admins see every space).
    await c.app.db.insertInto('space_follows').values({ space_id: c.secret, user_id: c.ids.admin, created_at: now }).execute();

    await commentOn(c, 'member', post, 'Looks fine');
    expect(await typesOf(c.app, c.ids.spaceAdmin)).toEqual(['reply']);
    expect(await typesOf(c.app, c.ids.admin)).toEqual(['comment']);
    expect(await typesOf(c.app, c.ids.outsider)).toEqual([]);
    expect(await typesOf(c.app, c.ids.gone)).toEqual([]);

    // The author deactivated meanwhile: nobody tells them anything.
    await deactivate(c.app, c.ids.spaceAdmin);
    await commentOn(c, 'admin', post, 'Agreed');
    expect(await typesOf(c.app, c.ids.spaceAdmin)).toEqual(['reply']);
    expect(await typesOf(c.app, c.ids.member)).toEqual(['comment']);
  });

  it('stop for someone who unfollowed, even when they comment again or follow the space', async () => {
    const post = await postIn(c, 'member', c.open, 'Canteen survey');
    await commentOn(c, 'editor', post, 'Done');
    expect((await c.post(`/content/${post}/follow`, 'editor', { follow: 'no' })).statusCode).toBe(303);
    expect(await followState(c.app, post, c.ids.editor)).toBe('unfollowed');

    // Commenting again does not silently follow again; following the space does not either.
    await commentOn(c, 'editor', post, 'One more thing');
    expect(await followState(c.app, post, c.ids.editor)).toBe('unfollowed');
    expect((await c.post(`/spaces/${c.open}/follow`, 'editor', { follow: 'yes' })).statusCode).toBe(303);
    await commentOn(c, 'outsider', post, 'Me too');
    expect(await typesOf(c.app, c.ids.editor)).toEqual([]);

    // The space's other items reach Eve through her follow of the space.
    const other = await postIn(c, 'member', c.open, 'Parking');
    await commentOn(c, 'outsider', other, 'Full again');
    expect(await received(c.app, c.ids.editor)).toEqual([expect.objectContaining({ type: 'comment', content_id: other, actor_id: c.ids.outsider })]);

    // An author who unfollowed their own item hears no more comments on it, but still answers to their comments.
    expect((await c.post(`/content/${post}/follow`, 'member', { follow: 'no' })).statusCode).toBe(303);
    const before = (await typesOf(c.app, c.ids.member)).length;
    const top = await commentOn(c, 'admin', post, 'Closing this');
    expect((await typesOf(c.app, c.ids.member)).length).toBe(before);
    const own = await commentOn(c, 'member', post, 'Thanks all');
    await commentOn(c, 'admin', post, 'You are welcome', own);
    expect((await received(c.app, c.ids.member)).slice(before)).toEqual([expect.objectContaining({ type: 'reply', actor_id: c.ids.admin })]);
    expect(top).toBeGreaterThan(0);
  });
});

describe('reactions', () => {
  it('tell the author once per person, and a reaction taken back leaves nothing behind', async () => {
    const post = await postIn(c, 'member', c.open, 'New coffee machine');
    const react = (who: 'outsider' | 'editor' | 'member', reaction: string) => c.post(`/content/${post}/reactions`, who, { reaction });

    expect((await react('outsider', 'like')).statusCode).toBe(303);
    expect((await react('outsider', 'heart')).statusCode).toBe(303);
    expect(await received(c.app, c.ids.member)).toEqual([{ type: 'reaction', actor_id: c.ids.outsider, content_id: post, comment_id: null, space_id: null }]);
    await react('editor', 'party');
    expect(await typesOf(c.app, c.ids.member)).toEqual(['reaction', 'reaction']);
    // Nobody hears about their own reaction.
    await react('member', 'like');
    expect(await typesOf(c.app, c.ids.member)).toEqual(['reaction', 'reaction']);
    expect(await typesOf(c.app, c.ids.outsider)).toEqual([]);

    // Carol takes back one: she still reacts. Both: her notification goes.
    await react('outsider', 'like');
    expect(await typesOf(c.app, c.ids.member)).toEqual(['reaction', 'reaction']);
    await react('outsider', 'heart');
    expect(await received(c.app, c.ids.member)).toEqual([{ type: 'reaction', actor_id: c.ids.editor, content_id: post, comment_id: null, space_id: null }]);
  });

  it('do not reach an author who unfollowed their item, or who was deactivated', async () => {
    const quiet = await postIn(c, 'member', c.open, 'Quiet please');
    await c.post(`/content/${quiet}/follow`, 'member', { follow: 'no' });
    await c.post(`/content/${quiet}/reactions`, 'editor', { reaction: 'like' });
    expect(await typesOf(c.app, c.ids.member)).toEqual([]);

    const post = await postIn(c, 'editor', c.open, 'Leaving soon');
    await deactivate(c.app, c.ids.editor);
    await c.post(`/content/${post}/reactions`, 'member', { reaction: 'heart' });
    expect(await typesOf(c.app, c.ids.editor)).toEqual([]);
  });
});

describe('events written by other features', () => {
  it('mentions in a post reach those who may see it, not the author, not the deactivated', async () => {
    const body = `${mention('Sam Lead', c.ids.spaceAdmin)} ${mention('Carol Outsider', c.ids.outsider)} ${mention('Gaston Gone', c.ids.gone)} ${mention('Bruno Petit', c.ids.member)} budget`;
    const post = await postIn(c, 'member', c.secret, body);
    expect(await received(c.app, c.ids.spaceAdmin)).toEqual([{ type: 'mention', actor_id: c.ids.member, content_id: post, comment_id: null, space_id: null }]);
    for (const who of ['outsider', 'gone', 'member'] as const) expect(await typesOf(c.app, c.ids[who]), who).toEqual([]);
  });

  it('must-reads and their reminders reach the audience, not the author', async () => {
    // The article also mentions Bruno: one event, one notification (the must-read).
    const response = await c.post('/news/new', 'editor', articleFields(c.company, { title: 'Fire drill', mustRead: '1', body: `Read this, ${mention('Bruno Petit', c.ids.member)}.` }));
    expect(response.statusCode).toBe(303);
    const article = (await c.app.db.selectFrom('content').select('id').orderBy('id', 'desc').executeTakeFirstOrThrow()).id;
    for (const who of ['admin', 'member', 'spaceAdmin', 'outsider'] as const) expect(await typesOf(c.app, c.ids[who]), who).toEqual(['must-read']);
    expect(await c.app.db.selectFrom('mentions').select('user_id').where('content_id', '=', article).execute()).toEqual([{ user_id: c.ids.member }]);
    expect(await typesOf(c.app, c.ids.editor)).toEqual([]);
    expect(await typesOf(c.app, c.ids.gone)).toEqual([]);

    await c.post(`/content/${article}/confirm-read`, 'member');
    expect((await c.post(`/content/${article}/remind`, 'editor')).statusCode).toBe(303);
    expect(await typesOf(c.app, c.ids.outsider)).toEqual(['must-read', 'must-read-reminder']);
    expect(await typesOf(c.app, c.ids.editor)).toEqual([]);
    expect(await typesOf(c.app, c.ids.gone)).toEqual([]);
  });

  it('a request to join reaches the space admins; an invitation and an approval reach the person', async () => {
    // Carol holds the space's request link (a private space is not found without it).
    const members = html(await c.get(`/spaces/${c.secret}/members`, 'spaceAdmin'));
    const key = new URL(members.querySelector('#request-link')!.getAttribute('value')!).searchParams.get('key')!;
    expect((await c.post(`/spaces/${c.secret}/request`, 'outsider', { key })).statusCode).toBe(303);
    expect(await received(c.app, c.ids.spaceAdmin)).toEqual([{ type: 'space-request', actor_id: c.ids.outsider, content_id: null, comment_id: null, space_id: c.secret }]);
    expect(await typesOf(c.app, c.ids.member)).toEqual([]);
    expect(await typesOf(c.app, c.ids.outsider)).toEqual([]);

    expect((await c.post(`/spaces/${c.secret}/requests/${c.ids.outsider}/approve`, 'spaceAdmin')).statusCode).toBe(303);
    expect(await received(c.app, c.ids.outsider)).toEqual([{ type: 'space-request-approved', actor_id: c.ids.spaceAdmin, content_id: null, comment_id: null, space_id: c.secret }]);

    expect((await c.post(`/spaces/${c.secret}/invitations`, 'spaceAdmin', { person: 'eve@example.com' })).statusCode).toBe(303);
    expect(await received(c.app, c.ids.editor)).toEqual([{ type: 'space-invitation', actor_id: c.ids.spaceAdmin, content_id: null, comment_id: null, space_id: c.secret }]);
    expect(await typesOf(c.app, c.ids.spaceAdmin)).toEqual(['space-request']);
  });

  it('a report reaches the moderators, neither the reporter nor the author', async () => {
    const post = await postIn(c, 'editor', c.open, 'Selling my car');
    expect((await c.post(`/content/${post}/report`, 'member', { reason: 'Off topic' })).statusCode).toBe(303);
    expect(await received(c.app, c.ids.admin)).toEqual([{ type: 'content-reported', actor_id: null, content_id: post, comment_id: null, space_id: c.open }]);
    for (const who of ['editor', 'member', 'outsider', 'spaceAdmin'] as const) expect(await typesOf(c.app, c.ids[who]), who).toEqual([]);
  });
});
