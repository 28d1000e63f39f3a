// Erasing a deactivated member's data (GDPR, right to erasure), in one transaction: the core's parts
// (src/gdpr/core-parts.ts) and every plugin's `user.erase` hook through app.plugins.eraseUser, and the
// audit entry. What they wrote stays, shown as written by a former member. docs/gdpr.md.
import type { FastifyInstance } from 'fastify';
import { recordAudit } from '../../audit/audit-log.js';
import type { Millis } from '../../db/schema.js';
import { ErasurePartFailed } from '../../plugins/runtime.js';
import { syncSearchIndex } from '../../search/sync.js';
import { removePhoto } from '../people/photos.js';
import { photoInUse } from '../people/queries.js';

export type EraseOutcome =
  | { ok: true }
  /** Reactivated (or already erased) since the page was shown: only a deactivated member is erased. */
  | { ok: false; problem: 'notDeactivated' }
  /** A part threw: nothing was erased. `part` is 'core.profile', or a plugin's id. */
  | { ok: false; problem: 'partFailed'; part: string };

class NotDeactivated extends Error {}

/**
 * Erases a deactivated member's data. The photo's file is deleted after the commit (a rollback must
 * never leave a profile pointing at a deleted file), and the search index is brought up to date.
 * Nothing is erased when any part fails.
 *
 * @example
 * const outcome = await eraseMember(app, admin.id, member.id);
 * if (!outcome.ok && outcome.problem === 'partFailed') showError(outcome.part);
 */
export async function eraseMember(
  app: Pick<FastifyInstance, 'db' | 'plugins' | 'config' | 'log' | 'searchSources' | 'contentKinds'>,
  actorId: number,
  memberId: number,
  now: Millis = Date.now(),
): Promise<EraseOutcome> {
  let photo: string | null;
  try {
    photo = await app.db.transaction().execute(async (trx) => {
      // Read again in the transaction: the admin's page may be older than a reactivation.
      const member = await trx.selectFrom('users').select(['status', 'photo_id']).where('id', '=', memberId).executeTakeFirst();
      if (member?.status !== 'deactivated') throw new NotDeactivated();
      await app.plugins.eraseUser(trx, memberId, now);
      // Nothing about the person but their id (the subject) and the status change: the details of an
      // erasure are no place for what was erased.
      await recordAudit(trx, { actorId, action: 'member.erase', subjectType: 'user', subjectId: memberId, details: { status: { before: 'deactivated', after: 'erased' } } }, now);
      return member.photo_id;
    });
  } catch (error) {
    if (error instanceof NotDeactivated) return { ok: false, problem: 'notDeactivated' };
    if (error instanceof ErasurePartFailed) {
      app.log.error({ err: error, memberId, part: error.part }, 'erasure failed: nothing was erased');
      return { ok: false, problem: 'partFailed', part: error.part };
    }
    throw error;
  }
  if (photo !== null && !(await photoInUse(app.db, photo))) await removePhoto(app.config.dataDir, photo);
  // The index's copy of their profile goes now, not at the next search. Committed already: a failure
  // here is logged, and the next search brings the index up to date anyway.
  await syncSearchIndex(app).catch((error: unknown) => app.log.error({ err: error, memberId }, 'search index not brought up to date after an erasure'));
  return { ok: true };
}
