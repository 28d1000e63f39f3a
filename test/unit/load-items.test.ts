// loadItems: what a card receives for each item, for a whole page in a fixed number of queries.
import type { KyselyPlugin } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadItems, type ItemsApp } from '../../src/content/load-items.js';
import { loadViewer, type Viewer } from '../../src/policy/viewer.js';
import { createTestApp, createUser, setupOrganisation, type TestApp } from '../helpers/app.js';
import { companySpaceId, createArticle, createComment, createPost, createSpace } from '../helpers/content.js';

describe('loadItems', () => {
  let t: TestApp;
  let company: number;
  let bruno: Viewer;
  let carol: Viewer;
  let secret: number;

  async function viewer(id: number): Promise<Viewer> {
    const user = await t.app.db.selectFrom('users').select(['id', 'email', 'name', 'role', 'locale']).where('id', '=', id).executeTakeFirstOrThrow();
    return loadViewer(t.app.db, user, await t.app.organisation.get());
  }

  beforeEach(async () => {
    t = await createTestApp();
    await setupOrganisation(t.app, { locale: 'en' });
    company = await companySpaceId(t.app);
    const brunoId = await createUser(t.app, { email: 'bruno@example.com', name: 'Bruno' });
    const carolId = await createUser(t.app, { email: 'carol@example.com', name: 'Carol' });
    secret = await createSpace(t.app, { name: 'Secret', visibility: 'private', members: [[brunoId, 'member']] });
    bruno = await viewer(brunoId);
    carol = await viewer(carolId);
  });
  afterEach(async () => t.close());

  /** The app as loadItems sees it, with a database that counts the queries it runs. */
  function counting(): { app: ItemsApp; queries: () => number } {
    let count = 0;
    const plugin: KyselyPlugin = {
      transformQuery(args) {
        count++;
        return args.node;
      },
      transformResult: async (args) => args.result,
    };
    return { app: { db: t.app.db.withPlugin(plugin), contentKinds: t.app.contentKinds }, queries: () => count };
  }

  async function page(length: number): Promise<number[]> {
    const ids: number[] = [];
    for (let i = 0; i < length; i++) {
      const id =
        i % 2 === 0
          ? await createPost(t.app, { spaceId: company, authorId: bruno.id, body: `Post ${i} #topic${i % 3}` })
          : await createArticle(t.app, { spaceId: company, authorId: bruno.id, title: `Article ${i}`, body: 'x', mustRead: i % 3 === 0 });
      await createComment(t.app, { contentId: id, authorId: carol.id, body: 'Hi' });
      await t.app.db.insertInto('reactions').values({ content_id: id, user_id: carol.id, reaction: 'like', created_at: Date.now() }).execute();
      ids.push(id);
    }
    return ids;
  }

  it('runs the same number of queries for 5 items as for 50', async () => {
    const ids = await page(50);
    const small = counting();
    const five = await loadItems(small.app, bruno, ids.slice(0, 5));
    const large = counting();
    const fifty = await loadItems(large.app, bruno, ids);
    expect(five).toHaveLength(5);
    expect(fifty).toHaveLength(50);
    expect(large.queries()).toBe(small.queries());
    // Content, two kinds, reactions, comments, attachments, topics, read confirmations.
    expect(large.queries()).toBeLessThanOrEqual(8);
    expect(fifty.every((item) => item.commentCount === 1 && item.reactions[0]?.reaction === 'like')).toBe(true);
  });

  it('keeps the order of the ids and leaves out what the viewer may not see or what does not exist', async () => {
    const a = await createPost(t.app, { spaceId: company, authorId: bruno.id, body: 'A' });
    const b = await createPost(t.app, { spaceId: secret, authorId: bruno.id, body: 'B' });
    const c = await createArticle(t.app, { spaceId: company, authorId: bruno.id, title: 'C', body: 'x' });
    const draft = await createPost(t.app, { spaceId: company, authorId: bruno.id, body: 'Draft', publishedAt: null });
    const poll = await t.app.db
      .insertInto('content')
      .values({ kind: 'poll', space_id: company, author_id: bruno.id, created_at: 1, updated_at: 1, published_at: 1, edited_at: null, pinned_until: null, deleted_at: null, deleted_by: null, hidden_at: null, hidden_by: null, hidden_reason: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    expect((await loadItems(t.app, bruno, [c, b, 999, a, draft, poll.id, c])).map((i) => i.id)).toEqual([c, b, a, draft]);
    expect((await loadItems(t.app, carol, [c, b, a, draft])).map((i) => i.id)).toEqual([c, a]);
    expect(await loadItems(t.app, carol, [])).toEqual([]);
  });

  it('gathers reactions in the fixed order with the viewer’s own, visible comments, topics, confirmations, marks', async () => {
    const now = Date.now();
    const id = await createArticle(t.app, { spaceId: company, authorId: carol.id, title: 'Rules', body: 'About #Safety and #rules', mustRead: true, pinnedUntil: now + 60_000 });
    for (const [userId, reaction] of [[carol.id, 'wow'], [bruno.id, 'wow'], [carol.id, 'like'], [bruno.id, 'party'], [carol.id, 'unknown']] as const) {
      await t.app.db.insertInto('reactions').values({ content_id: id, user_id: userId, reaction, created_at: now }).execute();
    }
    await createComment(t.app, { contentId: id, authorId: bruno.id, body: 'One' });
    const deleted = await createComment(t.app, { contentId: id, authorId: bruno.id, body: 'Two' });
    const hidden = await createComment(t.app, { contentId: id, authorId: bruno.id, body: 'Three' });
    await t.app.db.updateTable('comments').set({ deleted_at: now }).where('id', '=', deleted).execute();
    await t.app.db.updateTable('comments').set({ hidden_at: now }).where('id', '=', hidden).execute();
    await t.app.db.insertInto('read_confirmations').values({ content_id: id, user_id: bruno.id, confirmed_at: now - 5 }).execute();
    await t.app.db.updateTable('content').set({ published_at: now - 1000 }).where('id', '=', id).execute();

    const [item] = await loadItems(t.app, bruno, [id], { previousVisitAt: now - 2000, now });
    expect(item!.reactions).toEqual([
      { reaction: 'like', count: 1, mine: false },
      { reaction: 'party', count: 1, mine: true },
      { reaction: 'wow', count: 2, mine: true },
    ]);
    expect(item!.commentCount).toBe(1);
    expect(item!.topics).toEqual([
      { slug: 'rules', label: 'rules' },
      { slug: 'safety', label: 'Safety' },
    ]);
    expect(item!.confirmedAt).toBe(now - 5);
    expect(item!.isNew).toBe(true);
    expect(item!.isPinned).toBe(true);
    expect(item!.author).toEqual({ id: carol.id, name: 'Carol', active: true });
    expect(item!.space).toEqual({ id: company, name: 'Acme', visibility: 'company' });
    expect(item!.kind.kind).toBe('news');
    expect((item!.data as { title: string }).title).toBe('Rules');

    // For Carol, her own item is not new, and she has not confirmed it.
    const [own] = await loadItems(t.app, carol, [id], { previousVisitAt: now - 2000, now });
    expect(own!.isNew).toBe(false);
    expect(own!.confirmedAt).toBeNull();
    // Published before the previous visit, or no previous visit: not new. Pinned until a past date: not pinned.
    expect((await loadItems(t.app, bruno, [id], { previousVisitAt: now - 500, now }))[0]!.isNew).toBe(false);
    expect((await loadItems(t.app, bruno, [id], { now }))[0]!.isNew).toBe(false);
    expect((await loadItems(t.app, bruno, [id], { now: now + 120_000 }))[0]!.isPinned).toBe(false);
  });
});
