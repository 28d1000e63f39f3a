// In-app notifications as people meet them: the list, newest first, each a sentence with a link; the
// header's bell with its unread count; marking one or all read. A notification about something the
// person may no longer see is neither shown nor counted.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { softDeleteContent } from '../../src/content/store.js';
import { notify, type NewNotification } from '../../src/notifications/notify.js';
import { cookiesFrom, createTestApp, html, mainText, setupOrganisation, type TestApp } from '../helpers/app.js';
import { createArticle, createComment } from '../helpers/content.js';
import { articleFields, bulkUsers, contentIdFrom, get, HTMX_PARTIAL, newsWorld, post, type NewsWorld } from '../helpers/news.js';

let t: TestApp;
let w: NewsWorld;
beforeEach(async () => {
  t = await createTestApp();
  w = await newsWorld(t.app, await setupOrganisation(t.app));
});
afterEach(async () => t.close());

const send = (notifications: Array<Omit<NewNotification, 'createdAt'> & { createdAt?: number }>) =>
  notify(t.app.db, notifications.map((n) => ({ createdAt: Date.now() - 1000, ...n })));
const sentences = async (cookie: string) => html(await get(t.app, '/notifications', cookie)).querySelectorAll('.notification__link').map((l) => l.textContent.replace(/\s+/g, ' ').trim());
const bell = async (cookie: string, url = '/account') => html(await get(t.app, url, cookie)).querySelector('.notification-bell');

describe('the notifications page', () => {
  it('sends visitors to sign in, for every route', async () => {
    for (const [method, url] of [['GET', '/notifications'], ['POST', '/notifications/1/read'], ['POST', '/notifications/read-all']] as const) {
      const response = method === 'GET' ? await get(t.app, url, '') : await post(t.app, url, '');
      expect(response.statusCode, url).toBe(303);
      expect(response.headers.location, url).toMatch(/^\/login/);
    }
  });

  it('says each notification as a sentence with its link, newest first', async () => {
    const article = await createArticle(t.app, { spaceId: w.companyId, authorId: w.ids.editor, title: 'Canteen menu', body: 'B' });
    const comment = await createComment(t.app, { contentId: article, authorId: w.ids.editor, body: 'Hi' });
    const base = Date.now() - 60_000;
    await send([
      { userId: w.ids.member, type: 'mention', actorId: w.ids.editor, contentId: article, createdAt: base },
      { userId: w.ids.member, type: 'mention', actorId: w.ids.editor, contentId: article, commentId: comment, createdAt: base + 1 },
      { userId: w.ids.member, type: 'space-invitation', actorId: w.ids.spaceAdmin, spaceId: w.openId, createdAt: base + 2 },
      { userId: w.ids.member, type: 'space-request-approved', actorId: w.ids.spaceAdmin, spaceId: w.privateId, createdAt: base + 3 },
    ]);
    const page = await get(t.app, '/notifications', w.cookies.member);
    expect(page.statusCode).toBe(200);
    expect(await sentences(w.cookies.member)).toEqual([
      'Unread: You are now a member of the space Board',
      'Unread: Sam Spaceadmin invites you to join the space Open kitchen',
      'Unread: Edith Editor mentioned you in a comment on “Canteen menu”',
      'Unread: Edith Editor mentioned you in “Canteen menu”',
    ]);
    // Unread ones are buttons that mark them read; the page offers to mark all.
    const forms = html(page).querySelectorAll('form.notification__form').map((f) => f.getAttribute('action'));
    expect(forms).toHaveLength(4);
    expect(html(page).querySelector('form[action="/notifications/read-all"]')).not.toBe(null);

    // Marking one read goes where it leads.
    const ids = (await t.app.db.selectFrom('notifications').select(['id', 'type', 'comment_id']).where('user_id', '=', w.ids.member).orderBy('id').execute());
    const inComment = ids.find((n) => n.comment_id !== null)!;
    const read = await post(t.app, `/notifications/${inComment.id}/read`, w.cookies.member);
    expect(read.statusCode).toBe(303);
    expect(read.headers.location).toBe(`/content/${article}#comment-${comment}`);
    const invitation = ids.find((n) => n.type === 'space-invitation')!;
    expect((await post(t.app, `/notifications/${invitation.id}/read`, w.cookies.member)).headers.location).toBe(`/spaces/${w.openId}`);
    expect((await post(t.app, `/notifications/${invitation.id}/read`, w.cookies.member, {}, HTMX_PARTIAL)).headers['hx-redirect']).toBe(`/spaces/${w.openId}`);
    const after = html(await get(t.app, '/notifications', w.cookies.member));
    expect(after.querySelector(`a.notification__link[href="/content/${article}#comment-${comment}"]`)).not.toBe(null);
    expect(after.querySelectorAll('.notification--unread')).toHaveLength(2);

    // Someone else's notification, or no notification at all: 404.
    expect((await post(t.app, `/notifications/${invitation.id}/read`, w.cookies.outsider)).statusCode).toBe(404);
    expect((await post(t.app, '/notifications/987654/read', w.cookies.member)).statusCode).toBe(404);
    expect((await post(t.app, '/notifications/abc/read', w.cookies.member)).statusCode).toBe(404);
  });

  it('tells about must-reads and reminders through the articles themselves', async () => {
    const id = contentIdFrom(await post(t.app, '/news/new', w.cookies.editor, articleFields(w.companyId, { title: 'Fire drill', mustRead: '1' })));
    expect(await sentences(w.cookies.member)).toEqual(['Unread: New must-read: “Fire drill”']);
    await post(t.app, `/content/${id}/remind`, w.cookies.editor);
    expect((await sentences(w.cookies.member))[0]).toBe('Unread: Reminder from Edith Editor: please confirm you have read “Fire drill”');

    // An article that no longer asks for confirmation no longer says it does.
    await post(t.app, `/news/${id}/edit`, w.cookies.editor, articleFields(w.companyId, { title: 'Fire drill', action: 'save' }));
    expect(await sentences(w.cookies.member)).toEqual([]);
  });

  it('shows names and titles escaped', async () => {
    const [evil] = await bulkUsers(t.app, ['<script>alert("name")</script>']);
    const article = await createArticle(t.app, { spaceId: w.companyId, authorId: evil!, title: '<img src=x onerror=alert(1)>', body: 'B' });
    await send([{ userId: w.ids.member, type: 'mention', actorId: evil!, contentId: article }]);
    const page = await get(t.app, '/notifications', w.cookies.member);
    expect(page.body).not.toContain('<script>alert');
    expect(page.body).not.toContain('<img src=x');
    expect(mainText(page)).toContain('<script>alert("name")</script> mentioned you in “<img src=x onerror=alert(1)>”');
  });

  it('pages through a long list, newest first', async () => {
    const article = await createArticle(t.app, { spaceId: w.companyId, authorId: w.ids.editor, title: 'A', body: 'B' });
    const base = Date.now() - 100_000;
    await send(Array.from({ length: 35 }, (_, i) => ({ userId: w.ids.member, type: 'mention' as const, actorId: w.ids.editor, contentId: article, createdAt: base + i })));
    const first = html(await get(t.app, '/notifications', w.cookies.member));
    expect(first.querySelectorAll('.notification')).toHaveLength(30);
    const next = first.querySelector('a[rel="next"]')?.getAttribute('href');
    expect(next).toMatch(/^\/notifications\?before=\d+$/);
    const second = html(await get(t.app, next!, w.cookies.member));
    expect(second.querySelectorAll('.notification')).toHaveLength(5);
    expect(second.querySelector('a[rel="next"]')).toBe(null);
  });
});

describe('what is shown and counted', () => {
  it('leaves out what the person may no longer see, and what is not published yet', async () => {
    const visible = await createArticle(t.app, { spaceId: w.companyId, authorId: w.ids.editor, title: 'Visible', body: 'B' });
    const deleted = await createArticle(t.app, { spaceId: w.companyId, authorId: w.ids.editor, title: 'Deleted', body: 'B' });
    const hidden = await createArticle(t.app, { spaceId: w.companyId, authorId: w.ids.editor, title: 'Hidden', body: 'B' });
    const board = await createArticle(t.app, { spaceId: w.privateId, authorId: w.ids.editor, title: 'Board only', body: 'B' });
    const draft = await createArticle(t.app, { spaceId: w.companyId, authorId: w.ids.editor, title: 'Draft', body: 'B', publishedAt: null });
    const later = await createArticle(t.app, { spaceId: w.companyId, authorId: w.ids.editor, title: 'Later', body: 'B', publishedAt: Date.now() + 3_600_000 });
    const withComment = await createArticle(t.app, { spaceId: w.companyId, authorId: w.ids.editor, title: 'Comment gone', body: 'B' });
    const comment = await createComment(t.app, { contentId: withComment, authorId: w.ids.editor, body: 'Hi' });
    const about = (contentId: number, extra: Partial<NewNotification> = {}) => ({ userId: w.ids.member, type: 'mention' as const, actorId: w.ids.editor, contentId, ...extra });
    await send([about(visible), about(deleted), about(hidden), about(board), about(draft), about(later), about(withComment, { commentId: comment })]);
    // Dated in the future (a scheduled must-read): not yet.
    await send([{ ...about(visible), createdAt: Date.now() + 3_600_000 }]);

    await softDeleteContent(t.app.db, deleted, w.ids.admin);
    await t.app.db.updateTable('content').set({ hidden_at: Date.now(), hidden_by: w.ids.admin, hidden_reason: 'Off topic' }).where('id', '=', hidden).execute();
    await t.app.db.updateTable('comments').set({ deleted_at: Date.now() }).where('id', '=', comment).execute();
    // Mia leaves the private space.
    await t.app.db.deleteFrom('space_members').where('space_id', '=', w.privateId).where('user_id', '=', w.ids.member).execute();

    expect(await sentences(w.cookies.member)).toEqual(['Unread: Edith Editor mentioned you in “Visible”']);
    const count = await bell(w.cookies.member);
    expect(count?.querySelector('.visually-hidden')?.textContent).toBe('Notifications, 1 unread');
    expect(count?.querySelector('.notification-bell__count')?.textContent).toBe('1');

    // Reading an invisible one: 404, as if it did not exist.
    const boardNotification = await t.app.db.selectFrom('notifications').select('id').where('content_id', '=', board).executeTakeFirstOrThrow();
    expect((await post(t.app, `/notifications/${boardNotification.id}/read`, w.cookies.member)).statusCode).toBe(404);

    // Back in the space, the notification is back.
    await t.app.db.insertInto('space_members').values({ space_id: w.privateId, user_id: w.ids.member, role: 'member', joined_at: Date.now() }).execute();
    expect(await sentences(w.cookies.member)).toContain('Unread: Edith Editor mentioned you in “Board only”');
  });
});

describe('the header’s bell', () => {
  it('shows the unread count on every page, and marking all read empties it', async () => {
    const article = await createArticle(t.app, { spaceId: w.companyId, authorId: w.ids.editor, title: 'A', body: 'B' });
    expect((await bell(w.cookies.member))?.querySelector('.visually-hidden')?.textContent).toBe('Notifications');
    expect((await bell(w.cookies.member))?.querySelector('.notification-bell__count')).toBe(null);
    await send([1, 2, 3].map(() => ({ userId: w.ids.member, type: 'mention' as const, actorId: w.ids.editor, contentId: article })));
    await send([{ userId: w.ids.member, type: 'mention', actorId: w.ids.editor, contentId: article, createdAt: Date.now() + 3_600_000 }]);

    for (const url of ['/account', '/', '/notifications', `/content/${article}`, '/news/drafts']) {
      const found = await bell(w.cookies.member, url);
      expect(found?.getAttribute('href'), url).toBe('/notifications');
      expect(found?.querySelector('.visually-hidden')?.textContent, url).toBe('Notifications, 3 unread');
    }
    // Someone else's count is their own; a fragment has no header to count for.
    expect((await bell(w.cookies.outsider))?.querySelector('.visually-hidden')?.textContent).toBe('Notifications');

    const all = await post(t.app, '/notifications/read-all', w.cookies.member);
    expect(all.statusCode).toBe(303);
    expect(all.headers.location).toBe('/notifications');
    const after = await get(t.app, '/notifications', cookiesFrom(all, w.cookies.member));
    expect(mainText(after)).toContain('3 notifications marked as read.');
    expect(html(after).querySelector('.notification-bell .visually-hidden')?.textContent).toBe('Notifications');
    // The one dated in the future stays unread for its time.
    expect(await t.app.db.selectFrom('notifications').select('id').where('user_id', '=', w.ids.member).where('read_at', 'is', null).execute()).toHaveLength(1);
  });

  it('is not there for visitors, and a deactivated person is signed out', async () => {
    const login = await get(t.app, '/login', '');
    expect(html(login).querySelector('.notification-bell')).toBe(null);
    expect((await post(t.app, `/admin/members/${w.ids.member}/deactivate`, w.cookies.admin)).statusCode).toBe(303);
    expect((await get(t.app, '/notifications', w.cookies.member)).headers.location).toMatch(/^\/login/);
    expect((await post(t.app, '/notifications/read-all', w.cookies.member)).headers.location).toMatch(/^\/login/);
  });
});
