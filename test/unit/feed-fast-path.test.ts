// The feed's id queries take the policy's fast path where the spaces are known (the home feed's merge,
// one space the viewer belongs to, the must-reads and pinned items on top) and the general rule
// elsewhere: whichever they take, every page lists exactly what the general rule (visibleContent)
// lists, in feed order, for every viewer and every way kinds can be switched off.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { homeSpaceIds, listFeedIds, pinnedItemIds, unconfirmedMustReads, type FeedFilter } from '../../src/features/feed/queries.js';
import type { Viewer } from '../../src/policy/viewer.js';
import { readKindsOff, visibleContent } from '../../src/policy/visible-content.js';
import { createTestApp, createUser, setupOrganisation, type TestApp } from '../helpers/app.js';
import { companySpaceId, contentRow, createSpace } from '../helpers/content.js';
import { viewerOf as viewerOfUser } from '../helpers/news.js';

describe('the feed lists what the general rule lists', () => {
  let t: TestApp;
  let ids: Record<'member' | 'outsider' | 'otherSpace' | 'leaver', number>;
  let spaces: Record<'company' | 'open' | 'secret' | 'other' | 'notJoined' | 'wasOpen', number>;

  const viewerOf = (id: number) => viewerOfUser(t.app, id);

  beforeAll(async () => {
    t = await createTestApp();
    await setupOrganisation(t.app, { locale: 'en' });
    ids = {
      member: await createUser(t.app, { email: 'member@example.com' }),
      outsider: await createUser(t.app, { email: 'outsider@example.com' }),
      otherSpace: await createUser(t.app, { email: 'other@example.com', role: 'editor' }),
      leaver: await createUser(t.app, { email: 'leaver@example.com' }),
    };
    spaces = {
      company: await companySpaceId(t.app),
      open: await createSpace(t.app, { name: 'Open', visibility: 'open', members: [[ids.member, 'member']] }),
      secret: await createSpace(t.app, { name: 'Secret', visibility: 'private', members: [[ids.member, 'admin']] }),
      other: await createSpace(t.app, { name: 'Other', visibility: 'private', members: [[ids.otherSpace, 'member']] }),
      notJoined: await createSpace(t.app, { name: 'Not joined', visibility: 'open', members: [[ids.otherSpace, 'member']] }),
      wasOpen: await createSpace(t.app, { name: 'Was open', visibility: 'open', members: [[ids.leaver, 'member']] }),
    };
    const now = Date.now();
    const states = [
      {},
      {},
      { published_at: null },
      { published_at: now + 3_600_000 },
      { hidden_at: now - 10, hidden_by: 1, hidden_reason: 'Reason' },
      { deleted_at: now - 10, deleted_by: 1 },
      { must_read: 1 },
      { must_read: 1, author_id: ids.member },
      { must_read: 1, published_at: now + 3_600_000 },
      { pinned_until: now + 3_600_000 },
      { pinned_until: now - 10 },
      { pinned_until: now + 3_600_000, hidden_at: now - 10 },
    ];
    let n = 0;
    for (const spaceId of Object.values(spaces)) {
      for (const kind of ['post', 'news']) {
        for (const state of states) {
          n++;
          await t.app.db
            .insertInto('content')
            // Distinct times, some shared: the order's tie-break (id) is checked too.
            .values(contentRow(spaceId, ids.otherSpace, { kind, created_at: now - 100_000, updated_at: now - 100_000, published_at: now - 100_000 + Math.floor(n / 2) * 100, ...state }, now))
            .execute();
        }
      }
    }
    // One must-read the member confirmed: not theirs to confirm any more.
    const confirmed = await t.app.db.selectFrom('content').select('id').where('must_read', '=', 1).where('space_id', '=', spaces.open).executeTakeFirstOrThrow();
    await t.app.db.insertInto('read_confirmations').values({ content_id: confirmed.id, user_id: ids.member, confirmed_at: now }).execute();
  });
  afterAll(async () => t.close());

  /** What the general rule lists for a filter, newest first. */
  const expected = async (viewer: Viewer, now: number, filter: FeedFilter): Promise<number[]> => {
    const kinds = filter.kind !== undefined ? [filter.kind] : t.app.contentKinds.all().map((k) => k.kind);
    let query = visibleContent(t.app.db, viewer, now).select('c.id').where('c.kind', 'in', kinds);
    if (filter.spaceId !== undefined) query = query.where('c.space_id', '=', filter.spaceId);
    else if (filter.scope === 'home') query = query.where('c.space_id', 'in', await homeSpaceIds(t.app.db, viewer));
    if (filter.authorId !== undefined) query = query.where('c.author_id', '=', filter.authorId);
    if (filter.unconfirmedMustRead) {
      query = query
        .where('c.must_read', '=', 1)
        .where((eb) => eb.or([eb('c.author_id', 'is', null), eb('c.author_id', '!=', viewer.id)]))
        .where((eb) => eb.not(eb.exists(eb.selectFrom('read_confirmations as rc').select('rc.user_id').whereRef('rc.content_id', '=', 'c.id').where('rc.user_id', '=', viewer.id))));
    }
    return (await query.orderBy('c.published_at', 'desc').orderBy('c.id', 'desc').execute()).map((r) => r.id);
  };

  /** Every page of a feed, 4 items at a time, as one list. */
  const allPages = async (viewer: Viewer, now: number, filter: FeedFilter): Promise<number[]> => {
    const listed: number[] = [];
    let after: string | undefined;
    for (let page = 0; page < 100; page++) {
      const { ids: pageIds, next } = await listFeedIds(t.app, viewer, { ...filter, limit: 4, ...(after ? { after } : {}) }, now);
      listed.push(...pageIds);
      if (next === null) return listed;
      after = next;
    }
    throw new Error('too many pages');
  };

  const agree = async (viewer: Viewer): Promise<number> => {
    const now = Date.now();
    const filters: FeedFilter[] = [
      { scope: 'home' },
      { scope: 'home', kind: 'news' },
      { scope: 'home', unconfirmedMustRead: true },
      { scope: 'home', authorId: ids.member },
      { scope: 'all' },
      ...Object.values(spaces).map((spaceId) => ({ spaceId })),
      { spaceId: spaces.open, kind: 'post' },
    ];
    let listed = 0;
    for (const filter of filters) {
      const want = await expected(viewer, now, filter);
      expect(await allPages(viewer, now, filter), JSON.stringify(filter)).toEqual(want);
      listed += want.length;
    }
    // The first page with the items on top left out, read once for the request as the home feed does.
    const home = await expected(viewer, now, { scope: 'home' });
    const { ids: firstPage } = await listFeedIds(t.app, viewer, { scope: 'home', limit: 4, excludeIds: home.slice(1, 3) }, now, await readKindsOff(t.app.db));
    expect(firstPage).toEqual([home[0], ...home.slice(3, 6)].filter((id) => id !== undefined));

    const mustReads = await expected(viewer, now, { scope: 'home', unconfirmedMustRead: true });
    expect(await unconfirmedMustReads(t.app, viewer, 2, now)).toEqual({ ids: mustReads.slice(0, 2), total: mustReads.length });
    const pinned = (
      await visibleContent(t.app.db, viewer, now)
        .select('c.id')
        .where('c.pinned_until', '>', now)
        .where('c.space_id', 'in', await homeSpaceIds(t.app.db, viewer))
        .where('c.kind', 'in', t.app.contentKinds.all().map((k) => k.kind))
        .orderBy('c.published_at', 'desc')
        .orderBy('c.id', 'desc')
        .execute()
    ).map((r) => r.id);
    expect(await pinnedItemIds(t.app, viewer, 10, now)).toEqual(pinned);
    return listed + mustReads.length + pinned.length;
  };

  const configurations: Array<[string, Array<{ kind: string; space: keyof typeof spaces | 0 }>]> = [
    ['no kind off', []],
    ['posts off in the open space', [{ kind: 'post', space: 'open' }]],
    ['news off everywhere', [{ kind: 'news', space: 0 }]],
    ['posts off in the private and company spaces, news in the space not joined', [{ kind: 'post', space: 'secret' }, { kind: 'post', space: 'company' }, { kind: 'news', space: 'notJoined' }]],
    ['both kinds off everywhere', [{ kind: 'post', space: 0 }, { kind: 'news', space: 0 }]],
  ];

  it.each(configurations)('%s', async (_name, off) => {
    const db = t.app.db;
    // What the plugin runtime wrote (its disabled plugins' kinds), put back afterwards.
    const written = await db.selectFrom('content_kinds_off').selectAll().execute();
    try {
      if (off.length > 0) {
        await db.insertInto('content_kinds_off').values(off.map(({ kind, space }) => ({ kind, space_id: space === 0 ? 0 : spaces[space] }))).execute();
      }
      const listed = [];
      for (const id of [1, ...Object.values(ids)]) listed.push(await agree(await viewerOf(id)));
      if (off.length === 0 || off.some((o) => o.space !== 0)) for (const count of listed) expect(count).toBeGreaterThan(0);
    } finally {
      await db.deleteFrom('content_kinds_off').execute();
      if (written.length > 0) await db.insertInto('content_kinds_off').values(written).execute();
    }
  });

  it('after a viewer left a space that then turned private: none of it, on any list', async () => {
    const db = t.app.db;
    const before = await viewerOf(ids.leaver);
    expect((await listFeedIds(t.app, before, { scope: 'home' })).ids.length).toBeGreaterThan(0);
    const wasOpenItems = new Set((await db.selectFrom('content').select('id').where('space_id', '=', spaces.wasOpen).execute()).map((r) => r.id));
    await db.deleteFrom('space_members').where('space_id', '=', spaces.wasOpen).where('user_id', '=', ids.leaver).execute();
    await db.updateTable('spaces').set({ visibility: 'private' }).where('id', '=', spaces.wasOpen).execute();
    try {
      const after = await viewerOf(ids.leaver);
      await agree(after);
      const now = Date.now();
      const lists = [
        await allPages(after, now, { scope: 'home' }),
        await allPages(after, now, { spaceId: spaces.wasOpen }),
        await allPages(after, now, { scope: 'all' }),
        (await unconfirmedMustReads(t.app, after, 10, now)).ids,
        await pinnedItemIds(t.app, after, 10, now),
      ];
      for (const list of lists) for (const id of list) expect(wasOpenItems.has(id)).toBe(false);
      expect(lists[1]).toEqual([]);
    } finally {
      await db.updateTable('spaces').set({ visibility: 'open' }).where('id', '=', spaces.wasOpen).execute();
      await db.insertInto('space_members').values({ space_id: spaces.wasOpen, user_id: ids.leaver, role: 'member', joined_at: Date.now() }).execute();
    }
  });
});
