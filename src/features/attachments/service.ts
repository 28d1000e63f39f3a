// Attachments: files stored under DATA_DIR/uploads with random names, typed by their bytes, images
// with a resized preview. TO BE COMPLETED (attachments work): the signatures are the contract.
import type { Kysely, Transaction } from 'kysely';
import type { AttachmentPurpose, Database } from '../../db/schema.js';
import type { UploadedFile } from '../../http/multipart.js';

export interface UploadContext {
  db: Kysely<Database>;
  dataDir: string;
  maxBytes: number;
  uploaderId: number;
}

export type StoreResult =
  | { ok: true; ids: number[] }
  /** `message` is a locale key ("attachments.errors.tooLarge"), `params` its values (the file name...). */
  | { ok: false; message: string; params: Record<string, string | number> };

/**
 * Stores uploaded files as pending attachments of the uploader (owned by nothing yet). A form that
 * is refused keeps them: it re-renders with their ids in hidden `attachmentIds` fields, so nothing
 * the user chose is lost. Images only, when `imagesOnly` (covers, space images).
 */
export async function storeUploads(
  _context: UploadContext,
  files: readonly UploadedFile[],
  _options: { purpose: AttachmentPurpose; imagesOnly?: boolean },
): Promise<StoreResult> {
  if (files.length === 0) return { ok: true, ids: [] };
  throw new Error('storeUploads is not implemented yet');
}

/**
 * The ids among `ids` that are the uploader's own pending attachments (what a form may claim).
 */
export async function pendingAttachmentIds(db: Kysely<Database>, uploaderId: number, ids: readonly number[]): Promise<number[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('attachments')
    .select('id')
    .where('uploader_id', '=', uploaderId)
    .where('id', 'in', [...ids])
    .where('content_id', 'is', null)
    .where('comment_id', 'is', null)
    .where('space_id', 'is', null)
    .execute();
  return rows.map((r) => r.id);
}

/** Gives pending attachments (already checked with pendingAttachmentIds) to what they were uploaded for. */
export async function attachTo(
  trx: Transaction<Database> | Kysely<Database>,
  ids: readonly number[],
  owner: { contentId: number } | { commentId: number; contentId: number } | { spaceId: number },
): Promise<void> {
  if (ids.length === 0) return;
  await trx
    .updateTable('attachments')
    .set({
      content_id: 'contentId' in owner ? owner.contentId : null,
      comment_id: 'commentId' in owner ? owner.commentId : null,
      space_id: 'spaceId' in owner ? owner.spaceId : null,
    })
    .where('id', 'in', [...ids])
    .execute();
}
