// Password reset: a single-use link valid 60 minutes. Completing it sets the new password and
// ends every session of the account, wherever it was signed in.
import type { Kysely } from 'kysely';
import { recordAudit } from '../audit/audit-log.js';
import type { Database, User } from '../db/schema.js';
import { hashPassword } from './passwords.js';
import { invalidateUserSessions } from './sessions.js';
import { createLinkToken, hashSecret, looksLikeLinkToken } from './tokens.js';
import { findUserByEmail, setUserPassword } from './users.js';

export const RESET_VALIDITY_MS = 60 * 60 * 1000;

/**
 * Makes a reset link for an active account. Returns null for an unknown or deactivated email;
 * the caller answers the same way in both cases.
 */
export async function createPasswordReset(
  db: Kysely<Database>,
  email: string,
  now = Date.now(),
): Promise<{ user: User; token: string } | null> {
  const user = await findUserByEmail(db, email);
  if (!user || user.status !== 'active') return null;
  return { user, token: await issueResetToken(db, user.id, { now }) };
}

/**
 * A reset link for a known user. `issuedBy` names the admin who asked for it on the person's
 * behalf (when no email can be sent); that is written to the audit log.
 */
export async function issueResetToken(
  db: Kysely<Database>,
  userId: number,
  options: { issuedBy?: number; now?: number } = {},
): Promise<string> {
  const now = options.now ?? Date.now();
  const { token, tokenHash } = createLinkToken();
  await db
    .insertInto('password_resets')
    .values({ user_id: userId, token_hash: tokenHash, created_at: now, expires_at: now + RESET_VALIDITY_MS })
    .execute();
  if (options.issuedBy !== undefined) {
    await recordAudit(db, { actorId: options.issuedBy, action: 'member.issueResetLink', subjectType: 'user', subjectId: userId }, now);
  }
  return token;
}

export type ResetState = 'valid' | 'expired' | 'used' | 'unknown';

type ResetRow = NonNullable<Awaited<ReturnType<typeof findReset>>>;

/** The one rule for a link that exists: usable, used, or expired (or its account deactivated). */
function stateOf(reset: ResetRow, now: number): Exclude<ResetState, 'unknown'> {
  if (reset.used_at !== null) return 'used';
  if (reset.expires_at <= now || reset.status !== 'active') return 'expired';
  return 'valid';
}

/**
 * What a reset link is now and, when it can be used, whose account it is (the password policy
 * refuses the person's own name and email).
 *
 * @example
 * const link = await inspectResetLink(db, token);
 * if (link.state !== 'valid') return renderInvalid(reply, link.state);
 */
export async function inspectResetLink(
  db: Kysely<Database>,
  token: string,
  now = Date.now(),
): Promise<{ state: 'valid'; owner: { email: string; name: string } } | { state: Exclude<ResetState, 'valid'> }> {
  const reset = await findReset(db, token);
  if (!reset) return { state: 'unknown' };
  const state = stateOf(reset, now);
  if (state !== 'valid') return { state };
  return { state, owner: { email: reset.email, name: reset.name } };
}

async function findReset(db: Kysely<Database>, token: string) {
  if (!looksLikeLinkToken(token)) return undefined;
  return db
    .selectFrom('password_resets')
    .innerJoin('users', 'users.id', 'password_resets.user_id')
    .select(['password_resets.id', 'password_resets.user_id', 'password_resets.expires_at', 'password_resets.used_at', 'users.status', 'users.email', 'users.name'])
    .where('password_resets.token_hash', '=', hashSecret(token))
    .executeTakeFirst();
}

/**
 * Sets the new password from a valid link, spends every open link of the account and ends all
 * of its sessions, in one transaction. The link is checked again inside it: two tabs cannot both use it.
 */
export async function completePasswordReset(
  db: Kysely<Database>,
  token: string,
  newPassword: string,
  now = Date.now(),
): Promise<{ ok: true; userId: number } | { ok: false; state: Exclude<ResetState, 'valid'> }> {
  const passwordHash = await hashPassword(newPassword);
  return db.transaction().execute(async (trx) => {
    const reset = await findReset(trx, token);
    if (!reset) return { ok: false as const, state: 'unknown' as const };
    const state = stateOf(reset, now);
    if (state !== 'valid') return { ok: false as const, state };
    await setUserPassword(trx, reset.user_id, passwordHash, now);
    // Every link of this account is spent: an older email must not work after a newer one was used.
    await cancelPasswordResets(trx, reset.user_id, now);
    await invalidateUserSessions(trx, reset.user_id);
    await recordAudit(trx, { actorId: reset.user_id, action: 'user.passwordReset', subjectType: 'user', subjectId: reset.user_id }, now);
    return { ok: true as const, userId: reset.user_id };
  });
}

/**
 * Spends every reset link of an account that is still open (marks it used): after the password
 * changed, a link emailed earlier, perhaps to a mailbox someone else reads, must not change it again.
 */
export async function cancelPasswordResets(db: Kysely<Database>, userId: number, now = Date.now()): Promise<number> {
  const result = await db
    .updateTable('password_resets')
    .set({ used_at: now })
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
