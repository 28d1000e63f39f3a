// The administration's reads: the audit log, newest first, by pages (keyset on created_at, id: the
// index audit_log_by_created), filtered by action (exact, or a prefix such as "member.") and by actor.
import { sql, type Expression, type ExpressionBuilder, type Kysely, type SqlBool } from 'kysely';
import type { Database } from '../../db/schema.js';
import { encodeTimeCursor, parseTimeCursor, type TimeCursor } from '../../http/cursor.js';

export const AUDIT_PAGE_SIZE = 50;

/** Who an entry is filtered on: a person's id, or Hameau itself (entries with no actor). */
export type ActorFilter = number | 'system';

export interface AuditFilters {
  /** "member.deactivate" (that action) or "member." (every action of that family). */
  action?: string | null;
  actor?: ActorFilter | null;
}

export interface AuditEntryRow {
  id: number;
  created_at: number;
  action: string;
  actor_id: number | null;
  actor_name: string | null;
  subject_type: string;
  subject_id: string | null;
  /** The subject's name when it is a person or a space that still exists. */
  subject_name: string | null;
  details: string;
}

export interface AuditPage {
  entries: AuditEntryRow[];
  /** Cursor of the page of newer entries, or null on the first page. */
  newer: string | null;
  /** Cursor of the page of older entries, or null on the last page. */
  older: string | null;
}

type Builder = ExpressionBuilder<Database, 'audit_log'>;

/** LIKE with the filter's own "%" and "_" taken literally. */
function likePrefix(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function matches(filters: AuditFilters) {
  return (eb: Builder): Expression<SqlBool> => {
    const conditions: Expression<SqlBool>[] = [];
    if (filters.action) {
      conditions.push(
        filters.action.endsWith('.')
          ? sql<SqlBool>`${eb.ref('audit_log.action')} like ${likePrefix(filters.action)} escape '\\'`
          : eb('audit_log.action', '=', filters.action),
      );
    }
    if (filters.actor === 'system') conditions.push(eb('audit_log.actor_id', 'is', null));
    else if (typeof filters.actor === 'number') conditions.push(eb('audit_log.actor_id', '=', filters.actor));
    return eb.and(conditions);
  };
}

const olderThan = (c: TimeCursor) => (eb: Builder) =>
  eb.or([eb('audit_log.created_at', '<', c.at), eb.and([eb('audit_log.created_at', '=', c.at), eb('audit_log.id', '<', c.id)])]);
const newerThan = (c: TimeCursor) => (eb: Builder) =>
  eb.or([eb('audit_log.created_at', '>', c.at), eb.and([eb('audit_log.created_at', '=', c.at), eb('audit_log.id', '>', c.id)])]);

function entriesQuery(db: Kysely<Database>) {
  return db
    .selectFrom('audit_log')
    .leftJoin('users as actor', 'actor.id', 'audit_log.actor_id')
    .leftJoin('users as subject_user', (join) =>
      join.on('audit_log.subject_type', '=', 'user').on(sql`subject_user.id`, '=', sql`cast(audit_log.subject_id as integer)`),
    )
    .leftJoin('spaces as subject_space', (join) =>
      join.on('audit_log.subject_type', '=', 'space').on(sql`subject_space.id`, '=', sql`cast(audit_log.subject_id as integer)`),
    )
    .select([
      'audit_log.id',
      'audit_log.created_at',
      'audit_log.action',
      'audit_log.actor_id',
      'actor.name as actor_name',
      'audit_log.subject_type',
      'audit_log.subject_id',
      (eb) => eb.fn.coalesce('subject_user.name', 'subject_space.name').as('subject_name'),
      'audit_log.details',
    ]);
}

const cursorOf = (row: AuditEntryRow) => encodeTimeCursor({ at: row.created_at, id: row.id });

async function exists(db: Kysely<Database>, filters: AuditFilters, position: (eb: Builder) => Expression<SqlBool>): Promise<boolean> {
  const row = await db.selectFrom('audit_log').select('id').where(matches(filters)).where(position).limit(1).executeTakeFirst();
  return row !== undefined;
}

/**
 * One page of the audit log, newest first: the first page, the page after `older` (older entries)
 * or the page before `newer` (newer entries). A cursor Hameau did not write starts from the newest.
 *
 * @example
 * const page = await listAudit(app.db, { action: 'member.' }, { older: '1767000000000|42' });
 */
export async function listAudit(
  db: Kysely<Database>,
  filters: AuditFilters,
  position: { older?: string | null; newer?: string | null } = {},
): Promise<AuditPage> {
  const backTo = parseTimeCursor(position.newer);
  if (backTo) {
    const rows = await entriesQuery(db)
      .where(matches(filters))
      .where(newerThan(backTo))
      .orderBy('audit_log.created_at', 'asc')
      .orderBy('audit_log.id', 'asc')
      .limit(AUDIT_PAGE_SIZE + 1)
      .execute();
    // Nothing newer beyond this page: that is the first page, shown whole.
    if (rows.length <= AUDIT_PAGE_SIZE) return listAudit(db, filters);
    const entries = rows.slice(0, AUDIT_PAGE_SIZE).reverse();
    const last = entries.at(-1)!;
    return {
      entries,
      newer: cursorOf(entries[0]!),
      older: (await exists(db, filters, olderThan({ at: last.created_at, id: last.id }))) ? cursorOf(last) : null,
    };
  }

  const from = parseTimeCursor(position.older);
  let query = entriesQuery(db).where(matches(filters)).orderBy('audit_log.created_at', 'desc').orderBy('audit_log.id', 'desc').limit(AUDIT_PAGE_SIZE + 1);
  if (from) query = query.where(olderThan(from));
  const rows = await query.execute();
  const entries = rows.slice(0, AUDIT_PAGE_SIZE);
  const first = entries[0];
  const anchor = first ? { at: first.created_at, id: first.id } : from;
  return {
    entries,
    newer: from && anchor && (await exists(db, filters, newerThan(anchor))) ? encodeTimeCursor(anchor) : null,
    older: rows.length > AUDIT_PAGE_SIZE ? cursorOf(entries.at(-1)!) : null,
  };
}

/** Every action the log holds, for the filter (sorted). */
export async function auditActions(db: Kysely<Database>): Promise<string[]> {
  const rows = await db.selectFrom('audit_log').select('action').distinct().orderBy('action').execute();
  return rows.map((row) => row.action);
}

/** Everyone who has an entry in the log, by name, for the filter; and whether Hameau itself has some. */
export async function auditActors(db: Kysely<Database>): Promise<{ people: Array<{ id: number; name: string }>; system: boolean }> {
  // One pass over the log (no index on actor_id): the distinct actors, then their names.
  const people = await db
    .selectFrom('audit_log')
    .innerJoin('users', 'users.id', 'audit_log.actor_id')
    .select(['users.id', 'users.name', 'users.sort_name'])
    .distinct()
    .orderBy('users.sort_name')
    .orderBy('users.id')
    .execute();
  const system = await db.selectFrom('audit_log').select('id').where('actor_id', 'is', null).limit(1).executeTakeFirst();
  return { people: people.map(({ id, name }) => ({ id, name })), system: system !== undefined };
}
