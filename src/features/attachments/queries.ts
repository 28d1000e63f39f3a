// Reading attachment rows: one by id (downloads), the refs of many items or comments in one query
// (cards, pages, conversations), an uploader's pending ones (forms), and what the cleanup needs.
import type { Kysely, Transaction } from 'kysely';
import type { AttachmentRef } from '../../content/items.js';
import { compiledQuery, inJson } from '../../db/compiled-query.js';
import type { Attachment, AttachmentPurpose, Database } from '../../db/schema.js';
import type { SpaceSubject } from '../../policy/subjects.js';

const REF_COLUMNS = ['id', 'original_name', 'mime_type', 'size_bytes', 'is_image', 'width', 'height', 'has_preview', 'purpose'] as const;

type RefRow = Pick<Attachment, (typeof REF_COLUMNS)[number]>;

export function toAttachmentRef(row: RefRow): AttachmentRef {
  return {
    id: row.id,
    originalName: row.original_name,
    mimeType: row.mime_type,
    sizeBytes: row.size_bytes,
    isImage: row.is_image === 1,
    width: row.width,
    height: row.height,
    hasPreview: row.has_preview === 1,
    purpose: row.purpose,
  };
}

export async function findAttachment(db: Kysely<Database>, id: number): Promise<Attachment | undefined> {
  return db.selectFrom('attachments').selectAll().where('id', '=', id).executeTakeFirst();
}

export interface AttachmentRefs {
  /** An item's own attachments (not its comments'), by content id, oldest first. */
  byContent: Map<number, AttachmentRef[]>;
  /** A comment's attachments, by comment id, oldest first. */
  byComment: Map<number, AttachmentRef[]>;
}

// Every card and page runs it: compiled once, the ids as JSON (src/db/compiled-query.ts).
const refRows = compiledQuery((db, contentIdsJson: string, commentIdsJson: string) =>
  db
    .selectFrom('attachments')
    .select([...REF_COLUMNS, 'content_id', 'comment_id'])
    .where((eb) =>
      eb.or([
        // A comment's attachments carry its item's id too: only those without a comment are the item's.
        eb.and([eb('content_id', 'in', inJson<number>(contentIdsJson)), eb('comment_id', 'is', null)]),
        eb('comment_id', 'in', inJson<number>(commentIdsJson)),
      ]),
    )
    .orderBy('id'),
);

/**
 * The attachments of many content items and comments, in one query (no N+1). Ids absent from the
 * maps have none. The caller has already decided which items and comments the viewer may see.
 *
 * @example
 * const { byContent } = await loadAttachmentRefs(db, { contentIds: items.map((i) => i.id) });
 * item.attachments = byContent.get(item.id) ?? [];
 */
export async function loadAttachmentRefs(
  db: Kysely<Database>,
  ids: { contentIds?: readonly number[]; commentIds?: readonly number[] },
): Promise<AttachmentRefs> {
  const contentIds = [...new Set(ids.contentIds ?? [])];
  const commentIds = [...new Set(ids.commentIds ?? [])];
  const refs: AttachmentRefs = { byContent: new Map(), byComment: new Map() };
  if (contentIds.length === 0 && commentIds.length === 0) return refs;
  const rows = await refRows(db, JSON.stringify(contentIds), JSON.stringify(commentIds));
  for (const row of rows) {
    const [map, key] = row.comment_id !== null ? [refs.byComment, row.comment_id] : [refs.byContent, row.content_id!];
    const list = map.get(key);
    if (list) list.push(toAttachmentRef(row));
    else map.set(key, [toAttachmentRef(row)]);
  }
  return refs;
}

/** The uploader's pending attachments among `ids` (owned by nothing yet), oldest first. */
export async function loadPendingRefs(
  db: Kysely<Database>,
  uploaderId: number,
  ids: readonly number[],
  purpose?: AttachmentPurpose,
): Promise<AttachmentRef[]> {
  if (ids.length === 0) return [];
  let query = db
    .selectFrom('attachments')
    .select(REF_COLUMNS)
    .where('uploader_id', '=', uploaderId)
    .where('id', 'in', [...ids])
    .where('content_id', 'is', null)
    .where('comment_id', 'is', null)
    .where('space_id', 'is', null);
  if (purpose) query = query.where('purpose', '=', purpose);
  const rows = await query.orderBy('id').execute();
  return rows.map(toAttachmentRef);
}

/** The bytes of an uploader's pending attachments (what their pending cap counts). */
export async function pendingBytesOf(db: Kysely<Database> | Transaction<Database>, uploaderId: number): Promise<number> {
  const row = await db
    .selectFrom('attachments')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('size_bytes'), eb.lit(0)).as('bytes'))
    .where('uploader_id', '=', uploaderId)
    .where('content_id', 'is', null)
    .where('comment_id', 'is', null)
    .where('space_id', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.bytes);
}

export async function loadSpaceSubject(db: Kysely<Database>, spaceId: number): Promise<SpaceSubject | undefined> {
  return db.selectFrom('spaces').select(['id', 'visibility']).where('id', '=', spaceId).executeTakeFirst();
}

/** Deletes pending attachments created before `before`; returns their storage keys. */
export async function deletePendingBefore(db: Kysely<Database>, before: number): Promise<string[]> {
  const rows = await db
    .deleteFrom('attachments')
    .where('content_id', 'is', null)
    .where('comment_id', 'is', null)
    .where('space_id', 'is', null)
    .where('created_at', '<', before)
    .returning('storage_key')
    .execute();
  return rows.map((r) => r.storage_key);
}

/** The keys among `keys` that still have a row. */
export async function existingStorageKeys(db: Kysely<Database>, keys: readonly string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const rows = await db.selectFrom('attachments').select('storage_key').where('storage_key', 'in', [...keys]).execute();
  return new Set(rows.map((r) => r.storage_key));
}
