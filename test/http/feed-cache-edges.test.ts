// The item and card caches (src/content/item-cache.ts, src/content/cards.ts) and the feed’s
// fast path (src/policy/visible-content.ts): the paths a plain form does not take. A plugin switched
// off everywhere or in one space, time passing (a scheduled item due, a pin expiring), the purge, a
// member erased, another connection renaming a space, and a member of very many spaces.
import path from 'node:path';
import SQLite from 'better-sqlite3';
import type { HTMLElement } from 'node-html-parser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addLink } from '../../plugins/links/service.js';
import { purgeExpiredContent } from '../../src/features/moderation/purge.js';
import { html } from '../helpers/app.js';
import { createArticle, createPost } from '../helpers/content.js';
import { createCast, PARTIAL, type Cast, type Who } from '../helpers/conversation.js';
import { enablePlugin, disablePlugin } from '../helpers/plugins.js';

let c: Cast;
let post: number;
beforeEach(async () => {
  c = await createCast();
  post = await createPost(c.app, { spaceId: c.open, authorId: c.ids.member, body: 'New tools' });
});
afterEach(async () => c.t.close());

async function page(url: string, who: Who): Promise<HTMLElement> {
  await c.get(url, who);
  const response = await c.get(url, who);
  expect(response.statusCode).toBe(200);
  return html(response);
}
const shows = async (url: string, who: Who, id: number) => (await page(url, who)).querySelector(`#content-${id}`) !== null;

describe('a plugin’s items on kept pages', () => {
  it('leaves a link out of every list once the plugin is off everywhere, and back when on', async () => {
    await enablePlugin(c.app, 'links');
    const link = await addLink(c.app.db, { spaceId: c.open, authorId: c.ids.editor, title: 'Handbook', url: 'https://example.org/', host: 'example.org', description: '' });
    // Admins' home feed is the company space and their own: the open space's page lists it for them.
    for (const who of ['member', 'editor'] as const) expect(await shows('/', who, link)).toBe(true);
    for (const who of ['member', 'admin', 'outsider'] as const) expect(await shows(`/spaces/${c.open}`, who, link)).toBe(true);
    await disablePlugin(c.app, 'links');
    for (const who of ['member', 'editor'] as const) expect(await shows('/', who, link)).toBe(false);
    for (const who of ['member', 'admin', 'outsider'] as const) expect(await shows(`/spaces/${c.open}`, who, link)).toBe(false);
    expect((await c.get(`/content/${link}`, 'member')).statusCode).toBe(404);
    await enablePlugin(c.app, 'links');
    expect(await shows('/', 'member', link)).toBe(true);
  });

  it('leaves a link out of one space’s lists once its admin switches the plugin off there', async () => {
    await enablePlugin(c.app, 'links');
    const inOpen = await addLink(c.app.db, { spaceId: c.open, authorId: c.ids.editor, title: 'Handbook', url: 'https://example.org/', host: 'example.org', description: '' });
    const inSecret = await addLink(c.app.db, { spaceId: c.secret, authorId: c.ids.spaceAdmin, title: 'Minutes', url: 'https://example.org/m', host: 'example.org', description: '' });
    expect(await shows('/', 'member', inOpen)).toBe(true);
    expect(await shows('/', 'member', inSecret)).toBe(true);
    const off = await c.post(`/spaces/${c.secret}/features`, 'spaceAdmin', { plugin: 'links', state: 'off' });
    expect(off.statusCode).toBe(303);
    // The member's home feed merges the company, open and secret spaces: the kind is off in one of them.
    expect(await shows('/', 'member', inSecret)).toBe(false);
    expect(await shows('/', 'member', inOpen)).toBe(true);
    expect(await shows(`/spaces/${c.secret}`, 'member', inSecret)).toBe(false);
    expect(await shows(`/spaces/${c.secret}`, 'admin', inSecret)).toBe(false);
    expect(await shows('/?kind=link', 'member', inSecret)).toBe(false);
  });
});

describe('time passing on kept pages', () => {
  it('lists a scheduled post once it is due, without a scheduled badge', async () => {
    const soon = Date.now() + 400;
    const scheduled = await createPost(c.app, { spaceId: c.open, authorId: c.ids.member, body: 'Coming soon', publishedAt: soon });
    expect(await shows('/', 'editor', scheduled)).toBe(false);
    expect(await shows(`/spaces/${c.open}`, 'editor', scheduled)).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, soon + 50 - Date.now()));
    const card = (await page('/', 'editor')).querySelector(`#content-${scheduled}`);
    expect(card).not.toBeNull();
    expect(card!.querySelector('.content-badge--scheduled')).toBeNull();
    expect(card!.querySelector('.content-badge--new')).toBeNull();
  });

  it('drops the pinned badge and the pinned list once the pin expires', async () => {
    const until = Date.now() + 400;
    await c.app.db.updateTable('content').set({ pinned_until: until }).where('id', '=', post).execute();
    const before = await page('/', 'editor');
    expect(before.querySelector(`.feed-top--pinned #content-${post}`)).not.toBeNull();
    expect(before.querySelector(`#content-${post} .content-badge--pinned`)).not.toBeNull();
    const onSpace = await page(`/spaces/${c.open}`, 'editor');
    expect(onSpace.querySelector(`#content-${post} .content-badge--pinned`)).not.toBeNull();
    await new Promise((resolve) => setTimeout(resolve, until + 50 - Date.now()));
    const after = await page('/', 'editor');
    expect(after.querySelector('.feed-top--pinned')).toBeNull();
    expect(after.querySelector(`#content-${post} .content-badge--pinned`)).toBeNull();
    expect((await page(`/spaces/${c.open}`, 'editor')).querySelector(`#content-${post} .content-badge--pinned`)).toBeNull();
  });
});

describe('writes outside the forms', () => {
  it('forgets an item the purge removes for good', async () => {
    expect(await shows('/', 'editor', post)).toBe(true);
    expect((await c.get(`/content/${post}`, 'admin')).statusCode).toBe(200);
    const longAgo = Date.now() - 40 * 24 * 60 * 60 * 1000;
    await c.app.db.updateTable('content').set({ deleted_at: longAgo, deleted_by: c.ids.member }).where('id', '=', post).execute();
    await purgeExpiredContent(c.app.db, { removeFiles: async () => {} });
    expect(await c.app.db.selectFrom('content').select('id').where('id', '=', post).executeTakeFirst()).toBeUndefined();
    expect(await shows('/', 'editor', post)).toBe(false);
    expect((await c.get(`/content/${post}`, 'admin')).statusCode).toBe(404);
  });

  it('shows an erased member as a former member on their kept cards', async () => {
    const before = (await page('/', 'editor')).querySelector(`#content-${post} .content-meta__author`)!;
    expect(before.text).toBe('Bruno Petit');
    // Only a deactivated member is erased.
    expect((await c.post(`/admin/members/${c.ids.member}/deactivate`, 'admin')).statusCode).toBe(303);
    const erased = await c.post(`/admin/members/${c.ids.member}/erase`, 'admin', { email: 'bruno@example.com' });
    expect(erased.statusCode).toBe(303);
    const after = (await page('/', 'editor')).querySelector(`#content-${post} .content-meta__author`);
    expect(after?.text ?? '').not.toContain('Bruno Petit');
  });

  it('shows a space renamed by another connection (a command-line tool)', async () => {
    expect((await page('/', 'editor')).querySelector(`#content-${post} .content-meta__space`)!.text).toBe('Workshop');
    const other = new SQLite(path.join(c.t.dataDir, 'hameau.db'));
    other.prepare('update spaces set name = ? where id = ?').run('Atelier', c.open);
    other.close();
    expect((await page('/', 'editor')).querySelector(`#content-${post} .content-meta__space`)!.text).toBe('Atelier');
  });
});

describe('a member of very many spaces', () => {
  // Joining open spaces is anyone's right: the home feed merges one arm per space, and SQLite refuses
  // a compound SELECT of more than 500 terms (SQLITE_MAX_COMPOUND_SELECT).
  it('still gets their home feed', async () => {
    const now = Date.now();
    const spaces = await c.app.db
      .insertInto('spaces')
      .values(Array.from({ length: 520 }, (_, i) => ({ name: `Club ${i}`, sort_name: `club ${i}`, visibility: 'open' as const, created_by: null, created_at: now, updated_at: now })))
      .returning('id')
      .execute();
    await c.app.db
      .insertInto('space_members')
      .values(spaces.map(({ id }) => ({ space_id: id, user_id: c.ids.editor, role: 'member' as const, joined_at: now })))
      .execute();
    const response = await c.get('/', 'editor');
    expect(response.statusCode).toBe(200);
    expect(html(response).querySelector(`#content-${post}`)).not.toBeNull();
  });
});

describe('the feed’s fast path, asked every way', () => {
  it('answers every filter for everyone, and never lists a private space’s item to a non-member', async () => {
    const secret = await createPost(c.app, { spaceId: c.secret, authorId: c.ids.spaceAdmin, body: 'Board minutes #workshop' });
    const secretMustRead = await createArticle(c.app, { spaceId: c.secret, authorId: c.ids.admin, title: 'Board rules', body: 'Read', mustRead: true });
    const pinned = await createPost(c.app, { spaceId: c.secret, authorId: c.ids.spaceAdmin, body: 'Pinned minutes', pinnedUntil: Date.now() + 3_600_000 });
    const hidden = [secret, secretMustRead, pinned];
    const spaces = [c.company, c.open, c.secret, 999_999];
    const urls = [
      '/',
      '/?filter=must-read',
      '/?kind=post',
      '/?kind=news',
      '/?topic=workshop',
      ...spaces.flatMap((s) => [`/?space=${s}`, `/?space=${s}&kind=post`, `/?space=${s}&filter=must-read`, `/?space=${s}&topic=workshop`]),
    ];
    for (const who of ['admin', 'editor', 'member', 'spaceAdmin', 'outsider'] as const) {
      for (const url of urls) {
        for (const headers of [{}, PARTIAL]) {
          const response = await c.get(url, who, headers);
          expect(response.statusCode, `${who} ${url}`).toBe(200);
          const ids = html(response).querySelectorAll('article.content-card').map((a) => Number(a.id.replace('content-', '')));
          if (who === 'editor' || who === 'outsider') for (const id of hidden) expect(ids, `${who} ${url}`).not.toContain(id);
        }
      }
      for (const space of [c.company, c.open]) expect((await c.get(`/spaces/${space}`, who)).statusCode).toBe(200);
    }
    expect(await shows('/', 'member', secret)).toBe(true);
    expect(await shows('/', 'member', pinned)).toBe(true);
  });
});

describe('files on kept cards', () => {
  it('shows an article’s cover once attached, and no cover once it is removed', async () => {
    const article = await createArticle(c.app, { spaceId: c.company, authorId: c.ids.admin, title: 'Our new office', body: 'Pictures' });
    const cover = async () => (await page('/', 'editor')).querySelector(`#content-${article} .news-card__cover img`)?.getAttribute('src') ?? null;
    expect(await cover()).toBeNull();
    const row = await c.app.db
      .insertInto('attachments')
      .values({ uploader_id: c.ids.admin, storage_key: 'cover1', original_name: 'office.png', mime_type: 'image/png', size_bytes: 10, is_image: 1, width: 10, height: 10, content_id: article, comment_id: null, space_id: null, purpose: 'cover', created_at: Date.now() })
      .returning('id')
      .executeTakeFirstOrThrow();
    expect(await cover()).toBe(`/files/${row.id}/preview`);
    await c.app.db.deleteFrom('attachments').where('id', '=', row.id).execute();
    expect(await cover()).toBeNull();
  });
});
