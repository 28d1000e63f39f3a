// visibleContent (the SQL every list uses) and seesContent (the rule for one item) must agree: a list
// never shows what the rule refuses, and shows every published, unhidden, undeleted item the rule allows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadContentSubjects } from '../../src/content/subjects.js';
import { seesContent } from '../../src/policy/content-rules.js';
import { loadViewer, type Viewer } from '../../src/policy/viewer.js';
import {
  compiledForViewer,
  contentInKnownSpaces,
  contentVisibleWith,
  knownSpaces,
  knownTogether,
  readKindsOff,
  visibilityOf,
  visibleContent,
} from '../../src/policy/visible-content.js';
import { createTestApp, createUser, setupOrganisation, type TestApp } from '../helpers/app.js';
import { companySpaceId, contentRow, createSpace } from '../helpers/content.js';
import { viewerOf as viewerOfUser } from '../helpers/news.js';

describe('visibleContent agrees with seesContent', () => {
  let t: TestApp;
  const viewers: Record<string, Viewer> = {};
  let itemIds: number[] = [];

  beforeAll(async () => {
    t = await createTestApp();
    await setupOrganisation(t.app, { locale: 'en' });
    const db = t.app.db;
    const ids = {
      admin: 1,
      editor: await createUser(t.app, { email: 'editor@example.com', role: 'editor' }),
      member: await createUser(t.app, { email: 'member@example.com' }),
      spaceAdmin: await createUser(t.app, { email: 'spaceadmin@example.com' }),
      outsider: await createUser(t.app, { email: 'outsider@example.com' }),
      otherSpace: await createUser(t.app, { email: 'other@example.com' }),
    };
    const company = await companySpaceId(t.app);
    const open = await createSpace(t.app, { name: 'Open', visibility: 'open', members: [[ids.member, 'member']] });
    const secret = await createSpace(t.app, { name: 'Secret', visibility: 'private', members: [[ids.member, 'member'], [ids.spaceAdmin, 'admin']] });
    const other = await createSpace(t.app, { name: 'Other secret', visibility: 'private', members: [[ids.otherSpace, 'admin'], [ids.editor, 'member']] });

    const now = Date.now();
    const states = {
      published: {},
      draft: { published_at: null },
      scheduled: { published_at: now + 3_600_000 },
      hidden: { hidden_at: now - 10, hidden_by: 1, hidden_reason: 'Reason' },
      deleted: { deleted_at: now - 10, deleted_by: 1 },
      hiddenAndDeleted: { hidden_at: now - 10, deleted_at: now - 5 },
    };
    for (const spaceId of [company, open, secret, other]) {
      for (const authorId of [ids.member, ids.spaceAdmin, ids.outsider, ids.otherSpace, ids.admin, null]) {
        for (const state of Object.values(states)) {
          const row = await db
            .insertInto('content')
            .values(contentRow(spaceId, authorId, state, now))
            .returning('id')
            .executeTakeFirstOrThrow();
          itemIds.push(row.id);
        }
      }
    }
    const organisation = await t.app.organisation.get();
    for (const [name, id] of Object.entries(ids)) {
      const user = await db.selectFrom('users').select(['id', 'email', 'name', 'role', 'locale']).where('id', '=', id).executeTakeFirstOrThrow();
      viewers[name] = await loadViewer(db, user, organisation);
    }
  });
  afterAll(async () => t.close());

  it('covers a real matrix', () => {
    expect(itemIds.length).toBe(4 * 6 * 6);
    expect(Object.keys(viewers)).toHaveLength(6);
  });

  it.each(['admin', 'editor', 'member', 'spaceAdmin', 'outsider', 'otherSpace'])('for the %s', async (name) => {
    const viewer = viewers[name]!;
    const now = Date.now();
    const sqlVisible = new Set((await visibleContent(t.app.db, viewer, now).select('c.id').execute()).map((r) => r.id));
    const subjects = await loadContentSubjects(t.app.db, itemIds);
    expect(subjects).toHaveLength(itemIds.length);
    let listed = 0;
    for (const subject of subjects) {
      const seen = seesContent(viewer, subject);
      const live = subject.publishedAt !== null && subject.publishedAt <= now && subject.hiddenAt === null && subject.deletedAt === null;
      // Listed => seen by the rule.
      if (sqlVisible.has(subject.id)) expect(seen, `item ${subject.id} listed but not seen`).toBe(true);
      // Seen, published, not hidden, not deleted => listed.
      if (seen && live) expect(sqlVisible.has(subject.id), `item ${subject.id} seen but not listed`).toBe(true);
      // Lists never hold anything else.
      if (sqlVisible.has(subject.id)) {
        expect(live).toBe(true);
        listed++;
      }
    }
    expect(listed).toBeGreaterThan(0);
    // The private spaces: an outsider lists none of their items.
    if (name === 'outsider') expect(listed).toBe(2 * 6);
    if (name === 'admin') expect(listed).toBe(4 * 6);
  });

  // The compiled form of the rule (one SQL text for every viewer, their spaces as a parameter) lists
  // the same items, whichever viewer ran it first.
  const listCompiled = compiledForViewer((db, visibility, now: number) => contentVisibleWith(db, visibility, now).select('c.id'));

  it.each(['outsider', 'admin', 'member', 'otherSpace', 'spaceAdmin', 'editor'])('compiled, for the %s', async (name) => {
    const viewer = viewers[name]!;
    const now = Date.now();
    const expected = (await visibleContent(t.app.db, viewer, now).select('c.id').execute()).map((r) => r.id).sort();
    const compiled = (await listCompiled(t.app.db, viewer, now)).map((r) => r.id).sort();
    expect(compiled).toEqual(expected);
    expect(compiled.length).toBeGreaterThan(0);
  });

  // A kind switched off (its plugin disabled: everywhere; or switched off in one space) is neither
  // listed nor seen, for anyone, admins included; the rest stays as it was.
  it('hides the kinds switched off, everywhere or in one space, in the list and in the rule alike', async () => {
    const db = t.app.db;
    const agree = async (viewer: Viewer) => {
      const now = Date.now();
      const listed = new Set((await visibleContent(db, viewer, now).select('c.id').execute()).map((r) => r.id));
      for (const subject of await loadContentSubjects(db, itemIds)) {
        if (listed.has(subject.id)) expect(seesContent(viewer, subject)).toBe(true);
        if (subject.kindOff) expect(seesContent(viewer, subject)).toBe(false);
      }
      return listed;
    };
    const before = await agree(viewers.admin!);
    const openSpace = await db.selectFrom('spaces').select('id').where('name', '=', 'Open').executeTakeFirstOrThrow();
    try {
      await db.insertInto('content_kinds_off').values({ kind: 'post', space_id: openSpace.id }).execute();
      const inOneSpace = await agree(viewers.admin!);
      const openItems = await db.selectFrom('content').select('id').where('space_id', '=', openSpace.id).execute();
      expect(inOneSpace.size).toBe(before.size - 6);
      for (const { id } of openItems) expect(inOneSpace.has(id)).toBe(false);
      expect((await agree(viewers.member!)).size).toBeGreaterThan(0);

      await db.insertInto('content_kinds_off').values({ kind: 'post', space_id: 0 }).execute();
      expect((await agree(viewers.admin!)).size).toBe(0);
      expect((await agree(viewers.member!)).size).toBe(0);
      expect((await listCompiled(db, viewers.member!, Date.now())).length).toBe(0);
    } finally {
      await db.deleteFrom('content_kinds_off').execute();
    }
    expect((await agree(viewers.admin!)).size).toBe(before.size);
  });
});

// The fast path (knownSpaces, knownTogether, contentInKnownSpaces: the rule decided in JS for spaces
// known beforehand) lists exactly what the general rule lists, space by space and for lists of
// spaces, for every viewer and every way kinds can be switched off; and it declines the spaces it
// cannot decide, among them every private space the viewer is not in.
describe('the fast path for known spaces agrees with contentVisibleWith', () => {
  let t: TestApp;
  let ids: Record<'member' | 'outsider' | 'otherSpace' | 'leaver', number>;
  let spaces: Record<'company' | 'open' | 'secret' | 'other' | 'wasOpen', number>;
  const kinds = ['post', 'news'];

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
      wasOpen: await createSpace(t.app, { name: 'Was open', visibility: 'open', members: [[ids.leaver, 'member'], [ids.member, 'member']] }),
    };
    const now = Date.now();
    const states = [
      {},
      { published_at: null },
      { published_at: now + 3_600_000 },
      { hidden_at: now - 10, hidden_by: 1, hidden_reason: 'Reason' },
      { deleted_at: now - 10, deleted_by: 1 },
      { must_read: 1 },
      { pinned_until: now + 3_600_000 },
    ];
    for (const spaceId of Object.values(spaces)) {
      for (const kind of kinds) {
        for (const [i, state] of states.entries()) {
          await t.app.db
            .insertInto('content')
            .values(contentRow(spaceId, i % 2 === 0 ? ids.member : ids.otherSpace, { kind, published_at: now - 50 + i, ...state }, now))
            .execute();
        }
      }
    }
  });
  afterAll(async () => t.close());

  const byRule = async (viewer: Viewer, now: number, spaceIds: number[]) =>
    (
      await contentVisibleWith(t.app.db, visibilityOf(viewer), now)
        .select('c.id')
        .where('c.space_id', 'in', spaceIds)
        .where('c.kind', 'in', kinds)
        .execute()
    )
      .map((r) => r.id)
      .sort((a, b) => a - b);

  const fast = async (now: number, space: { id: number } | { ids: string }, kindsJson: string) =>
    (await contentInKnownSpaces(t.app.db, now, space, kindsJson).select('c.id').execute()).map((r) => r.id).sort((a, b) => a - b);

  /** Every space alone, the viewer's home spaces together, and every space together; returns how many rows the fast path listed. */
  const agree = async (viewer: Viewer): Promise<number> => {
    const now = Date.now();
    const off = await readKindsOff(t.app.db);
    const all = [...Object.values(spaces), 9999];
    let listed = 0;
    const known = knownSpaces(viewer, spaces.company, all, kinds, off);
    for (const [i, id] of all.entries()) {
      const space = known[i]!;
      const expected = await byRule(viewer, now, [id]);
      // Undecided: only a space the viewer is not in, and then never the company space nor for an admin.
      if (space === null) {
        expect(viewer.spaceRoles.has(id) || id === spaces.company || viewer.role === 'admin', `space ${id} declined`).toBe(false);
        continue;
      }
      expect(space.id).toBe(id);
      const rows = await fast(now, { id }, space.kinds);
      expect(rows, `space ${id}`).toEqual(expected);
      listed += rows.length;
    }
    for (const list of [[spaces.company, ...viewer.spaceRoles.keys()], all]) {
      const together = knownTogether(knownSpaces(viewer, spaces.company, list, kinds, off));
      if (together === null) continue;
      expect(JSON.parse(together.ids)).toEqual(list);
      expect(await fast(now, { ids: together.ids }, together.kinds)).toEqual(await byRule(viewer, now, list));
    }
    return listed;
  };

  const configurations: Array<[string, Array<{ kind: string; space: keyof typeof spaces | 0 }>]> = [
    ['no kind off', []],
    ['posts off in the open space', [{ kind: 'post', space: 'open' }]],
    ['news off everywhere', [{ kind: 'news', space: 0 }]],
    ['posts off in the private and company spaces, news in another', [{ kind: 'post', space: 'secret' }, { kind: 'post', space: 'company' }, { kind: 'news', space: 'wasOpen' }]],
    ['both kinds off everywhere', [{ kind: 'post', space: 0 }, { kind: 'news', space: 0 }]],
    ['a kind off everywhere and in one space', [{ kind: 'news', space: 0 }, { kind: 'post', space: 'secret' }]],
  ];

  it.each(configurations)('%s', async (_name, off) => {
    const db = t.app.db;
    // What the plugin runtime wrote (its disabled plugins' kinds), put back after each configuration.
    const written = await db.selectFrom('content_kinds_off').selectAll().execute();
    try {
      if (off.length > 0) {
        await db.insertInto('content_kinds_off').values(off.map(({ kind, space }) => ({ kind, space_id: space === 0 ? 0 : spaces[space] }))).execute();
      }
      const viewers = [await viewerOf(1), ...(await Promise.all(Object.values(ids).map(viewerOf)))];
      const listed = await Promise.all(viewers.map(agree));
      // Each viewer lists 3 live items (plain, must-read, pinned) per kind on, in each space they see.
      if (off.length === 0) expect(listed).toEqual([5 * 2 * 3, 4 * 2 * 3, 1 * 2 * 3, 2 * 2 * 3, 2 * 2 * 3]);
      if (off.length === 2 && off.every((o) => o.space === 0)) expect(listed).toEqual([0, 0, 0, 0, 0]);
    } finally {
      await db.deleteFrom('content_kinds_off').execute();
      if (written.length > 0) await db.insertInto('content_kinds_off').values(written).execute();
    }
  });

  it('declines a private space to whoever is not in it, and follows a space that turned private after the viewer left', async () => {
    const db = t.app.db;
    const off = await readKindsOff(db);
    const outsider = await viewerOf(ids.outsider);
    expect(knownSpaces(outsider, spaces.company, [spaces.secret, spaces.other, spaces.open], kinds, off)).toEqual([null, null, null]);
    expect(knownTogether(knownSpaces(outsider, spaces.company, [spaces.company, spaces.secret], kinds, off))).toBeNull();

    const before = await viewerOf(ids.leaver);
    expect(knownSpaces(before, spaces.company, [spaces.wasOpen], kinds, off)[0]).not.toBeNull();
    await db.deleteFrom('space_members').where('space_id', '=', spaces.wasOpen).where('user_id', '=', ids.leaver).execute();
    await db.updateTable('spaces').set({ visibility: 'private' }).where('id', '=', spaces.wasOpen).execute();
    try {
      const after = await viewerOf(ids.leaver);
      expect(knownSpaces(after, spaces.company, [spaces.wasOpen], kinds, off)).toEqual([null]);
      expect(await byRule(after, Date.now(), [spaces.wasOpen])).toEqual([]);
      expect(await agree(after)).toBe(1 * 2 * 3);
      // A viewer loaded before (one request's view of its memberships): both rules still list the same rows.
      expect(await agree(before)).toBe(2 * 2 * 3);
      expect(await agree(await viewerOf(ids.member))).toBe(4 * 2 * 3);
    } finally {
      await db.updateTable('spaces').set({ visibility: 'open' }).where('id', '=', spaces.wasOpen).execute();
      await db.insertInto('space_members').values({ space_id: spaces.wasOpen, user_id: ids.leaver, role: 'member', joined_at: Date.now() }).execute();
    }
  });

  it('reads the kinds switched off everywhere and per space', async () => {
    const db = t.app.db;
    const written = await db.selectFrom('content_kinds_off').selectAll().execute();
    try {
      await db.deleteFrom('content_kinds_off').execute();
      await db.insertInto('content_kinds_off').values([{ kind: 'poll', space_id: 0 }, { kind: 'post', space_id: spaces.open }, { kind: 'news', space_id: spaces.open }]).execute();
      const off = await readKindsOff(db);
      expect([...off.everywhere]).toEqual(['poll']);
      expect([...off.bySpace.keys()]).toEqual([spaces.open]);
      expect([...off.bySpace.get(spaces.open)!].sort()).toEqual(['news', 'post']);
      const member = await viewerOf(ids.member);
      expect(knownSpaces(member, spaces.company, [spaces.company, spaces.open], ['post', 'poll', 'news'], off)).toEqual([
        { id: spaces.company, kinds: '["post","news"]' },
        { id: spaces.open, kinds: '[]' },
      ]);
    } finally {
      await db.deleteFrom('content_kinds_off').execute();
      if (written.length > 0) await db.insertInto('content_kinds_off').values(written).execute();
    }
  });
});
