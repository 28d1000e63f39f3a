// The people feature's reads: one person's public profile, and the names offered while typing a mention.
import { sql, type Kysely } from 'kysely';
import { sortName } from '../../auth/users.js';
import type { Database, Role, UserStatus } from '../../db/schema.js';

/** What any member may know of another: no email, no dates of sign-in. */
export interface Person {
  id: number;
  name: string;
  role: Role;
  status: UserStatus;
}

export async function findPerson(db: Kysely<Database>, id: number): Promise<Person | undefined> {
  return db.selectFrom('users').select(['id', 'name', 'role', 'status']).where('id', '=', id).executeTakeFirst();
}

/** Names offered at most, and the fewest characters typed before any is. */
export const SUGGESTION_LIMIT = 8;
export const SUGGESTION_MIN_LENGTH = 2;

/** Escapes LIKE's wildcards, so that "50%" or "a_b" match themselves. */
const likeLiteral = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * Active people whose name starts with `query`, then those with a word starting with it, then those
 * containing it; accents and case do not matter (users.sort_name is folded). Deactivated people are
 * never offered: they cannot be mentioned.
 *
 * @example
 * await suggestPeople(db, 'emi') // Émilie Durand, Jean-Émile Roy, ...
 */
export async function suggestPeople(db: Kysely<Database>, query: string, limit = SUGGESTION_LIMIT): Promise<Array<{ id: number; name: string }>> {
  const folded = sortName(query).slice(0, 100);
  if (folded.length < SUGGESTION_MIN_LENGTH) return [];
  const literal = likeLiteral(folded);
  const rank = sql<number>`case when sort_name like ${`${literal}%`} escape '\\' then 0 when sort_name like ${`% ${literal}%`} escape '\\' or sort_name like ${`%-${literal}%`} escape '\\' then 1 else 2 end`;
  return db
    .selectFrom('users')
    .select(['id', 'name'])
    .where('status', '=', 'active')
    .where(sql<boolean>`sort_name like ${`%${literal}%`} escape '\\'`)
    .orderBy(rank)
    .orderBy('sort_name')
    .orderBy('id')
    .limit(limit)
    .execute();
}
