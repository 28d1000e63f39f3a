// visibleContent (the SQL every list uses) and seesContent (the rule for one item) must agree: a list
// never shows what the rule refuses, and shows every published, unhidden, undeleted item the rule allows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadContentSubjects } from '../../src/content/subjects.js';
import { seesContent } from '../../src/policy/content-rules.js';
import { loadViewer, type Viewer } from '../../src/policy/viewer.js';
import { compiledForViewer, contentVisibleWith, visibleContent } from '../../src/policy/visible-content.js';
import { createTestApp, createUser, setupOrganisation, type TestApp } from '../helpers/app.js';
import { companySpaceId, createSpace } from '../helpers/content.js';

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
            .values({
              kind: 'post',
              space_id: spaceId,
              author_id: authorId,
              created_at: now - 100,
              updated_at: now - 100,
              published_at: now - 50,
              edited_at: null,
              pinned_until: null,
              must_read: 0,
              comments_enabled: 1,
              deleted_at: null,
              deleted_by: null,
              hidden_at: null,
              hidden_by: null,
              hidden_reason: null,
              ...state,
            })
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
