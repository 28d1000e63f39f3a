// The members page's reads: only the columns it shows or acts on (never the password hash).
import type { Expression, ExpressionBuilder, Kysely, SqlBool } from 'kysely';
import type { Database, User } from '../../db/schema.js';
import { encodeNameCursor, parseNameCursor, type NameCursor } from '../../http/cursor.js';

/** A member as the admin's page sees them; also what the policy's member rules need. */
export type MemberRow = Pick<User, 'id' | 'name' | 'email' | 'role' | 'status'>;

const MEMBER_COLUMNS = ['id', 'name', 'email', 'role', 'status'] as const;

export const MEMBERS_PAGE_SIZE = 50;

export interface MemberPage {
  members: MemberRow[];
  /** Cursor of the page before this one (for `?before=`), or null on the first page. */
  previous: string | null;
  /** Cursor of the page after this one (for `?after=`), or null on the last page. */
  next: string | null;
}

/** The member with this id, with only the columns the members page needs, or undefined. */
export async function findMember(db: Kysely<Database>, id: number): Promise<MemberRow | undefined> {
  return db.selectFrom('users').select(MEMBER_COLUMNS).where('id', '=', id).executeTakeFirst();
}

/** A position in the list sorted by (sort_name, id); written "sort name|id" in URLs (src/http/cursor.ts). */
type Cursor = NameCursor;

type UsersCondition = (eb: ExpressionBuilder<Database, 'users'>) => Expression<SqlBool>;
const beyond = (cursor: Cursor): UsersCondition => (eb) => eb(eb.refTuple('sort_name', 'id'), '>', eb.tuple(cursor.name, cursor.id));
const before = (cursor: Cursor): UsersCondition => (eb) => eb(eb.refTuple('sort_name', 'id'), '<', eb.tuple(cursor.name, cursor.id));

const cursorOf = (row: { sort_name: string; id: number }) => encodeNameCursor({ name: row.sort_name, id: row.id });

/**
 * Members sorted by name, a page at a time (keyset on the users_by_sort_name index): the first
 * page, the page after `after`, or the page before `before`.
 *
 * @example
 * const page = await listMembers(db, { after: request.query.after });
 */
export async function listMembers(db: Kysely<Database>, position: { after?: string | null; before?: string | null } = {}): Promise<MemberPage> {
  const backTo = parseNameCursor(position.before);
  if (backTo) {
    const rows = await db
      .selectFrom('users')
      .select([...MEMBER_COLUMNS, 'sort_name'])
      .where(before(backTo))
      .orderBy('sort_name', 'desc')
      .orderBy('id', 'desc')
      .limit(MEMBERS_PAGE_SIZE + 1)
      .execute();
    // Nothing more before: that is the first page, shown whole (members may have come and gone).
    if (rows.length <= MEMBERS_PAGE_SIZE) return listMembers(db);
    const page = rows.slice(0, MEMBERS_PAGE_SIZE).reverse();
    const last = page.at(-1)!;
    return {
      members: page.map(withoutSortName),
      previous: cursorOf(page[0]!),
      next: (await exists(db, beyond(last))) ? cursorOf(last) : null,
    };
  }

  const from = parseNameCursor(position.after);
  let query = db.selectFrom('users').select([...MEMBER_COLUMNS, 'sort_name']).orderBy('sort_name').orderBy('id').limit(MEMBERS_PAGE_SIZE + 1);
  if (from) query = query.where(beyond(from));
  const rows = await query.execute();
  const page = rows.slice(0, MEMBERS_PAGE_SIZE);
  const first = page[0];
  const last = page.at(-1);
  const anchor = first ? { name: first.sort_name, id: first.id } : from;
  return {
    members: page.map(withoutSortName),
    previous: from && anchor && (await exists(db, before(anchor))) ? encodeNameCursor(anchor) : null,
    next: rows.length > MEMBERS_PAGE_SIZE && last ? cursorOf(last) : null,
  };
}

function withoutSortName({ sort_name: _sortName, ...member }: MemberRow & { sort_name: string }): MemberRow {
  return member;
}

async function exists(db: Kysely<Database>, condition: UsersCondition): Promise<boolean> {
  return (await db.selectFrom('users').select('id').where(condition).limit(1).executeTakeFirst()) !== undefined;
}
