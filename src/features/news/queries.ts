// Reads of the news feature: where an editor may publish, an article as its edit form needs it, the
// author's drafts and scheduled articles, the categories offered while typing.
import type { Kysely } from 'kysely';
import type { AttachmentRef } from '../../content/items.js';
import type { Database, Millis, SpaceVisibility } from '../../db/schema.js';
import { can, type Viewer } from '../../policy/index.js';
import type { SpaceSubject } from '../../policy/subjects.js';
import { spaceIsVisible, visibleContent } from '../../policy/visible-content.js';
import { loadAttachmentRefs } from '../attachments/queries.js';

export interface SpaceOption {
  id: number;
  name: string;
  visibility: SpaceVisibility;
}

/** The space with this id, as the policy sees it (with its name), or undefined. */
export async function findSpace(db: Kysely<Database>, id: number): Promise<SpaceOption | undefined> {
  return db.selectFrom('spaces').select(['id', 'name', 'visibility']).where('id', '=', id).executeTakeFirst();
}

/**
 * The spaces where the viewer may publish news, the company space first, then by name. Editors
 * publish where they belong, admins anywhere: the policy's 'news.publish' decides, space by space.
 */
export async function publishableSpaces(db: Kysely<Database>, viewer: Viewer): Promise<SpaceOption[]> {
  let query = db.selectFrom('spaces').select(['id', 'name', 'visibility', 'sort_name']);
  if (viewer.role !== 'admin') {
    const memberOf = [...viewer.spaceRoles.keys()];
    query = query.where((eb) => eb.or([eb('visibility', '=', 'company'), ...(memberOf.length > 0 ? [eb('id', 'in', memberOf)] : [])]));
  }
  const rows = await query.orderBy((eb) => eb.case().when('visibility', '=', 'company').then(0).else(1).end()).orderBy('sort_name').orderBy('id').execute();
  return rows.filter((space) => can(viewer, 'news.publish', space)).map(({ id, name, visibility }) => ({ id, name, visibility }));
}

/** An article as its edit form shows it, with its attachments. */
export interface ArticleForEdit {
  id: number;
  authorId: number | null;
  space: SpaceOption;
  title: string;
  body: string;
  category: string | null;
  publishedAt: Millis | null;
  editedAt: Millis | null;
  pinnedUntil: Millis | null;
  mustRead: boolean;
  /** A must-read whose emails ignore quiet hours (set by admins). */
  urgent: boolean;
  commentsEnabled: boolean;
  cover: AttachmentRef | null;
  files: AttachmentRef[];
}

/** The article with this id (any state, deleted ones excepted), or undefined; the caller asks the policy. */
export async function findArticleForEdit(db: Kysely<Database>, id: number): Promise<ArticleForEdit | undefined> {
  const row = await db
    .selectFrom('content as c')
    .innerJoin('news_articles as n', 'n.content_id', 'c.id')
    .innerJoin('spaces as s', 's.id', 'c.space_id')
    .select([
      'c.id',
      'c.author_id',
      'c.published_at',
      'c.edited_at',
      'c.pinned_until',
      'c.must_read',
      'c.comments_enabled',
      's.id as space_id',
      's.name as space_name',
      's.visibility',
      'n.title',
      'n.body',
      'n.category',
      'n.urgent',
    ])
    .where('c.id', '=', id)
    .where('c.kind', '=', 'news')
    .where('c.deleted_at', 'is', null)
    .executeTakeFirst();
  if (!row) return undefined;
  const attachments = (await loadAttachmentRefs(db, { contentIds: [id] })).byContent.get(id) ?? [];
  const covers = attachments.filter((a) => a.purpose === 'cover' && a.isImage);
  return {
    id: row.id,
    authorId: row.author_id,
    space: { id: row.space_id, name: row.space_name, visibility: row.visibility },
    title: row.title,
    body: row.body,
    category: row.category,
    publishedAt: row.published_at,
    editedAt: row.edited_at,
    pinnedUntil: row.pinned_until,
    mustRead: row.must_read === 1,
    urgent: row.urgent === 1,
    commentsEnabled: row.comments_enabled === 1,
    cover: covers.at(-1) ?? null,
    files: attachments.filter((a) => a.purpose === 'file'),
  };
}

export interface DraftRow {
  id: number;
  title: string;
  spaceName: string;
  publishedAt: Millis | null;
  updatedAt: Millis;
}

export const DRAFTS_PAGE_SIZE = 50;

/** The author's drafts and scheduled articles, last changed first, a page at a time (`before` an id). */
export async function listDrafts(
  db: Kysely<Database>,
  viewer: Viewer,
  position: { before?: number | null } = {},
  now = Date.now(),
): Promise<{ drafts: DraftRow[]; next: number | null }> {
  let query = db
    .selectFrom('content as c')
    .innerJoin('news_articles as n', 'n.content_id', 'c.id')
    .innerJoin('spaces as s', 's.id', 'c.space_id')
    .select(['c.id', 'n.title', 's.name as space_name', 'c.published_at', 'c.updated_at'])
    .where('c.author_id', '=', viewer.id)
    .where('c.kind', '=', 'news')
    .where('c.deleted_at', 'is', null)
    // An author who left a private space no longer sees what is in it, drafts included.
    .where(spaceIsVisible(viewer, 'c.space_id'))
    .where((eb) => eb.or([eb('c.published_at', 'is', null), eb('c.published_at', '>', now)]))
    .orderBy('c.id', 'desc')
    .limit(DRAFTS_PAGE_SIZE + 1);
  if (position.before) query = query.where('c.id', '<', position.before);
  const rows = await query.execute();
  const page = rows.slice(0, DRAFTS_PAGE_SIZE);
  return {
    drafts: page.map((r) => ({ id: r.id, title: r.title, spaceName: r.space_name, publishedAt: r.published_at, updatedAt: r.updated_at })),
    next: rows.length > DRAFTS_PAGE_SIZE ? page.at(-1)!.id : null,
  };
}

/** How many recent articles the category suggestions come from: enough to know the habits, bounded. */
const CATEGORY_SAMPLE = 500;

/** Categories of the recent articles the viewer may see, for the category field's suggestions. */
export async function recentCategories(db: Kysely<Database>, viewer: Viewer): Promise<string[]> {
  const recent = visibleContent(db, viewer)
    .innerJoin('news_articles as n', 'n.content_id', 'c.id')
    .select('n.category')
    .where('c.kind', '=', 'news')
    .where('n.category', 'is not', null)
    .orderBy('c.published_at', 'desc')
    .orderBy('c.id', 'desc')
    .limit(CATEGORY_SAMPLE);
  const rows = await db
    .selectFrom(recent.as('r'))
    .select('r.category')
    .distinct()
    .orderBy('r.category')
    .execute();
  return rows.flatMap((r) => (r.category ? [r.category] : []));
}

/** A space as the policy's rules take it. */
export const spaceSubject = (space: SpaceOption): SpaceSubject => ({ id: space.id, visibility: space.visibility });
