// The audit log: who did what to whom, and when. Admin actions write here; nothing is ever updated.
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

export interface AuditEntry {
  actorId: number | null;
  action: string;
  subjectType: string;
  subjectId?: string | number | null;
  /** Before/after values; never passwords, tokens or message content. */
  details?: Record<string, unknown>;
}

/**
 * Appends one entry to the audit log. Call it in the same transaction as the change it records.
 *
 * @example
 * await recordAudit(trx, { actorId: admin.id, action: 'member.deactivate', subjectType: 'user', subjectId: member.id });
 */
export async function recordAudit(db: Kysely<Database>, entry: AuditEntry, now = Date.now()): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      actor_id: entry.actorId,
      action: entry.action,
      subject_type: entry.subjectType,
      subject_id: entry.subjectId === undefined || entry.subjectId === null ? null : String(entry.subjectId),
      details: JSON.stringify(entry.details ?? {}),
      created_at: now,
    })
    .execute();
}

/** One value's change, as the audit log's details hold it. */
export interface Change<T = unknown> {
  before: T;
  after: T;
}

/**
 * `{ key: { before, after } }` for each of `keys` whose value differs (compared as JSON, so records
 * and lists compare by content); empty when nothing changed. The usual `details` of an edit.
 *
 * @example
 * changedFields({ name: 'Acme', colour: null }, { name: 'Acme', colour: '#0b5d1e' }, ['name', 'colour'])
 * // { colour: { before: null, after: '#0b5d1e' } }
 */
export function changedFields<T extends object, K extends keyof T & string>(before: T, after: T, keys: readonly K[]): Partial<Record<K, Change<T[K]>>> {
  const changes: Partial<Record<K, Change<T[K]>>> = {};
  for (const key of keys) {
    if (JSON.stringify(before[key] ?? null) !== JSON.stringify(after[key] ?? null)) changes[key] = { before: before[key], after: after[key] };
  }
  return changes;
}
