// Attachments: files stored under DATA_DIR/uploads with random names, typed by their bytes, images
// with a resized preview. A file is stored "pending" (owned by nothing) as soon as a form brings it;
// the form, once valid, gives it to what it was uploaded for (attachAll). What one person may store
// is bounded: bytes per hour (the uploadBytesPerUser rate limit) and bytes pending at once
// (pendingBytesCap). See README.md for the recipe.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely, Transaction } from 'kysely';
import type { Config } from '../../config.js';
import type { AttachmentRef } from '../../content/items.js';
import { loadCommentSubject, loadContentSubject } from '../../content/subjects.js';
import type { Attachment, AttachmentPurpose, Database } from '../../db/schema.js';
import { TooManyRequests } from '../../http/errors.js';
import { MAX_FILES, type ReadForm, type UploadedFile } from '../../http/multipart.js';
import { optionalId } from '../../http/params.js';
import type { Limiter, Reservation } from '../../http/rate-limits.js';
import type { Translate } from '../../i18n/index.js';
import { can, type Viewer } from '../../policy/index.js';
import { detectType } from './file-types.js';
import { MAX_IMAGE_PIXELS, checkImage, stripMetadata, writePreview } from './images.js';
import { findAttachment, loadPendingRefs, loadSpaceSubject, pendingBytesOf } from './queries.js';
import { displayName, newStorageKey, removeStoredFiles, storedPath } from './storage.js';

export interface UploadContext {
  db: Kysely<Database>;
  dataDir: string;
  maxBytes: number;
  uploaderId: number;
  /**
   * The uploader's hourly byte budget (app.limiters.uploadBytesPerUser) and where to log that it ran
   * out; without it (scripts), only the pending cap applies.
   */
  budget?: { limiter: Limiter; log: FastifyBaseLogger };
}

/** The context of the signed-in person's uploads. */
export function uploadContext(
  app: { db: Kysely<Database>; config: Pick<Config, 'dataDir' | 'uploadMaxBytes'>; limiters?: { uploadBytesPerUser: Limiter }; log?: FastifyBaseLogger },
  uploaderId: number,
): UploadContext {
  const budget = app.limiters && app.log ? { limiter: app.limiters.uploadBytesPerUser, log: app.log } : undefined;
  return { db: app.db, dataDir: app.config.dataDir, maxBytes: app.config.uploadMaxBytes, uploaderId, ...(budget ? { budget } : {}) };
}

/**
 * The most one person may hold in pending files (uploaded with forms not sent yet, kept a day):
 * twice what one form may carry. A file beyond it is refused by name, and not stored.
 */
export function pendingBytesCap(maxBytes: number): number {
  return 2 * MAX_FILES * maxBytes;
}

export type StoreResult =
  | { ok: true; ids: number[] }
  /**
   * `message` is a locale key ("attachments.errors.tooLarge"), `params` its values (the file name...).
   * `ids`: the files of the same form that were fine, stored all the same (the form shows them as
   * already added, so the person only picks the refused one again).
   */
  | { ok: false; message: string; params: Record<string, string | number>; ids: number[] };

type Refusal = { ok: false; message: string; params: Record<string, string | number> };

const MB = 1024 * 1024;

/**
 * Stores uploaded files as pending attachments of the uploader (owned by nothing yet). A form that
 * is refused keeps them: it re-renders with their ids in `attachmentIds` checkboxes, so nothing
 * the user chose is lost. Images only, when `imagesOnly` (covers, space images). Each file is
 * typed by its bytes; the first refusal is reported (by file name), the other files are stored.
 * A file that would pass the uploader's hourly byte budget or their pending cap is refused (and
 * not stored) like any other.
 *
 * @example
 * const stored = await storeUploads(uploadContext(app, user.id), files, { purpose: 'file' });
 * if (!stored.ok) errors.files = request.t(stored.message, stored.params);
 */
export async function storeUploads(
  context: UploadContext,
  files: readonly UploadedFile[],
  options: { purpose: AttachmentPurpose; imagesOnly?: boolean },
): Promise<StoreResult> {
  const ids: number[] = [];
  let refusal: Refusal | null = null;
  for (const file of files) {
    const outcome = await storeOne(context, file, options);
    if (outcome.ok) ids.push(outcome.id);
    else refusal ??= outcome;
  }
  return refusal ? { ...refusal, ids } : { ok: true, ids };
}

async function storeOne(
  context: UploadContext,
  file: UploadedFile,
  options: { purpose: AttachmentPurpose; imagesOnly?: boolean },
): Promise<{ ok: true; id: number } | Refusal> {
  const name = displayName(file.filename);
  const refuse = (message: string, params: Record<string, string | number> = {}): Refusal => ({ ok: false, message, params: { name, ...params } });
  if (file.truncated || file.sizeBytes > context.maxBytes) {
    return refuse('attachments.errors.tooLarge', { maxMb: Math.round(context.maxBytes / MB) });
  }
  if (file.sizeBytes === 0) return refuse('attachments.errors.empty');

  const cap = pendingBytesCap(context.maxBytes);
  const pendingFull = () => refuse('attachments.errors.pendingFull', { maxMb: Math.round(cap / MB) });
  // Checked before any work on the file, and again when its row is written (uploads at the same time).
  if ((await pendingBytesOf(context.db, context.uploaderId)) + file.sizeBytes > cap) return pendingFull();
  let spent: Reservation | null = null;
  if (context.budget) {
    try {
      spent = await context.budget.limiter.reserve({ log: context.budget.log }, String(context.uploaderId), file.sizeBytes);
    } catch (error) {
      if (!(error instanceof TooManyRequests)) throw error;
      return refuse('attachments.errors.uploadBudget', { count: Math.max(1, Math.ceil(error.retryAfterSeconds / 60)) });
    }
  }
  // Bytes of a file refused for what it is are given back: only what is stored counts.
  return refundUnlessStored(spent, storeChecked(context, file, options, refuse, pendingFull));
}

/** Waits for a file to be stored, giving its bytes back to the budget when it is refused or fails. */
async function refundUnlessStored<T extends { ok: boolean }>(spent: Reservation | null, storing: Promise<T>): Promise<T> {
  try {
    const outcome = await storing;
    if (!outcome.ok) await spent?.refund();
    return outcome;
  } catch (error) {
    await spent?.refund();
    throw error;
  }
}

/** Types, moves and records one file that passed the size checks (storeOne's second half). */
async function storeChecked(
  context: UploadContext,
  file: UploadedFile,
  options: { purpose: AttachmentPurpose; imagesOnly?: boolean },
  refuse: (message: string, params?: Record<string, string | number>) => Refusal,
  pendingFull: () => Refusal,
): Promise<{ ok: true; id: number } | Refusal> {
  const name = displayName(file.filename);
  const type = await detectType(file.tempPath, name);
  if (!type || (options.imagesOnly && !type.isImage)) return refuse(options.imagesOnly ? 'attachments.errors.notImage' : 'attachments.errors.type');
  let size: { width: number; height: number } | null = null;
  if (type.isImage) {
    const image = await checkImage(file.tempPath);
    if (!image.ok) {
      return image.problem === 'tooManyPixels'
        ? refuse('attachments.errors.tooManyPixels', { megapixels: MAX_IMAGE_PIXELS / 1_000_000 })
        : refuse('attachments.errors.unreadable');
    }
    size = { width: image.width, height: image.height };
  }

  const key = newStorageKey();
  const target = storedPath(context.dataDir, key);
  await fs.mkdir(path.dirname(target), { recursive: true });
  await fs.rename(file.tempPath, target);
  try {
    if (type.isImage && !(await writePreview(target, storedPath(context.dataDir, key, 'preview')))) {
      await removeStoredFiles(context.dataDir, [key]);
      return refuse('attachments.errors.unreadable');
    }
    // Photos lose their metadata (GPS position, date, device) before anyone can download them.
    const storedBytes = type.isImage ? await stripMetadata(target, type.mimeType) : file.sizeBytes;
    if (storedBytes === null) {
      await removeStoredFiles(context.dataDir, [key]);
      return refuse('attachments.errors.unreadable');
    }
    const cap = pendingBytesCap(context.maxBytes);
    const id = await context.db.transaction().execute(async (trx) => {
      // The cap again, with the row: two forms sent at once cannot both fill it.
      if ((await pendingBytesOf(trx, context.uploaderId)) + file.sizeBytes > cap) return null;
      const row = await trx
        .insertInto('attachments')
        .values({
          uploader_id: context.uploaderId,
          storage_key: key,
          original_name: name,
          mime_type: type.mimeType,
          size_bytes: storedBytes,
          is_image: type.isImage ? 1 : 0,
          width: size?.width ?? null,
          height: size?.height ?? null,
          has_preview: type.isImage ? 1 : 0,
          content_id: null,
          comment_id: null,
          space_id: null,
          purpose: options.purpose,
          created_at: Date.now(),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return row.id;
    });
    if (id === null) {
      await removeStoredFiles(context.dataDir, [key]);
      return pendingFull();
    }
    return { ok: true, id };
  } catch (error) {
    await removeStoredFiles(context.dataDir, [key]);
    throw error;
  }
}

/** Ids a form may claim at most (more is not a person filling in a form). */
const MAX_CLAIMED = 50;

/**
 * The attachment ids a form sends back (its `attachmentIds` checkboxes, or `name`): whole numbers
 * only, each once. Not yet checked: pass them to pendingAttachmentIds (or use receiveAttachments).
 * Read them with this, not with parseForm, which refuses a repeated field.
 */
export function claimedAttachmentIds(fields: ReadForm['fields'], name = 'attachmentIds'): number[] {
  const raw = Object.hasOwn(fields, name) ? fields[name] : undefined;
  const values = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  const ids = new Set<number>();
  for (const value of values) {
    const id = optionalId(typeof value === 'string' ? value.trim() : value);
    if (id !== null) ids.add(id);
    if (ids.size >= MAX_CLAIMED) break;
  }
  return [...ids];
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

export interface ReceivedAttachments {
  /** The pending attachments this form now holds (kept from before, and just uploaded): give them with attachAll. */
  ids: number[];
  /** The same, for the picker when the form is shown again. */
  pending: AttachmentRef[];
  /** What to show on the picker's field (already translated), or null. */
  error: string | null;
}

/**
 * Everything a form with a picker does with files, in one call: stores the new files of `field`,
 * keeps the pending ones still ticked (`idsName`, default "attachmentIds") that are the uploader's
 * own and of this `purpose`, and says what went wrong. With `imagesOnly` (a single image: covers,
 * space images), the newest image wins.
 *
 * @example
 * const form = await readForm(request);
 * const files = await receiveAttachments(uploadContext(app, user.id), form, { field: 'files', purpose: 'file', t: request.t });
 * if (!parsed.ok || files.error) return reply.render(..., { picker: { name: 'files', imagesOnly: false, pending: files.pending } }, { status: 422 });
 * await attachAll(trx, files.ids, { contentId }, user.id);
 */
export async function receiveAttachments(
  context: UploadContext,
  form: ReadForm,
  options: { field: string; idsName?: string; purpose: AttachmentPurpose; imagesOnly?: boolean; t: Translate },
): Promise<ReceivedAttachments> {
  const uploads = form.files.filter((f) => f.field === options.field);
  const stored = await storeUploads(context, uploads, { purpose: options.purpose, imagesOnly: options.imagesOnly ?? false });
  const claimed = claimedAttachmentIds(form.fields, options.idsName);
  let pending = await loadPendingRefs(context.db, context.uploaderId, [...claimed, ...stored.ids], options.purpose);
  if (options.imagesOnly) {
    pending = pending.filter((ref) => ref.isImage);
    // The newest upload replaces whatever was chosen before.
    if (pending.length > 1) pending = [pending.at(-1)!];
  }
  return {
    ids: pending.map((ref) => ref.id),
    pending,
    error: stored.ok ? null : options.t(stored.message, stored.params),
  };
}

export type AttachmentOwner = { contentId: number } | { commentId: number; contentId: number } | { spaceId: number };

/**
 * Gives pending attachments to what they were uploaded for, checking in the same statement that each
 * is still `uploaderId`'s and still pending (a form sent twice at once, from two tabs, must not move
 * a file from one item to another). Returns how many it gave; use attachAll to have all or nothing.
 */
export async function attachTo(
  trx: Transaction<Database> | Kysely<Database>,
  ids: readonly number[],
  owner: AttachmentOwner,
  uploaderId: number,
): Promise<number> {
  if (ids.length === 0) return 0;
  const result = await trx
    .updateTable('attachments')
    .set({
      content_id: 'contentId' in owner ? owner.contentId : null,
      comment_id: 'commentId' in owner ? owner.commentId : null,
      space_id: 'spaceId' in owner ? owner.spaceId : null,
    })
    .where('id', 'in', [...new Set(ids)])
    .where('uploader_id', '=', uploaderId)
    .where('content_id', 'is', null)
    .where('comment_id', 'is', null)
    .where('space_id', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/**
 * A file of the form was claimed by another request (the same form sent twice at once) between the
 * form's checks and its transaction. Thrown by attachAll so that the transaction rolls back; the
 * route shows the form again with `attachments.errors.taken` and the files still pending (stillPending).
 */
export class AttachmentsTaken extends Error {
  constructor() {
    super('an attachment was claimed by another request');
    this.name = 'AttachmentsTaken';
  }
}

/**
 * attachTo, all or nothing: throws AttachmentsTaken (rolling back the caller's transaction) when one
 * of `ids` was no longer `uploaderId`'s pending attachment.
 *
 * @example
 * await db.transaction().execute(async (trx) => { const id = await insert(trx); await attachAll(trx, files.ids, { contentId: id }, user.id); });
 */
export async function attachAll(
  trx: Transaction<Database> | Kysely<Database>,
  ids: readonly number[],
  owner: AttachmentOwner,
  uploaderId: number,
): Promise<void> {
  const wanted = new Set(ids).size;
  if ((await attachTo(trx, ids, owner, uploaderId)) !== wanted) throw new AttachmentsTaken();
}

/** Among a refused form's pending files, those still pending (for the picker once attachAll failed). */
export async function stillPending(db: Kysely<Database>, uploaderId: number, refs: readonly AttachmentRef[]): Promise<AttachmentRef[]> {
  const ids = new Set(await pendingAttachmentIds(db, uploaderId, refs.map((ref) => ref.id)));
  return refs.filter((ref) => ids.has(ref.id));
}

/**
 * Removes the owner's attachments of `purpose` except those in `keep` (an edit form's unticked files,
 * a replaced cover). Returns their storage keys: pass them to removeStoredFiles once the transaction
 * has committed (the hourly sweep removes them otherwise).
 */
export async function detachAttachments(
  trx: Transaction<Database> | Kysely<Database>,
  owner: AttachmentOwner,
  options: { purpose: AttachmentPurpose; keep?: readonly number[] },
): Promise<string[]> {
  let query = trx.deleteFrom('attachments').where('purpose', '=', options.purpose);
  if ('commentId' in owner) query = query.where('comment_id', '=', owner.commentId);
  else if ('contentId' in owner) query = query.where('content_id', '=', owner.contentId).where('comment_id', 'is', null);
  else query = query.where('space_id', '=', owner.spaceId);
  if (options.keep && options.keep.length > 0) query = query.where('id', 'not in', [...options.keep]);
  const rows = await query.returning('storage_key').execute();
  return rows.map((r) => r.storage_key);
}

/**
 * The attachment if `viewer` may download it: an item's (or its comment's) when they may see that,
 * a space's when they may see the space, a pending one only by its uploader. Undefined otherwise,
 * exactly as for an id that does not exist.
 */
export async function visibleAttachment(db: Kysely<Database>, viewer: Viewer, id: number): Promise<Attachment | undefined> {
  const attachment = await findAttachment(db, id);
  if (!attachment) return undefined;
  let visible: boolean;
  if (attachment.comment_id !== null) {
    const comment = await loadCommentSubject(db, attachment.comment_id);
    visible = comment !== undefined && can(viewer, 'comment.view', comment);
  } else if (attachment.content_id !== null) {
    const content = await loadContentSubject(db, attachment.content_id);
    visible = content !== undefined && can(viewer, 'content.view', content);
  } else if (attachment.space_id !== null) {
    const space = await loadSpaceSubject(db, attachment.space_id);
    visible = space !== undefined && can(viewer, 'space.view', space);
  } else {
    visible = attachment.uploader_id !== null && attachment.uploader_id === viewer.id;
  }
  return visible ? attachment : undefined;
}
