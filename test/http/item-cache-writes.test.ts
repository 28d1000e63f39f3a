// The item and card caches (src/content/item-cache.ts, src/content/cards.ts): every write the
// application makes through its own forms shows on the next page, to everyone, once the cards were seen
// (and kept) by several viewers.
import type { HTMLElement } from 'node-html-parser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { html } from '../helpers/app.js';
import { ORGANISATION_FORM } from '../helpers/admin.js';
import { createArticle, createComment, createPost } from '../helpers/content.js';
import { createCast, keptCard, type Cast, type Who } from '../helpers/conversation.js';

let c: Cast;
let post: number;
let article: number;
beforeEach(async () => {
  c = await createCast();
  post = await createPost(c.app, { spaceId: c.open, authorId: c.ids.member, body: 'New tools #workshop' });
  article = await createArticle(c.app, { spaceId: c.company, authorId: c.ids.admin, title: 'Safety rules', body: 'Read me', mustRead: true });
});
afterEach(async () => c.t.close());

const card = (url: string, who: Who, id: number) => keptCard(c, url, who, id);
/** Warms the caches with the cards of these pages, seen by these people. */
async function warm(urls: readonly string[], people: readonly Who[]): Promise<void> {
  for (const url of urls) for (const who of people) await card(url, who, post);
}
const ok = (status: number) => expect([200, 303]).toContain(status);

describe('writes through the application, on kept cards', () => {
  it('shows a post edited through its form', async () => {
    await warm(['/', `/spaces/${c.open}`], ['member', 'editor']);
    ok((await c.post(`/posts/${post}/edit`, 'member', { body: 'Better tools' })).statusCode);
    for (const who of ['member', 'editor'] as const) {
      const el = await card('/', who, post);
      expect(el!.text).toContain('Better tools');
      expect(el!.querySelector('.content-badge--edited')).not.toBeNull();
    }
  });

  it('takes away a post hidden by a moderator, and shows it again when unhidden', async () => {
    await warm(['/', `/spaces/${c.open}`], ['member', 'editor', 'admin']);
    ok((await c.post(`/content/${post}/hide`, 'admin', { reason: 'Off topic' })).statusCode);
    expect(await card('/', 'editor', post)).toBeNull();
    expect(await card(`/spaces/${c.open}`, 'editor', post)).toBeNull();
    ok((await c.post(`/content/${post}/unhide`, 'admin')).statusCode);
    expect(await card('/', 'editor', post)).not.toBeNull();
  });

  it('takes away a deleted post, and shows it again when an admin restores it', async () => {
    await warm(['/', `/spaces/${c.open}`], ['member', 'editor']);
    ok((await c.post(`/content/${post}/delete`, 'member')).statusCode);
    expect(await card('/', 'editor', post)).toBeNull();
    expect((await c.get(`/content/${post}`, 'editor')).statusCode).toBe(404);
    ok((await c.post(`/admin/deleted/${post}/restore`, 'admin')).statusCode);
    expect(await card('/', 'editor', post)).not.toBeNull();
  });

  it('counts comments deleted and hidden through the forms', async () => {
    const first = await createComment(c.app, { contentId: post, authorId: c.ids.editor, body: 'First' });
    const second = await createComment(c.app, { contentId: post, authorId: c.ids.member, body: 'Second' });
    const count = async (who: Who) => (await card('/', who, post))!.querySelector('.content-card__comments')!.text;
    expect(await count('editor')).toContain('2 comments');
    expect(await count('member')).toContain('2 comments');
    ok((await c.post(`/comments/${first}/edit`, 'editor', { body: 'First, edited' })).statusCode);
    expect(await count('member')).toContain('2 comments');
    ok((await c.post(`/comments/${first}/delete`, 'editor')).statusCode);
    expect(await count('member')).toContain('1 comment');
    ok((await c.post(`/comments/${second}/hide`, 'admin', { reason: 'Off topic' })).statusCode);
    expect(await count('editor')).toContain('No comments');
    ok((await c.post(`/comments/${second}/unhide`, 'admin')).statusCode);
    expect(await count('editor')).toContain('1 comment');
  });

  it('shows a space renamed and made private through its settings', async () => {
    await warm(['/', `/spaces/${c.open}`], ['member', 'editor', 'outsider']);
    ok((await c.post(`/spaces/${c.open}/edit`, 'admin', { name: 'Atelier', visibility: 'open' })).statusCode);
    expect((await card('/', 'editor', post))!.querySelector('.content-meta__space')!.text).toBe('Atelier');
    expect((await card(`/spaces/${c.open}`, 'outsider', post))!.querySelector('.content-meta__space')!.text).toBe('Atelier');
    ok((await c.post(`/spaces/${c.open}/edit`, 'admin', { name: 'Atelier', visibility: 'private', confirmVisibility: 'yes' })).statusCode);
    // The outsider is no member: the space and its content are gone for them.
    expect([403, 404]).toContain((await c.get(`/spaces/${c.open}`, 'outsider')).statusCode);
    expect((await c.get(`/content/${post}`, 'outsider')).statusCode).toBe(404);
    expect(await card('/', 'editor', post)).not.toBeNull();
  });

  it('takes a private space’s items off the home feed of a member who leaves it', async () => {
    const secret = await createPost(c.app, { spaceId: c.secret, authorId: c.ids.spaceAdmin, body: 'Board minutes' });
    expect(await card('/', 'member', secret)).not.toBeNull();
    ok((await c.post(`/spaces/${c.secret}/leave`, 'member')).statusCode);
    expect(await card('/', 'member', secret)).toBeNull();
    expect((await c.get(`/content/${secret}`, 'member')).statusCode).toBe(404);
  });

  it('shows an author renamed through their account, and a deactivated one unlinked', async () => {
    await warm(['/', `/spaces/${c.open}`], ['member', 'editor']);
    ok((await c.post('/account', 'member', { name: 'Bruno Lefèvre', locale: 'en' })).statusCode);
    const author = async () => (await card('/', 'editor', post))!.querySelector('.content-meta__author')!;
    expect((await author()).text).toBe('Bruno Lefèvre');
    ok((await c.post(`/admin/members/${c.ids.member}/deactivate`, 'admin')).statusCode);
    expect((await author()).tagName).toBe('SPAN');
  });

  it('speaks the language a member switches to on their account', async () => {
    await warm(['/'], ['member', 'editor']);
    ok((await c.post('/account', 'editor', { name: 'Eve Editor', locale: 'fr' })).statusCode);
    expect((await card('/', 'editor', post))!.querySelector('.content-card__comments')!.text).toContain('Aucun commentaire');
    expect((await card('/', 'member', post))!.querySelector('.content-card__comments')!.text).toContain('No comments');
  });

  it('shows dates in the time zone the organisation switches to', async () => {
    const at = Date.UTC(2026, 0, 15, 12, 0);
    await c.app.db.updateTable('content').set({ published_at: at }).where('id', '=', post).execute();
    const shown = async () => (await card(`/spaces/${c.open}`, 'editor', post))!.querySelector('.content-meta__date time')!.text;
    expect(await shown()).toContain('1:00 PM');
    ok((await c.post('/admin/organisation', 'admin', { ...ORGANISATION_FORM, timeZone: 'Asia/Tokyo' })).statusCode);
    expect(await shown()).toContain('9:00 PM');
  });

  it('shows the must-read confirmed, to the one who confirmed, on every page that lists it', async () => {
    const confirmed = (el: HTMLElement | null) => el!.querySelector('.must-read')!.classList.contains('must-read--confirmed');
    expect(confirmed(await card(`/spaces/${c.company}`, 'member', article))).toBe(false);
    expect(confirmed(await card(`/spaces/${c.company}`, 'editor', article))).toBe(false);
    ok((await c.post(`/content/${article}/confirm-read`, 'member')).statusCode);
    expect(confirmed(await card(`/spaces/${c.company}`, 'member', article))).toBe(true);
    expect(confirmed(await card(`/spaces/${c.company}`, 'editor', article))).toBe(false);
  });

  it('offers the actions of a role given or taken away, on the next page', async () => {
    const secret = await createPost(c.app, { spaceId: c.secret, authorId: c.ids.spaceAdmin, body: 'Board minutes' });
    const hides = async (who: Who, id: number) => (await card('/', who, id))!.querySelector(`a[href="/content/${id}/hide"]`) !== null;
    expect(await hides('member', secret)).toBe(false);
    expect(await hides('spaceAdmin', secret)).toBe(true);
    // The member becomes an admin of the private space, then an admin of the organisation, then neither.
    ok((await c.post(`/spaces/${c.secret}/members/${c.ids.member}/role`, 'spaceAdmin', { role: 'admin' })).statusCode);
    expect(await hides('member', secret)).toBe(true);
    ok((await c.post(`/spaces/${c.secret}/members/${c.ids.member}/role`, 'spaceAdmin', { role: 'member' })).statusCode);
    expect(await hides('member', secret)).toBe(false);
    expect(await hides('editor', post)).toBe(false);
    ok((await c.post(`/admin/members/${c.ids.editor}/role`, 'admin', { role: 'admin' })).statusCode);
    expect(await hides('editor', post)).toBe(true);
    ok((await c.post(`/admin/members/${c.ids.editor}/role`, 'admin', { role: 'member' })).statusCode);
    expect(await hides('editor', post)).toBe(false);
  });

  it('shows the topics of a post edited with new ones', async () => {
    const topics = async (who: Who) => {
      await c.get(`/content/${post}`, who);
      return html(await c.get(`/content/${post}`, who)).querySelectorAll('.content-topics a').map((a) => a.text);
    };
    expect(await topics('editor')).toEqual(['#workshop']);
    ok((await c.post(`/posts/${post}/edit`, 'member', { body: 'New tools #safety' })).statusCode);
    expect(await topics('editor')).toEqual(['#safety']);
  });
});
