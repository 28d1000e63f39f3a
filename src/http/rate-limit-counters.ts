// The rate limits' memory: how many times each key was counted in its current window, kept in
// SQLite. One statement per count, so parallel requests see each other; nothing is ever evicted
// to make room, and a restart forgets nothing.
import crypto from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

export interface WindowCount {
  /** Events counted in the current window, this one included. */
  count: number;
  windowEndsAt: number;
}

/** The key is hashed: the table holds no email or address in clear, and rows stay small whatever was typed. */
function hashKey(key: string): Buffer {
  return crypto.createHash('sha256').update(key).digest();
}

/**
 * Fixed-window counters, one per (limit, key).
 *
 * @example
 * const { count, windowEndsAt } = await counters.increment('resetRequestsPerEmail', email, 3_600_000);
 * if (count > 3) await counters.decrement('resetRequestsPerEmail', email, windowEndsAt);
 */
export class RateLimitCounters {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Counts `amount` more (one event by default) for `key`, in a new window of `windowMs` when the
   * last one has ended.
   */
  async increment(limitName: string, key: string, windowMs: number, now = Date.now(), amount = 1): Promise<WindowCount> {
    const ended = sql<boolean>`window_ends_at <= ${now}`;
    const row = await this.db
      .insertInto('rate_limit_counters')
      .values({ limit_name: limitName, key_hash: hashKey(key), count: amount, window_ends_at: now + windowMs })
      .onConflict((conflict) =>
        conflict.columns(['limit_name', 'key_hash']).doUpdateSet({
          // Both read the row as it was before this statement.
          count: sql<number>`case when ${ended} then ${amount} else count + ${amount} end`,
          window_ends_at: sql<number>`case when ${ended} then ${now + windowMs} else window_ends_at end`,
        }),
      )
      .returning(['count', 'window_ends_at'])
      .executeTakeFirstOrThrow();
    return { count: row.count, windowEndsAt: row.window_ends_at };
  }

  /** Takes back `amount` (one event by default) counted in the window ending at `windowEndsAt` (a later window is left alone). */
  async decrement(limitName: string, key: string, windowEndsAt: number, amount = 1): Promise<void> {
    await this.db
      .updateTable('rate_limit_counters')
      .set({ count: sql<number>`max(count - ${amount}, 0)` })
      .where('limit_name', '=', limitName)
      .where('key_hash', '=', hashKey(key))
      .where('window_ends_at', '=', windowEndsAt)
      .where('count', '>', 0)
      .execute();
  }

  /** Forgets the windows that have ended; run periodically. */
  async deleteEnded(now = Date.now()): Promise<number> {
    const result = await this.db.deleteFrom('rate_limit_counters').where('window_ends_at', '<=', now).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
