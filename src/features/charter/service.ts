// The usage charter's writes: publishing a new version (an admin), accepting the current one (anyone).
import type { Kysely } from 'kysely';
import { recordAudit } from '../../audit/audit-log.js';
import { renderMarkdown } from '../../content/markdown.js';
import type { Database } from '../../db/schema.js';

/** Longest charter, in characters of markdown. */
export const CHARTER_MAX = 50_000;

/**
 * Publishes `body` (markdown) as the new version of the charter: everyone must accept it, again.
 * Returns its id.
 */
export async function publishCharter(db: Kysely<Database>, actorId: number, body: string, now = Date.now()): Promise<number> {
  const rendered = await renderMarkdown(db, body, 'article');
  return db.transaction().execute(async (trx) => {
    const previous = await trx.selectFrom('charter_versions').select('id').orderBy('id', 'desc').limit(1).executeTakeFirst();
    const row = await trx
      .insertInto('charter_versions')
      .values({ body, body_html: rendered.html, published_by: actorId, published_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    // The version in force before and after (its number is its id), and the new text's length: the
    // texts themselves are kept, every version, in charter_versions; the log does not copy them.
    await recordAudit(
      trx,
      { actorId, action: 'charter.publish', subjectType: 'charter_version', subjectId: row.id, details: { version: { before: previous?.id ?? null, after: row.id }, length: body.length } },
      now,
    );
    return row.id;
  });
}

/**
 * Records that `userId` accepted version `versionId`, if it is still the current one (accepting a
 * version that was replaced in the meantime counts for nothing). Accepting twice changes nothing.
 */
export async function acceptCharter(db: Kysely<Database>, userId: number, versionId: number, now = Date.now()): Promise<'accepted' | 'outdated'> {
  return db.transaction().execute(async (trx) => {
    const current = await trx.selectFrom('charter_versions').select('id').orderBy('id', 'desc').limit(1).executeTakeFirst();
    if (!current || current.id !== versionId) return 'outdated';
    await trx
      .insertInto('charter_acceptances')
      .values({ version_id: versionId, user_id: userId, accepted_at: now })
      .onConflict((oc) => oc.columns(['version_id', 'user_id']).doNothing())
      .execute();
    return 'accepted';
  });
}
