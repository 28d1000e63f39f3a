// The core's search sources: content items of every registered kind (their kind's searchText),
// comments, spaces and people. Who may see a result is decided here with the policy's own SQL rules
// (visibleContent, spaceIsVisible), at search time, like every other list.
import type { Kysely } from 'kysely';
import type { ContentKinds } from '../content/kinds.js';
import { plainText } from '../content/markdown.js';
import { inJson } from '../db/compiled-query.js';
import type { Database } from '../db/schema.js';
import type { Translate } from '../i18n/index.js';
import { spaceIsVisible, visibleContent } from '../policy/visible-content.js';
import { addTo, SearchSources, type HitDisplay, type SearchDb, type SearchDocument, type SearchKind, type SearchSource } from './sources.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** What search finds: the core's sources, and those plugins register. */
    searchSources: SearchSources;
  }
}

/**
 * The registry with the core's sources, in the order results show: people, spaces, content items
 * (news, posts, then plugins' kinds), comments.
 *
 * @example
 * app.decorate('searchSources', createSearchSources(app.contentKinds));
 */
export function createSearchSources(kinds: ContentKinds): SearchSources {
  const sources = new SearchSources();
  sources.labelContentKind('news', (t) => t('search.kinds.news'));
  sources.labelContentKind('post', (t) => t('search.kinds.post'));
  sources.register(personSource);
  sources.register(spaceSource);
  sources.register(contentSource(kinds, sources.contentKindLabels));
  sources.register(commentSource(kinds));
  return sources;
}

const json = (keys: readonly number[]) => JSON.stringify(keys);

/** Labels of content kinds in results; a plugin adds its kind's with `app.searchSources.labelContentKind`. */
export type KindLabels = ReadonlyMap<string, (t: Translate) => string>;

/** Titles of content items for results that show them (a post has no title: its first words). */
async function itemTitles(db: Kysely<Database>, kinds: ContentKinds, contentIds: readonly number[], t: Translate): Promise<Map<number, string>> {
  if (contentIds.length === 0) return new Map();
  const rows = await db.selectFrom('content').select(['id', 'kind']).where('id', 'in', inJson<number>(json([...new Set(contentIds)]))).execute();
  const loaded = await kinds.loadMany(db, rows);
  return new Map([...loaded].map(([id, { kind, data }]) => [id, kind.title(data, t)]));
}

async function spaceNames(db: Kysely<Database>, spaceIds: ReadonlyArray<number | null>): Promise<Map<number, string>> {
  const ids = [...new Set(spaceIds.filter((id): id is number => id !== null))];
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('spaces').select(['id', 'name']).where('id', 'in', inJson<number>(json(ids))).execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** Content items: a kind registered in app.contentKinds is searchable with no more code. */
export function contentSource(kinds: ContentKinds, labels: KindLabels): SearchSource {
  return {
    source: 'content',
    kinds: (): SearchKind[] => kinds.active().map((k) => ({ kind: k.kind, label: labels.get(k.kind) ?? k.label ?? (() => k.kind) })),
    async load(db: SearchDb, keys) {
      const rows = await db.selectFrom('content').select(['id', 'kind', 'space_id']).where('id', 'in', inJson<number>(json(keys))).execute();
      const loaded = await kinds.loadMany(db, rows);
      const documents = new Map<number, SearchDocument>();
      for (const row of rows) {
        const item = loaded.get(row.id);
        if (!item) continue;
        const text = item.kind.searchText(item.data);
        documents.set(row.id, { kind: row.kind, title: text.title, body: text.body, contentId: row.id, spaceId: row.space_id });
      }
      return documents;
    },
    async all(db: SearchDb) {
      const rows = await db.selectFrom('content').select(['id', 'created_at', 'published_at']).execute();
      return rows.map((r) => ({ key: r.id, at: r.published_at ?? r.created_at }));
    },
    async visible(db, viewer, keys, now) {
      const registered = kinds.all().map((k) => k.kind);
      if (keys.length === 0 || registered.length === 0) return new Set();
      const rows = await visibleContent(db, viewer, now)
        .select('c.id')
        .where('c.id', 'in', inJson<number>(json(keys)))
        .where('c.kind', 'in', registered)
        .execute();
      return new Set(rows.map((r) => r.id));
    },
    async describe(db, hits, t) {
      const untitled = hits.filter((h) => h.titleHtml === '').map((h) => h.key);
      const [titles, spaces] = await Promise.all([itemTitles(db, kinds, untitled, t), spaceNames(db, hits.map((h) => h.spaceId))]);
      return new Map(
        hits.map((h): [number, HitDisplay] => [
          h.key,
          {
            url: `/content/${h.key}`,
            fallbackTitle: titles.get(h.key),
            context: h.spaceId !== null ? spaces.get(h.spaceId) : undefined,
          },
        ]),
      );
    },
  };
}

/** Comments: found with their item, linked to their place on its page. */
export function commentSource(kinds: ContentKinds): SearchSource {
  return {
    source: 'comment',
    kinds: () => [{ kind: 'comment', label: (t) => t('search.kinds.comment') }],
    async load(db: SearchDb, keys) {
      const rows = await db
        .selectFrom('comments as cm')
        .innerJoin('content as c', 'c.id', 'cm.content_id')
        .select(['cm.id', 'cm.content_id', 'cm.body', 'c.space_id'])
        .where('cm.id', 'in', inJson<number>(json(keys)))
        .execute();
      return new Map(
        rows.map((r) => [r.id, { kind: 'comment', title: '', body: plainText(r.body), contentId: r.content_id, commentId: r.id, spaceId: r.space_id }]),
      );
    },
    async all(db: SearchDb) {
      const rows = await db.selectFrom('comments').select(['id', 'created_at']).execute();
      return rows.map((r) => ({ key: r.id, at: r.created_at }));
    },
    async visible(db, viewer, keys, now) {
      const registered = kinds.all().map((k) => k.kind);
      if (keys.length === 0 || registered.length === 0) return new Set();
      // Only on items the viewer sees, and never deleted or hidden (lists never show hidden comments).
      const rows = await visibleContent(db, viewer, now)
        .innerJoin('comments as cm', 'cm.content_id', 'c.id')
        .select('cm.id')
        .where('cm.id', 'in', inJson<number>(json(keys)))
        .where('cm.deleted_at', 'is', null)
        .where('cm.hidden_at', 'is', null)
        .where('c.kind', 'in', registered)
        .execute();
      return new Set(rows.map((r) => r.id));
    },
    async describe(db, hits, t) {
      const titles = await itemTitles(db, kinds, hits.map((h) => h.contentId!).filter((id) => id !== null), t);
      return new Map(
        hits.map((h): [number, HitDisplay] => {
          const title = h.contentId !== null ? titles.get(h.contentId) : undefined;
          return [
            h.key,
            {
              url: `/content/${h.contentId}#comment-${h.key}`,
              fallbackTitle: title !== undefined ? t('search.commentOn', { title }) : t('search.kinds.comment'),
            },
          ];
        }),
      );
    },
  };
}

/** Spaces: by name and description; private ones only for their members (and admins). */
export const spaceSource: SearchSource = {
  source: 'space',
  few: true,
  kinds: () => [{ kind: 'space', label: (t) => t('search.kinds.space') }],
  async load(db: SearchDb, keys) {
    const rows = await db.selectFrom('spaces').select(['id', 'name', 'description']).where('id', 'in', inJson<number>(json(keys))).execute();
    return new Map(rows.map((r) => [r.id, { kind: 'space', title: r.name, body: r.description, spaceId: r.id }]));
  },
  async all(db: SearchDb) {
    const rows = await db.selectFrom('spaces').select(['id', 'created_at']).execute();
    return rows.map((r) => ({ key: r.id, at: r.created_at }));
  },
  async visible(db, viewer, keys) {
    if (keys.length === 0) return new Set();
    const rows = await db
      .selectFrom('spaces')
      .select('id')
      .where('id', 'in', inJson<number>(json(keys)))
      .where(spaceIsVisible(viewer, 'spaces.id'))
      .execute();
    return new Set(rows.map((r) => r.id));
  },
  async describe(_db, hits) {
    return new Map(hits.map((h): [number, HitDisplay] => [h.key, { url: `/spaces/${h.key}` }]));
  },
};

/** People: by name, job title, department, site, skills, languages and bio; active people only. */
export const personSource: SearchSource = {
  source: 'person',
  few: true,
  kinds: () => [{ kind: 'person', label: (t) => t('search.kinds.person') }],
  async load(db: SearchDb, keys) {
    const rows = await db
      .selectFrom('users as u')
      .leftJoin('departments as d', 'd.id', 'u.department_id')
      .leftJoin('sites as s', 's.id', 'u.site_id')
      .select(['u.id', 'u.name', 'u.job_title', 'd.name as department', 's.name as site', 'u.languages', 'u.bio'])
      .where('u.id', 'in', inJson<number>(json(keys)))
      .execute();
    const skills = await db
      .selectFrom('user_skills as us')
      .innerJoin('skills as k', 'k.id', 'us.skill_id')
      .select(['us.user_id', 'k.label'])
      .where('us.user_id', 'in', inJson<number>(json(keys)))
      .execute();
    const skillsOf = new Map<number, string[]>();
    for (const s of skills) addTo(skillsOf, s.user_id, s.label);
    return new Map(
      rows.map((r) => {
        const parts = [r.job_title, r.department, r.site, ...(skillsOf.get(r.id) ?? []), r.languages, r.bio];
        const body = parts.filter((p): p is string => typeof p === 'string' && p.trim() !== '').join(' · ');
        return [r.id, { kind: 'person', title: r.name, body, userId: r.id }];
      }),
    );
  },
  async all(db: SearchDb) {
    const rows = await db.selectFrom('users').select(['id', 'created_at']).execute();
    return rows.map((r) => ({ key: r.id, at: r.created_at }));
  },
  async visible(db, _viewer, keys) {
    if (keys.length === 0) return new Set();
    // Deactivated people are never found: their profile stays, search does not lead to it.
    const rows = await db.selectFrom('users').select('id').where('id', 'in', inJson<number>(json(keys))).where('status', '=', 'active').execute();
    return new Set(rows.map((r) => r.id));
  },
  async describe(_db, hits) {
    return new Map(hits.map((h): [number, HitDisplay] => [h.key, { url: `/people/${h.key}` }]));
  },
};
