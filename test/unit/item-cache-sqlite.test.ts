// loadItems with the item cache on a real connection: after any write to what an item is made of, by
// any path (this connection, another one), what it hands out is exactly what loadItems reads without
// the cache (the general rule), for every viewer; a load overtaken by a write keeps nothing stale.
import path from 'node:path';
import SQLite from 'better-sqlite3';
import type { KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itemCacheOf } from '../../src/content/item-cache.js';
import { ContentKinds, type ContentKind } from '../../src/content/kinds.js';
import { loadItems, type ItemsApp } from '../../src/content/load-items.js';
import { newsKind } from '../../src/features/news/kind.js';
import { postKind, type Post } from '../../src/features/posts/kind.js';
import type { Viewer } from '../../src/policy/viewer.js';
import { viewerOf } from '../helpers/news.js';
import { createTestApp, createUser, setupOrganisation, type TestApp } from '../helpers/app.js';
import { companySpaceId, createArticle, createComment, createPost, createSpace } from '../helpers/content.js';

const noop: KyselyPlugin = { transformQuery: (args) => args.node, transformResult: async (args) => args.result };

describe('loadItems with the item cache', () => {
  let t: TestApp;
  let ids: { dora: number; bruno: number; carol: number };
  let spaces: { company: number; open: number; secret: number };
  let items: { post: number; article: number; open: number; secret: number; scheduled: number; deleted: number };
  let comment: number;
  let viewers: Record<'admin' | 'bruno' | 'carol', Viewer>;
  /** The same application without a cache: what the general rule gives. */
  let uncached: ItemsApp;

  const viewer = (id: number): Promise<Viewer> => viewerOf(t.app, id);
  const allIds = () => Object.values(items);
  const now = Date.now();
  const options = { previousVisitAt: now - 60_000, now };

  beforeAll(async () => {
    t = await createTestApp();
    await setupOrganisation(t.app, { locale: 'en' });
    const company = await companySpaceId(t.app);
    const dora = await createUser(t.app, { email: 'dora@example.com', name: 'Dora' });
    const bruno = await createUser(t.app, { email: 'bruno@example.com', name: 'Bruno' });
    const carol = await createUser(t.app, { email: 'carol@example.com', name: 'Carol' });
    const open = await createSpace(t.app, { name: 'Workshop', visibility: 'open', members: [[bruno, 'member']] });
    const secret = await createSpace(t.app, { name: 'Board', visibility: 'private', members: [[bruno, 'member']] });
    ids = { dora, bruno, carol };
    spaces = { company, open, secret };
    const post = await createPost(t.app, { spaceId: company, authorId: dora, body: 'Hello #alpha' });
    const article = await createArticle(t.app, { spaceId: company, authorId: carol, title: 'Rules', body: 'Read me', mustRead: true });
    items = {
      post,
      article,
      open: await createPost(t.app, { spaceId: open, authorId: bruno, body: 'Workshop talk' }),
      secret: await createPost(t.app, { spaceId: secret, authorId: bruno, body: 'Board secret' }),
      scheduled: await createPost(t.app, { spaceId: company, authorId: bruno, body: 'Later', publishedAt: now + 3_600_000 }),
      deleted: await createPost(t.app, { spaceId: company, authorId: bruno, body: 'Gone' }),
    };
    comment = await createComment(t.app, { contentId: post, authorId: carol, body: 'First' });
    await t.app.db.updateTable('content').set({ deleted_at: now }).where('id', '=', items.deleted).execute();
    await t.app.db.insertInto('reactions').values({ content_id: post, user_id: bruno, reaction: 'heart', created_at: now }).execute();
    await t.app.db.insertInto('read_confirmations').values({ content_id: article, user_id: bruno, confirmed_at: now - 5 }).execute();
    viewers = { admin: await viewer(1), bruno: await viewer(bruno), carol: await viewer(carol) };
    uncached = { db: t.app.db.withPlugin(noop), contentKinds: t.app.contentKinds };
  });
  afterAll(async () => t.close());

  /** Every viewer's items, from the cache (warmed first) and from the general rule. */
  async function both(): Promise<{ cached: unknown; general: unknown }> {
    const cached: Record<string, unknown> = {};
    const general: Record<string, unknown> = {};
    for (const [name, v] of Object.entries(viewers)) {
      cached[name] = await loadItems(t.app, v, allIds(), options);
      general[name] = await loadItems(uncached, v, allIds(), options);
    }
    return { cached, general };
  }

  it('keeps what it read, and hands out fresh items sharing frozen data', async () => {
    const first = await loadItems(t.app, viewers.bruno, [items.post], options);
    const second = await loadItems(t.app, viewers.bruno, [items.post], options);
    expect(itemCacheOf(t.app.db)!.cache.get(items.post)).toBeDefined();
    expect(second[0]).not.toBe(first[0]);
    expect(second[0]!.data).toBe(first[0]!.data);
    expect(Object.isFrozen(second[0]!.data)).toBe(true);
    expect(Object.isFrozen(second[0]!.subject)).toBe(true);
    expect(second).toEqual(first);
  });

  it('gives each viewer their own confirmation and reactions on a kept item', async () => {
    await loadItems(t.app, viewers.bruno, [items.post, items.article], options);
    const [post, article] = await loadItems(t.app, viewers.carol, [items.post, items.article], options);
    expect(post!.reactions).toEqual([{ reaction: 'heart', count: 1, mine: false }]);
    expect(article!.confirmedAt).toBeNull();
    const [brunoPost, brunoArticle] = await loadItems(t.app, viewers.bruno, [items.post, items.article], options);
    expect(brunoPost!.reactions).toEqual([{ reaction: 'heart', count: 1, mine: true }]);
    expect(brunoArticle!.confirmedAt).toBe(now - 5);
  });

  const changes: Array<[string, () => Promise<unknown>]> = [
    ['a comment added', () => createComment(t.app, { contentId: items.post, authorId: ids.bruno, body: 'Second' })],
    ['a comment hidden', () => t.app.db.updateTable('comments').set({ hidden_at: now }).where('id', '=', comment).execute()],
    ['a comment shown again', () => t.app.db.updateTable('comments').set({ hidden_at: null }).where('id', '=', comment).execute()],
    ['a comment deleted', () => t.app.db.updateTable('comments').set({ deleted_at: now }).where('id', '=', comment).execute()],
    ['a comment purged', () => t.app.db.deleteFrom('comments').where('content_id', '=', items.post).execute()],
    ['a reaction', () => t.app.db.insertInto('reactions').values({ content_id: items.post, user_id: ids.carol, reaction: 'like', created_at: now }).execute()],
    ['a reaction taken back', () => t.app.db.deleteFrom('reactions').where('content_id', '=', items.post).where('user_id', '=', ids.bruno).execute()],
    ['a post edited', () => t.app.db.updateTable('posts').set({ body_html: '<p>Edited</p>' }).where('content_id', '=', items.post).execute()],
    ['an item marked edited', () => t.app.db.updateTable('content').set({ edited_at: now }).where('id', '=', items.post).execute()],
    ['an article retitled', () => t.app.db.updateTable('news_articles').set({ title: 'New rules' }).where('content_id', '=', items.article).execute()],
    ['an attachment', () => attach(items.post, 'file', 0)],
    ['an article’s cover', () => attach(items.article, 'cover', 1)],
    ['an attachment removed', () => t.app.db.deleteFrom('attachments').where('content_id', '=', items.post).execute()],
    [
      'a topic',
      async () => {
        const topic = await t.app.db.insertInto('topics').values({ slug: 'beta', label: 'Beta', created_at: now }).returning('id').executeTakeFirstOrThrow();
        await t.app.db.insertInto('content_topics').values({ topic_id: topic.id, content_id: items.post }).execute();
      },
    ],
    ['a topic renamed', () => t.app.db.updateTable('topics').set({ label: 'Alpha!' }).where('slug', '=', 'alpha').execute()],
    ['a space renamed', () => t.app.db.updateTable('spaces').set({ name: 'Acme Corp' }).where('id', '=', spaces.company).execute()],
    ['an open space made private', () => t.app.db.updateTable('spaces').set({ visibility: 'private' }).where('id', '=', spaces.open).execute()],
    ['an author renamed', () => t.app.db.updateTable('users').set({ name: 'Dora D.' }).where('id', '=', ids.dora).execute()],
    ['an author deactivated', () => t.app.db.updateTable('users').set({ status: 'deactivated' }).where('id', '=', ids.dora).execute()],
    ['an item hidden', () => t.app.db.updateTable('content').set({ hidden_at: now, hidden_reason: 'spam' }).where('id', '=', items.article).execute()],
    ['a scheduled item published', () => t.app.db.updateTable('content').set({ published_at: now - 10 }).where('id', '=', items.scheduled).execute()],
    ['a kind switched off in a space', () => t.app.db.insertInto('content_kinds_off').values({ kind: 'post', space_id: spaces.secret }).execute()],
    ['a kind switched off everywhere', () => t.app.db.insertInto('content_kinds_off').values({ kind: 'news', space_id: 0 }).execute()],
    ['a kind switched on again', () => t.app.db.deleteFrom('content_kinds_off').execute()],
    ['an item deleted for good', () => t.app.db.deleteFrom('content').where('id', '=', items.open).execute()],
  ];

  async function attach(contentId: number, purpose: 'file' | 'cover', isImage: number): Promise<void> {
    await t.app.db
      .insertInto('attachments')
      .values({
        uploader_id: ids.bruno,
        storage_key: `key-${contentId}-${purpose}`,
        original_name: 'plan.png',
        mime_type: 'image/png',
        size_bytes: 10,
        is_image: isImage,
        width: null,
        height: null,
        content_id: contentId,
        comment_id: null,
        space_id: null,
        purpose,
        created_at: now,
      })
      .execute();
  }

  it.each(changes)('shows %s at once, to every viewer, as the general rule does', async (_name, change) => {
    const before = await both();
    expect(before.cached).toEqual(before.general);
    await both(); // warm: every item of every viewer now comes from the cache
    await change();
    const after = await both();
    expect(after.general).not.toEqual(before.general);
    expect(after.cached).toEqual(after.general);
  });

  it('ignores writes that change nothing an item shows', async () => {
    await both();
    const kept = itemCacheOf(t.app.db)!.cache.size;
    await t.app.db.updateTable('spaces').set({ description: 'About us' }).where('id', '=', spaces.company).execute();
    await t.app.db.updateTable('users').set({ job_title: 'Baker' }).where('id', '=', ids.dora).execute();
    await t.app.db.updateTable('comments').set({ body: 'Edited comment' }).execute();
    expect(itemCacheOf(t.app.db)!.cache.size).toBe(kept);
  });

  it('sees a write from another connection on the next load', async () => {
    await both();
    const other = new SQLite(path.join(t.dataDir, 'hameau.db'));
    other.prepare('update posts set body_html = ? where content_id = ?').run('<p>From the CLI</p>', items.post);
    other.close();
    const [post] = await loadItems(t.app, viewers.bruno, [items.post], options);
    expect((post!.data as Post).bodyHtml).toBe('<p>From the CLI</p>');
  });

  /** The app with the post kind's load running `write` right after it read: a write between the load's queries and its store. */
  function overtaken(write: () => Promise<void> | void): ItemsApp {
    const kinds = new ContentKinds();
    kinds.register({
      ...postKind,
      load: async (db, contentIds) => {
        const read = await postKind.load(db, contentIds);
        await write();
        return read;
      },
    });
    kinds.register(newsKind);
    return { db: t.app.db, contentKinds: kinds };
  }

  it('keeps nothing a write overtook, on this connection or another', async () => {
    await t.app.db.updateTable('posts').set({ body_html: '<p>Before</p>' }).where('content_id', '=', items.post).execute();
    const racing = overtaken(() => t.app.db.updateTable('posts').set({ body_html: '<p>After</p>' }).where('content_id', '=', items.post).execute().then(() => undefined));
    const [stale] = await loadItems(racing, viewers.bruno, [items.post], options);
    expect((stale!.data as Post).bodyHtml).toBe('<p>Before</p>');
    const [next] = await loadItems(t.app, viewers.bruno, [items.post], options);
    expect((next!.data as Post).bodyHtml).toBe('<p>After</p>');

    const viaCli = overtaken(() => {
      const other = new SQLite(path.join(t.dataDir, 'hameau.db'));
      other.prepare('update posts set body_html = ? where content_id = ?').run('<p>CLI</p>', items.post);
      other.close();
    });
    await t.app.db.updateTable('posts').set({ body_html: '<p>Before</p>' }).where('content_id', '=', items.post).execute();
    expect(((await loadItems(viaCli, viewers.bruno, [items.post], options))[0]!.data as Post).bodyHtml).toBe('<p>Before</p>');
    expect(((await loadItems(t.app, viewers.bruno, [items.post], options))[0]!.data as Post).bodyHtml).toBe('<p>CLI</p>');
  });

  describe('a kind’s own tables', () => {
    interface Note {
      text: string;
    }
    const loadNotes = (table: string) => async (_db: unknown, contentIds: readonly number[]) => {
      const rows = t.app.sqlite.prepare(`select content_id, text from ${table} where content_id in (${contentIds.map(Number).join(',')})`).all() as Array<{ content_id: number; text: string }>;
      return new Map(rows.map((row): [number, Note] => [row.content_id, { text: row.text }]));
    };
    const noteKind = (kind: string, table: string, declared: boolean): ContentKind<Note> => ({
      kind,
      load: loadNotes(table),
      ...(declared ? { dataTables: [{ table, column: 'content_id' }] } : {}),
      cardTemplate: 'posts/card',
      pageTemplate: 'posts/page',
      title: (note) => note.text,
      searchText: (note) => ({ title: note.text, body: '' }),
      editUrl: () => '/',
    });
    async function note(kind: string, table: string): Promise<number> {
      t.app.sqlite.exec(`create table if not exists ${table} (content_id integer primary key, text text not null)`);
      const row = await t.app.db
        .insertInto('content')
        .values({ kind, space_id: spaces.company, author_id: ids.bruno, created_at: now, updated_at: now, published_at: now - 1, edited_at: null, pinned_until: null, deleted_at: null, deleted_by: null, hidden_at: null, hidden_by: null, hidden_reason: null })
        .returning('id')
        .executeTakeFirstOrThrow();
      t.app.sqlite.prepare(`insert into ${table} (content_id, text) values (?, 'one')`).run(row.id);
      return row.id;
    }
    const textOf = async (app: ItemsApp, id: number) => ((await loadItems(app, viewers.bruno, [id], options))[0]!.data as Note).text;

    it('reads the data of a kind that does not declare its tables on every load', async () => {
      const id = await note('plain-note', 'plain_notes');
      const kinds = new ContentKinds();
      kinds.register(noteKind('plain-note', 'plain_notes', false));
      const app: ItemsApp = { db: t.app.db, contentKinds: kinds };
      expect(await textOf(app, id)).toBe('one');
      expect(await textOf(app, id)).toBe('one');
      expect(itemCacheOf(t.app.db)!.cache.get(id)?.data).toBeUndefined();
      t.app.sqlite.prepare(`update plain_notes set text = 'two' where content_id = ?`).run(id);
      expect(await textOf(app, id)).toBe('two');
    });

    it('watches the tables a kind declares, created after the start, and again once they are made anew', async () => {
      const id = await note('kept-note', 'kept_notes');
      const kinds = new ContentKinds();
      kinds.register(noteKind('kept-note', 'kept_notes', true));
      const app: ItemsApp = { db: t.app.db, contentKinds: kinds };
      expect(await textOf(app, id)).toBe('one');
      expect(await textOf(app, id)).toBe('one');
      expect(itemCacheOf(t.app.db)!.cache.get(id)?.data).toEqual({ value: { text: 'one' } });
      t.app.sqlite.prepare(`update kept_notes set text = 'two' where content_id = ?`).run(id);
      expect(await textOf(app, id)).toBe('two');

      // Dropping a table drops its triggers: the schema change has them made again.
      t.app.sqlite.exec(`drop table kept_notes`);
      t.app.sqlite.exec(`create table kept_notes (content_id integer primary key, text text not null)`);
      t.app.sqlite.prepare(`insert into kept_notes (content_id, text) values (?, 'three')`).run(id);
      expect(await textOf(app, id)).toBe('three');
      expect(await textOf(app, id)).toBe('three');
      t.app.sqlite.prepare(`update kept_notes set text = 'four' where content_id = ?`).run(id);
      expect(await textOf(app, id)).toBe('four');
    });
  });
});
