// The posts feature's reads: where the viewer may post, and a post as its edit form needs it.
import type { Kysely } from 'kysely';
import type { AttachmentRef } from '../../content/items.js';
import type { Database } from '../../db/schema.js';
import { can, type Viewer } from '../../policy/index.js';
import { loadAttachmentRefs } from '../attachments/queries.js';

export interface PostingSpace {
  id: number;
  name: string;
}

/**
 * The spaces the viewer may post in (`space.post`): the company space first when the organisation
 * lets them, then their own spaces by name. One query.
 *
 * @example
 * const spaces = await postingSpaces(db, request.user);
 */
export async function postingSpaces(db: Kysely<Database>, viewer: Viewer): Promise<PostingSpace[]> {
  const memberOf = [...viewer.spaceRoles.keys()];
  const rows = await db
    .selectFrom('spaces')
    .select(['id', 'name', 'visibility'])
    .where((eb) => eb.or([eb('visibility', '=', 'company'), ...(memberOf.length > 0 ? [eb('id', 'in', memberOf)] : [])]))
    .orderBy('sort_name')
    .orderBy('id')
    .execute();
  const allowed = rows.filter((space) => can(viewer, 'space.post', space));
  return [...allowed.filter((s) => s.visibility === 'company'), ...allowed.filter((s) => s.visibility !== 'company')].map(({ id, name }) => ({ id, name }));
}

/** A post's text and files, for its edit form. */
export interface PostForEdit {
  contentId: number;
  body: string;
  attachments: AttachmentRef[];
}

export async function findPostForEdit(db: Kysely<Database>, contentId: number): Promise<PostForEdit | undefined> {
  const row = await db.selectFrom('posts').select(['content_id', 'body']).where('content_id', '=', contentId).executeTakeFirst();
  if (!row) return undefined;
  const { byContent } = await loadAttachmentRefs(db, { contentIds: [contentId] });
  const attachments = (byContent.get(contentId) ?? []).filter((file) => file.purpose === 'file');
  return { contentId: row.content_id, body: row.body, attachments };
}
