// The usage charter's reads: the current version, whether someone accepted it, and the versions with
// how many of today's active members accepted each.
import type { Kysely } from 'kysely';
import type { Database, Millis } from '../../db/schema.js';

/** How many versions the admin page lists (the newest); a charter changes a few times a year. */
export const VERSIONS_LISTED = 50;

export interface CharterVersion {
  id: number;
  body: string;
  bodyHtml: string;
  publishedAt: Millis;
}

/** The version in force: the newest published one, or undefined when none was ever published. */
export async function currentCharter(db: Kysely<Database>): Promise<CharterVersion | undefined> {
  const row = await db.selectFrom('charter_versions').select(['id', 'body', 'body_html', 'published_at']).orderBy('id', 'desc').limit(1).executeTakeFirst();
  return row && { id: row.id, body: row.body, bodyHtml: row.body_html, publishedAt: row.published_at };
}

/** When this person accepted this version, or null. */
export async function acceptedAt(db: Kysely<Database>, versionId: number, userId: number): Promise<Millis | null> {
  const row = await db
    .selectFrom('charter_acceptances')
    .select('accepted_at')
    .where('version_id', '=', versionId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row?.accepted_at ?? null;
}

export interface VersionSummary {
  id: number;
  publishedAt: Millis;
  publishedBy: string | null;
  /** Active members who accepted this version. */
  accepted: number;
}

/**
 * The newest versions, with their acceptance counts among active members, and how many members are
 * active: "accepted by N of M".
 */
export async function listVersions(db: Kysely<Database>): Promise<{ versions: VersionSummary[]; activeUsers: number }> {
  const [versions, active] = await Promise.all([
    db
      .selectFrom('charter_versions as v')
      .leftJoin('users as u', 'u.id', 'v.published_by')
      .select(['v.id', 'v.published_at', 'u.name'])
      .select((eb) =>
        eb
          .selectFrom('charter_acceptances as a')
          .innerJoin('users as m', 'm.id', 'a.user_id')
          .select((inner) => inner.fn.countAll<number>().as('n'))
          .whereRef('a.version_id', '=', 'v.id')
          .where('m.status', '=', 'active')
          .as('accepted'),
      )
      .orderBy('v.id', 'desc')
      .limit(VERSIONS_LISTED)
      .execute(),
    db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'active').executeTakeFirstOrThrow(),
  ]);
  return {
    versions: versions.map((v) => ({ id: v.id, publishedAt: v.published_at, publishedBy: v.name, accepted: Number(v.accepted ?? 0) })),
    activeUsers: Number(active.n),
  };
}
