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
