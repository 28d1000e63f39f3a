// Loads what the policy needs to decide about content items and comments: the item and its space.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { NotFound } from '../http/errors.js';
import { idParam } from '../http/params.js';
import { can, type Viewer } from '../policy/index.js';
import type { CommentSubject, ContentSubject } from '../policy/subjects.js';
import type { ContentKinds } from './kinds.js';

/** Whether `content as c`'s kind is switched off where it is (content_kinds_off, migration 0009), as `kind_off`. */
export function kindOffColumn() {
  return sql<number>`exists (select 1 from content_kinds_off k where k.kind = c.kind and k.space_id in (0, c.space_id))`.as('kind_off');
}

/** The columns toContentSubject reads, on `content as c` joined with `spaces as s`. */
export const contentSubjectColumns = [
  'c.id',
  'c.kind',
  'c.author_id',
  'c.space_id',
  's.visibility',
  'c.published_at',
  'c.deleted_at',
  'c.hidden_at',
  'c.must_read',
  'c.comments_enabled',
  // The kind is off everywhere (space 0) or in this space: see content_kinds_off (migration 0009).
  kindOffColumn(),
] as const;

export type ContentSubjectRow = {
  id: number;
  kind: string;
  author_id: number | null;
  space_id: number;
  visibility: ContentSubject['space']['visibility'];
  published_at: number | null;
  deleted_at: number | null;
  hidden_at: number | null;
  must_read: number;
  comments_enabled: number;
  kind_off: number;
};

export function toContentSubject(row: ContentSubjectRow): ContentSubject {
  return {
    id: row.id,
    kind: row.kind,
    authorId: row.author_id,
    space: { id: row.space_id, visibility: row.visibility },
    publishedAt: row.published_at,
    deletedAt: row.deleted_at,
    hiddenAt: row.hidden_at,
    mustRead: row.must_read === 1,
    commentsEnabled: row.comments_enabled === 1,
    kindOff: row.kind_off === 1,
  };
}

/**
 * The policy's view of content items, by id (missing ids are simply absent).
 *
 * @example
 * const [item] = await loadContentSubjects(db, [id]);
 * if (!item || !can(viewer, 'content.view', item)) throw new NotFound();
 */
export async function loadContentSubjects(db: Kysely<Database>, ids: readonly number[]): Promise<ContentSubject[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('content as c')
    .innerJoin('spaces as s', 's.id', 'c.space_id')
    .select(contentSubjectColumns)
    .where('c.id', 'in', [...ids])
    .execute();
  return rows.map(toContentSubject);
}

export async function loadContentSubject(db: Kysely<Database>, id: number): Promise<ContentSubject | undefined> {
  return (await loadContentSubjects(db, [id]))[0];
}

/** The policy's view of a comment, with its content item. */
export async function loadCommentSubject(db: Kysely<Database>, commentId: number): Promise<(CommentSubject & { parentId: number | null }) | undefined> {
  const row = await db
    .selectFrom('comments as m')
    .innerJoin('content as c', 'c.id', 'm.content_id')
    .innerJoin('spaces as s', 's.id', 'c.space_id')
    .select(contentSubjectColumns)
    .select(['m.id as comment_id', 'm.author_id as comment_author_id', 'm.deleted_at as comment_deleted_at', 'm.hidden_at as comment_hidden_at', 'm.parent_id'])
    .where('m.id', '=', commentId)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    id: row.comment_id,
    authorId: row.comment_author_id,
    deletedAt: row.comment_deleted_at,
    hiddenAt: row.comment_hidden_at,
    parentId: row.parent_id,
    content: toContentSubject(row),
  };
}

/**
 * The content item a URL names, as the policy sees it, when the viewer may see it: otherwise 404,
 * whether it does not exist, is not theirs to see, or is of a kind no longer installed (a disabled
 * plugin's items answer as if they were not there). Pass `kind` when the route is about one kind.
 *
 * @example
 * const subject = await visibleContentSubject(app, request.user, request.params.id, 'news');
 */
export async function visibleContentSubject(
  app: { db: Kysely<Database>; contentKinds: ContentKinds },
  viewer: Viewer,
  id: string,
  kind?: string,
): Promise<ContentSubject> {
  const subject = await loadContentSubject(app.db, idParam(id));
  if (!subject || (kind !== undefined && subject.kind !== kind) || !app.contentKinds.get(subject.kind) || !can(viewer, 'content.view', subject)) {
    throw new NotFound();
  }
  return subject;
}
