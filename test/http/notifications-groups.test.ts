// The notifications page groups what many people did about the same item ("Alice and 3 others
// commented on …"), newest activity first, unread entries marked in words; marking an entry read marks
// all it stands for and goes to the item; the bell counts entries. What the person may no longer see is
// neither shown nor counted.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { notify } from '../../src/notifications/notify.js';
import { html, mainText } from '../helpers/app.js';
import { createCast, personWithSession, type Cast } from '../helpers/conversation.js';
import { bellText, commentOn, entries, postIn } from '../helpers/notify-app.js';

let c: Cast;
beforeEach(async () => {
  c = await createCast();
});
afterEach(async () => c.t.close());

describe('the grouped list', () => {
  it('says "X and N others", newest activity first, unread in words, and the bell counts entries', async () => {
    const post = await postIn(c, 'member', c.open, 'Lost keys at reception');
    const first = await commentOn(c, 'editor', post, 'Not mine');
    await commentOn(c, 'outsider', post, 'Not mine either');
    await commentOn(c, 'editor', post, 'Ask security?');
    await commentOn(c, 'admin', post, 'Found them');
    for (const who of ['outsider', 'editor', 'spaceAdmin'] as const) await c.post(`/content/${post}/reactions`, who, { reaction: 'party' });

    expect(await entries(c, 'member')).toEqual([
      'Unread: Sam Lead and 2 others reacted to your “Lost keys at reception”',
      'Unread: Alice Martin and 2 others commented on your “Lost keys at reception”',
    ]);
    const page = await c.get('/notifications', 'member');
    expect(html(page).querySelectorAll('.notification--unread .notification__badge').map((b) => b.textContent)).toEqual(['New', 'New']);
    expect(bellText(page)).toBe('Notifications, 2 unread');

    // Eve follows (she commented): the others' comments are one entry for her, without her own.
    expect(await entries(c, 'editor')).toEqual(['Unread: Alice Martin and 1 other commented on “Lost keys at reception”']);

    // Marking the comments' entry read: all four are read, and it leads to the first of them.
    const forms = html(page).querySelectorAll('form.notification__form').map((f) => f.getAttribute('action')!);
    const read = await c.post(forms[1]!, 'member');
    expect(read.statusCode).toBe(303);
    expect(read.headers.location).toBe(`/content/${post}#comment-${first}`);
    const unread = await c.app.db.selectFrom('notifications').select('type').where('user_id', '=', c.ids.member).where('read_at', 'is', null).execute();
    expect(unread.map((n) => n.type)).toEqual(['reaction', 'reaction', 'reaction']);
    expect(bellText(await c.get('/account', 'member'))).toBe('Notifications, 1 unread');

    // New activity makes a new entry on top; what was read stays a plain link below.
    await commentOn(c, 'spaceAdmin', post, 'Great');
    expect(await entries(c, 'member')).toEqual([
      'Unread: Sam Lead commented on your “Lost keys at reception”',
      'Unread: Sam Lead and 2 others reacted to your “Lost keys at reception”',
      'Alice Martin and 2 others commented on your “Lost keys at reception”',
    ]);
    const after = html(await c.get('/notifications', 'member'));
    expect(after.querySelector(`a.notification__link[href="/content/${post}#comment-${first}"]`)).not.toBe(null);

    // Mark all read empties the bell.
    const all = await c.post('/notifications/read-all', 'member');
    expect(all.headers.location).toBe('/notifications');
    expect(bellText(await c.get('/account', 'member'))).toBe('Notifications');
  });

  it('tells a reply to one’s comment from a comment on one’s item, and speaks French with its plurals', async () => {
    const post = await postIn(c, 'editor', c.open, 'Parking spots');
    const mine = await commentOn(c, 'member', post, 'I need one');
    await commentOn(c, 'outsider', post, 'Me too', mine);
    await commentOn(c, 'admin', post, 'Noted', mine);
    expect(await entries(c, 'member')).toEqual(['Unread: Alice Martin and 1 other replied to your comment on “Parking spots”']);

    await c.app.db.updateTable('users').set({ locale: 'fr' }).where('id', 'in', [c.ids.member, c.ids.editor]).execute();
    expect(await entries(c, 'member')).toEqual(['Non lue : Alice Martin et 1 autre personne ont répondu à votre commentaire sur « Parking spots »']);
    await commentOn(c, 'spaceAdmin', post, 'Ok');
    expect((await entries(c, 'editor'))[0]).toBe('Non lue : Sam Lead et 3 autres personnes ont commenté votre publication « Parking spots »');
    await c.post(`/content/${post}/reactions`, 'member', { reaction: 'like' });
    expect((await entries(c, 'editor'))[0]).toBe('Non lue : Bruno Petit a réagi à votre publication « Parking spots »');
  });

  it('shows and counts nothing about what the person may no longer see', async () => {
    const post = await postIn(c, 'spaceAdmin', c.secret, 'Salary review');
    await commentOn(c, 'spaceAdmin', post, 'Draft attached');
    // Bruno commented, so he follows; then Sam comments again.
    await commentOn(c, 'member', post, 'Read it');
    await commentOn(c, 'spaceAdmin', post, 'Thanks');
    expect(await entries(c, 'member')).toEqual(['Unread: Sam Lead commented on “Salary review”']);
    expect(bellText(await c.get('/account', 'member'))).toBe('Notifications, 1 unread');
    const id = (await c.app.db.selectFrom('notifications').select('id').where('user_id', '=', c.ids.member).executeTakeFirstOrThrow()).id;

    // Bruno leaves the private space: the entry goes, from the list and the bell; reading it is a 404.
    await c.app.db.deleteFrom('space_members').where('space_id', '=', c.secret).where('user_id', '=', c.ids.member).execute();
    expect(await entries(c, 'member')).toEqual([]);
    expect(bellText(await c.get('/account', 'member'))).toBe('Notifications');
    expect((await c.post(`/notifications/${id}/read`, 'member')).statusCode).toBe(404);
    // Someone else's entry: 404 too.
    expect((await c.post(`/notifications/${id}/read`, 'outsider')).statusCode).toBe(404);
  });

  it('leaves out a request to join a private space once the person no longer administers it', async () => {
    const members = html(await c.get(`/spaces/${c.secret}/members`, 'spaceAdmin'));
    const key = new URL(members.querySelector('#request-link')!.getAttribute('value')!).searchParams.get('key')!;
    expect((await c.post(`/spaces/${c.secret}/request`, 'outsider', { key })).statusCode).toBe(303);
    const [entry] = await entries(c, 'spaceAdmin');
    expect(entry).toBe('Unread: Carol Outsider asks to join the space Board room');
    const id = (await c.app.db.selectFrom('notifications').select('id').where('user_id', '=', c.ids.spaceAdmin).executeTakeFirstOrThrow()).id;

    // Sam is removed from the private space: neither its name nor the request is shown any more.
    await c.app.db.deleteFrom('space_members').where('space_id', '=', c.secret).where('user_id', '=', c.ids.spaceAdmin).execute();
    expect(await entries(c, 'spaceAdmin')).toEqual([]);
    expect(bellText(await c.get('/account', 'spaceAdmin'))).toBe('Notifications');
    expect((await c.post(`/notifications/${id}/read`, 'spaceAdmin')).statusCode).toBe(404);
  });

  it('shows names and titles escaped in grouped entries', async () => {
    const evil = await personWithSession(c.app, { email: 'evil@example.com', name: '<img src=x onerror=alert(1)>' });
    const post = await postIn(c, 'member', c.open, '<script>alert("title")</script> plan');
    await commentOn(c, 'editor', post, 'Fine');
    const response = await c.app.inject({ method: 'POST', url: `/content/${post}/comments`, headers: { cookie: evil.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'body=Hi' });
    expect(response.statusCode).toBe(303);
    const page = await c.get('/notifications', 'member');
    expect(page.body).not.toContain('<img src=x');
    expect(page.body).not.toContain('<script>alert("title")');
    expect(mainText(page)).toContain('<img src=x onerror=alert(1)> and 1 other commented on your “<script>alert("title")</script> plan”');
  });

  it('leaves out the types the person turned off in the app (their preferences)', async () => {
    const post = await postIn(c, 'member', c.open, 'Bike shed');
    await commentOn(c, 'editor', post, 'Blue');
    await c.post(`/content/${post}/reactions`, 'editor', { reaction: 'like' });
    expect(await entries(c, 'member')).toHaveLength(2);
    await c.app.db.insertInto('notification_preferences').values({ user_id: c.ids.member, type: 'reaction', in_app: 0, email: 'off' }).execute();
    expect(await entries(c, 'member')).toEqual(['Unread: Eve Editor commented on your “Bike shed”']);
    expect(bellText(await c.get('/account', 'member'))).toBe('Notifications, 1 unread');
  });

  it('pages through entries with a keyset cursor', async () => {
    const base = Date.now() - 100_000;
    const posts: number[] = [];
    for (let i = 0; i < 31; i++) posts.push(await postIn(c, 'member', c.open, `Item ${i}`));
    // Three replies on each item, from two people: 31 entries.
    await notify(
      c.app.db,
      posts.flatMap((contentId, i) =>
        [c.ids.editor, c.ids.outsider, c.ids.editor].map((actorId, j) => ({ userId: c.ids.member, type: 'reply' as const, actorId, contentId, createdAt: base + i * 10 + j })),
      ),
    );
    const first = html(await c.get('/notifications', 'member'));
    expect(first.querySelectorAll('.notification')).toHaveLength(30);
    expect(first.querySelector('.notification__link')?.textContent).toContain('Eve Editor and 1 other commented on your “Item 30”');
    const next = first.querySelector('a[rel="next"]')?.getAttribute('href');
    expect(next).toMatch(/^\/notifications\?before=\d+$/);
    const second = html(await c.get(next!, 'member'));
    expect(second.querySelectorAll('.notification__link').map((l) => l.textContent.replace(/\s+/g, ' ').trim())).toEqual([
      'Unread: Eve Editor and 1 other commented on your “Item 0”',
    ]);
    expect(second.querySelector('a[rel="next"]')).toBe(null);
  });
});
