// Deleted content is kept 30 days for an admin to restore, then purged for good: the content row and,
// through the foreign keys' cascades, its kind's row, comments, reactions, mentions, topics links,
// read confirmations, reminders, reports, notifications and attachment rows. Run periodically, in the
// background: in small batches, giving the event loop back to requests between two batches.
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { RESTORE_WINDOW_MS } from '../../policy/content-rules.js';

export const PURGE_INTERVAL_MS = 60 * 60 * 1000;
/**
 * Items purged per transaction: a long backlog never holds the database (nor, better-sqlite3 being
 * synchronous, the event loop) for long: about 20 ms for 100 items with their comments on the
 * seeded database (docs/performance.md).
 */
const BATCH_SIZE = 100;

export interface PurgeOptions {
  now?: number;
  batchSize?: number;
  /**
   * Removes the stored files of the purged attachments, once their rows are gone (their random
   * names under DATA_DIR/uploads). Called after each committed batch.
   */
  removeFiles?: (storageKeys: string[]) => Promise<void>;
  /** Stops after the batch in progress (the server is closing). */
  signal?: AbortSignal;
}

export interface PurgeResult {
  contentPurged: number;
  /** Storage keys of the attachments whose rows were purged. */
  storageKeys: string[];
}

/**
 * Purges content deleted more than 30 days ago, batch after batch until none is left.
 *
 * @example
 * const { contentPurged } = await purgeExpiredContent(app.db, { removeFiles });
 */
export async function purgeExpiredContent(db: Kysely<Database>, options: PurgeOptions = {}): Promise<PurgeResult> {
  const now = options.now ?? Date.now();
  const batchSize = options.batchSize ?? BATCH_SIZE;
  const result: PurgeResult = { contentPurged: 0, storageKeys: [] };
  for (;;) {
    const batch = await db.transaction().execute(async (trx) => {
      const rows = await trx
        .selectFrom('content')
        .select('id')
        .where('deleted_at', 'is not', null)
        .where('deleted_at', '<=', now - RESTORE_WINDOW_MS)
        .orderBy('deleted_at')
        .limit(batchSize)
        .execute();
      const ids = rows.map((r) => r.id);
      if (ids.length === 0) return { ids, storageKeys: [] as string[] };
      const files = await trx
        .selectFrom('attachments')
        .select('storage_key')
        .where((eb) =>
          eb.or([
            eb('content_id', 'in', ids),
            eb('comment_id', 'in', eb.selectFrom('comments').select('id').where('content_id', 'in', ids)),
          ]),
        )
        .execute();
      await trx.deleteFrom('content').where('id', 'in', ids).execute();
      return { ids, storageKeys: files.map((f) => f.storage_key) };
    });
    if (batch.ids.length === 0) break;
    result.contentPurged += batch.ids.length;
    result.storageKeys.push(...batch.storageKeys);
    if (options.removeFiles && batch.storageKeys.length > 0) await options.removeFiles(batch.storageKeys);
    if (batch.ids.length < batchSize || options.signal?.aborted) break;
    // Requests waiting meanwhile are answered before the next batch.
    await nextTurn();
  }
  return result;
}
