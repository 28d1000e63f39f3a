// What plugins get from search: a content kind registered at run time is searchable with no more code
// (even its items written before it was registered), a source of their own is searched with its own
// visibility rule, and the index can be rebuilt from every source.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContentKind } from '../../src/content/kinds.js';
import { insertContent } from '../../src/content/store.js';
import type { SearchSource } from '../../src/search/sources.js';
import { rebuildSearchIndex, syncSearchIndex } from '../../src/search/sync.js';
import { createComment, createPost } from '../helpers/content.js';
import { KIND_WINDOW, SEARCH_WINDOW } from '../../src/search/search.js';
import { createCast, PARTIAL, type Cast } from '../helpers/conversation.js';
import { mainText } from '../helpers/app.js';
import { hrefs, kindCounts, results, searchUrl } from '../helpers/search.js';

let cast: Cast;

interface Memo {
  heading: string;
  text: string;
}

function memoKind(kind: string, table: string): ContentKind<Memo> {
  return {
    kind,
    async load(db, ids) {
      const rows = await sql<{ content_id: number; heading: string; text: string }>`select content_id, heading, text from ${sql.table(table)} where content_id in (select value from json_each(${JSON.stringify(ids)}))`.execute(db);
      return new Map(rows.rows.map((r) => [r.content_id, { heading: r.heading, text: r.text }]));
    },
    cardTemplate: 'posts/card',
    pageTemplate: 'posts/page',
    title: (memo) => memo.heading,
    searchText: (memo) => ({ title: memo.heading, body: memo.text }),
    editUrl: (id) => `/memos/${id}/edit`,
  };
}

async function insertMemo(table: string, kind: string, spaceId: number, heading: string, text: string): Promise<number> {
  const { app } = cast;
  return app.db.transaction().execute(async (trx) => {
    const id = await insertContent(trx, { kind, spaceId, authorId: cast.ids.member, publishedAt: Date.now() - 1000 });
    await sql`insert into ${sql.table(table)} (content_id, heading, text) values (${id}, ${heading}, ${text})`.execute(trx);
    return id;
  });
}

beforeAll(async () => {
  cast = await createCast();
  for (const table of ['memos', 'legacy_memos']) {
    await sql`create table ${sql.table(table)} (content_id integer primary key references content(id) on delete cascade, heading text not null, text text not null)`.execute(cast.app.db);
  }
});

afterAll(async () => {
  await cast.t.close();
});

describe('content kinds registered at run time', () => {
  it('are searchable with no more code, with their label, and only where the viewer may see them', async () => {
    cast.app.contentKinds.register(memoKind('memo', 'memos'));
    cast.app.searchSources.labelContentKind('memo', () => 'Memos');
    const open = await insertMemo('memos', 'memo', cast.company, 'Xylophone à réparer', 'Le xylophone de la salle de musique');
    const secret = await insertMemo('memos', 'memo', cast.secret, 'Xylophone secret', 'Dans la salle du conseil');
    const response = await cast.get(searchUrl('xylophone'), 'outsider');
    expect(results(response).map((r) => [r.kind, r.href])).toEqual([['memo', `/content/${open}`]]);
    expect(kindCounts(response)).toContain('Memos (1 result)');
    expect(results(response)[0]?.html).toContain('<mark>Xylophone</mark> à réparer');
    expect(hrefs(await cast.get(searchUrl('xylophone', { kind: 'memo' }), 'member')).sort()).toEqual([`/content/${open}`, `/content/${secret}`].sort());
  });

  it('include the items written before the kind was registered', async () => {
    const early = await insertMemo('legacy_memos', 'legacy', cast.company, 'Vieux grimoire', 'Écrit avant le greffon');
    // A search runs while nobody knows the kind: the item cannot be indexed yet.
    expect(hrefs(await cast.get(searchUrl('grimoire'), 'outsider'))).toEqual([]);
    cast.app.contentKinds.register(memoKind('legacy', 'legacy_memos'));
    expect(hrefs(await cast.get(searchUrl('grimoire'), 'outsider'))).toEqual([`/content/${early}`]);
  });
});

describe('a source of a plugin', () => {
  it('is searched with its own visibility rule, and kept in step through app.searchSources.queue', async () => {
    const { app } = cast;
    await sql`create table glossary (id integer primary key, term text not null, definition text not null, restricted integer not null)`.execute(app.db);
    const glossary: SearchSource = {
      source: 'glossary',
      kinds: () => [{ kind: 'glossary', label: () => 'Glossary' }],
      async load(db, keys) {
        const rows = await sql<{ id: number; term: string; definition: string }>`select id, term, definition from glossary where id in (select value from json_each(${JSON.stringify(keys)}))`.execute(db);
        return new Map(rows.rows.map((r) => [r.id, { kind: 'glossary', title: r.term, body: r.definition }]));
      },
      async all(db) {
        const rows = await sql<{ id: number }>`select id from glossary`.execute(db);
        return rows.rows.map((r) => ({ key: r.id, at: 0 }));
      },
      async visible(db, viewer, keys) {
        const rows = await sql<{ id: number }>`select id from glossary where id in (select value from json_each(${JSON.stringify(keys)})) and (restricted = 0 or ${viewer.role} = 'admin')`.execute(db);
        return new Set(rows.rows.map((r) => r.id));
      },
      async describe(_db, hits) {
        return new Map(hits.map((h) => [h.key, { url: `/glossary/${h.key}` }]));
      },
    };
    app.searchSources.register(glossary);
    await sql`insert into glossary (id, term, definition, restricted) values (1, 'Quorum', 'Nombre minimal de votants', 0), (2, 'Quorum renforcé', 'Réservé au conseil', 1)`.execute(app.db);
    await app.searchSources.queue(app.db, 'glossary', [1, 2]);
    expect(hrefs(await cast.get(searchUrl('quorum'), 'member'))).toEqual(['/glossary/1']);
    expect(hrefs(await cast.get(searchUrl('quorum'), 'admin')).sort()).toEqual(['/glossary/1', '/glossary/2']);

    await sql`update glossary set definition = 'Seuil de participation' where id = 1`.execute(app.db);
    await app.searchSources.queue(app.db, 'glossary', [1]);
    expect(hrefs(await cast.get(searchUrl('seuil'), 'member'))).toEqual(['/glossary/1']);
    expect(hrefs(await cast.get(searchUrl('votants'), 'member'))).toEqual([]);
  });
});

describe('each kind its own window', () => {
  it('shows a plugin’s kind indexed long ago, whatever the number of newer matches of other kinds', async () => {
    const { app } = cast;
    await sql`create table atlas (id integer primary key, place text not null)`.execute(app.db);
    const atlas: SearchSource = {
      source: 'atlas',
      kinds: () => [{ kind: 'atlas', label: () => 'Atlas' }],
      async load(db, keys) {
        const rows = await sql<{ id: number; place: string }>`select id, place from atlas where id in (select value from json_each(${JSON.stringify(keys)}))`.execute(db);
        return new Map(rows.rows.map((r) => [r.id, { kind: 'atlas', title: r.place, body: '' }]));
      },
      async all(db) {
        const rows = await sql<{ id: number }>`select id from atlas`.execute(db);
        return rows.rows.map((r) => ({ key: r.id, at: 0 }));
      },
      async visible(_db, _viewer, keys) {
        return new Set(keys);
      },
      async describe(_db, hits) {
        return new Map(hits.map((h) => [h.key, { url: `/atlas/${h.key}` }]));
      },
    };
    app.searchSources.register(atlas);
    await sql`insert into atlas (id, place) values (1, 'Tombouctou')`.execute(app.db);
    await app.searchSources.queue(app.db, 'atlas', [1]);
    await syncSearchIndex(app);
    const post = await createPost(app, { spaceId: cast.company, authorId: cast.ids.member, body: 'Carnet de voyage' });
    for (let i = 0; i < SEARCH_WINDOW + 20; i++) await createComment(app, { contentId: post, authorId: cast.ids.editor, body: `Tombouctou, étape ${i}` });
    const response = await cast.get(searchUrl('tombouc'), 'member');
    // Kinds show in the order of their sources: the plugin's comes after the core's.
    expect(kindCounts(response)).toEqual(['All results', `Comments (at least ${KIND_WINDOW} results)`, 'Atlas (1 result)']);
    expect(hrefs(response)).toContain('/atlas/1');
    expect(hrefs(await cast.get('/search/suggest?q=tombou', 'member', PARTIAL))).toContain('/atlas/1');
  });
});

describe('the index', () => {
  it('forgets the comments of a purged item (cascades fire the triggers)', async () => {
    const { app } = cast;
    const post = await createPost(app, { spaceId: cast.company, authorId: cast.ids.member, body: 'Kermesse de juin' });
    await createComment(app, { contentId: post, authorId: cast.ids.editor, body: 'Kermesse : je tiens le stand' });
    await syncSearchIndex(app);
    expect(await app.db.selectFrom('search_entries').select('id').where('content_id', '=', post).execute()).toHaveLength(2);
    await app.db.deleteFrom('content').where('id', '=', post).execute();
    await syncSearchIndex(app);
    expect(await app.db.selectFrom('search_entries').select('id').where('content_id', '=', post).execute()).toHaveLength(0);
    expect(hrefs(await cast.get(searchUrl('kermesse'), 'admin'))).toEqual([]);
  });

  it('catches up a long queue a bounded number of batches per search', async () => {
    const { app } = cast;
    await syncSearchIndex(app);
    await app.searchSources.queue(app.db, 'space', Array.from({ length: 600 }, (_, i) => 1_000_000 + i));
    expect(await syncSearchIndex(app, 1)).toBe(500);
    expect(await app.db.selectFrom('search_queue').select('key').execute()).toHaveLength(100);
    expect(await syncSearchIndex(app)).toBe(100);
    expect(await app.db.selectFrom('search_queue').select('key').execute()).toHaveLength(0);
  });

  it('is rebuilt from every source, oldest first, with the same results', async () => {
    const { app } = cast;
    const before = hrefs(await cast.get(searchUrl('xylophone'), 'admin'));
    const count = await rebuildSearchIndex(app);
    expect(count).toBe(Number((await app.db.selectFrom('search_entries').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n));
    expect(hrefs(await cast.get(searchUrl('xylophone'), 'admin'))).toEqual(before);
    expect(hrefs(await cast.get(searchUrl('quorum'), 'admin')).sort()).toEqual(['/glossary/1', '/glossary/2']);
    // Entry ids follow time: the newest content has the highest id among content entries.
    const entries = await app.db.selectFrom('search_entries').select(['id', 'key']).where('source', '=', 'content').orderBy('id').execute();
    const times = await app.db.selectFrom('content').select(['id', 'published_at', 'created_at']).execute();
    const at = new Map(times.map((t) => [t.id, t.published_at ?? t.created_at]));
    const ordered = entries.map((e) => at.get(e.key)!);
    expect(ordered).toEqual([...ordered].sort((a, b) => a - b));
    // People and spaces are numbered apart, below every other entry (sync.ts FEW_FIRST_ID).
    const all = await app.db.selectFrom('search_entries').select(['id', 'source']).execute();
    const few = all.filter((e) => e.source === 'person' || e.source === 'space').map((e) => e.id);
    expect(few.length).toBeGreaterThan(0);
    expect(Math.max(...few)).toBeLessThan(Math.min(...all.filter((e) => e.source !== 'person' && e.source !== 'space').map((e) => e.id)));
    expect(mainText(await cast.get(searchUrl('xylophone'), 'admin'))).toContain('Xylophone');
  });
});
