// Invitations: an admin invites an email address; the single-use link (valid 7 days) lets the
// invitee choose a name and password. Only a hash of the link's token is stored, so a link can be
// shown once, when it is made; sending again makes a new link and retires the old one.
import type { ExpressionBuilder, Kysely } from 'kysely';
import { recordAudit } from '../audit/audit-log.js';
import type { Database, Invitation, Locale, Role } from '../db/schema.js';
import { hashPassword } from './passwords.js';
import { createLinkToken, hashSecret, looksLikeLinkToken } from './tokens.js';
import { findUserByEmail, insertUser, normaliseEmail } from './users.js';
import { applyInvitationProfile } from '../features/people/profile-on-accept.js';

export const INVITATION_VALIDITY_MS = 7 * 24 * 60 * 60 * 1000;

export type InvitationState = 'pending' | 'expired' | 'accepted' | 'revoked';

/**
 * Open: neither accepted nor revoked. An address has at most one open invitation (the unique index
 * `invitations_one_open_per_email` has this very condition); an open invitation may have expired,
 * and is then listed for the admin to send again or cancel.
 *
 * @example
 * db.selectFrom('invitations').selectAll().where(isOpen)
 */
export function isOpen(eb: ExpressionBuilder<Database, 'invitations'>) {
  return eb.and([eb('accepted_at', 'is', null), eb('revoked_at', 'is', null)]);
}

/** Pending: open and not expired, so its link can be used now. */
export function isPending(now: number) {
  return (eb: ExpressionBuilder<Database, 'invitations'>) => eb.and([isOpen(eb), eb('expires_at', '>', now)]);
}

/** The state of one invitation already read, by the same rules as `isOpen` and `isPending`. */
export function invitationState(invitation: Invitation, now = Date.now()): InvitationState {
  if (invitation.accepted_at !== null) return 'accepted';
  if (invitation.revoked_at !== null) return 'revoked';
  if (invitation.expires_at <= now) return 'expired';
  return 'pending';
}

export type CreateInvitationResult =
  | { ok: true; invitation: Invitation; token: string }
  | { ok: false; problem: 'alreadyMember' | 'alreadyInvited' };

/**
 * Invites `email`, unless it is a member or has a pending invitation. An expired invitation for the
 * same address is superseded (revoked) in the same transaction, since the address has room for
 * one open invitation only.
 */
export async function createInvitation(
  db: Kysely<Database>,
  /** `profile`: JSON the person's profile gets on acceptance (a CSV import; src/features/people/profile-on-accept.ts). */
  input: { email: string; role: Role; locale: Locale; invitedBy: number; profile?: string | null },
  now = Date.now(),
): Promise<CreateInvitationResult> {
  const email = normaliseEmail(input.email);
  const { token, tokenHash } = createLinkToken();
  try {
    return await db.transaction().execute(async (trx): Promise<CreateInvitationResult> => {
      if (await findUserByEmail(trx, email)) return { ok: false, problem: 'alreadyMember' };
      const superseded = await trx
        .updateTable('invitations')
        .set({ revoked_at: now })
        .where('email', '=', email)
        .where(isOpen)
        .where('expires_at', '<=', now)
        .returning('id')
        .execute();
      for (const { id } of superseded) {
        await recordAudit(trx, { actorId: input.invitedBy, action: 'invitation.supersede', subjectType: 'invitation', subjectId: id, details: { email } }, now);
      }
      // A pending invitation for this address makes the insert fail on the unique index (below).
      const invitation = await trx
        .insertInto('invitations')
        .values({
          email,
          role: input.role,
          locale: input.locale,
          token_hash: tokenHash,
          invited_by: input.invitedBy,
          created_at: now,
          expires_at: now + INVITATION_VALIDITY_MS,
          last_sent_at: now,
          profile: input.profile ?? null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await recordAudit(trx, { actorId: input.invitedBy, action: 'invitation.create', subjectType: 'invitation', subjectId: invitation.id, details: { email, role: input.role } }, now);
      return { ok: true, invitation, token };
    });
  } catch (error) {
    // Already invited, perhaps by another admin a moment ago: the transaction was rolled back whole.
    if (isUniqueViolation(error, 'invitations', 'email')) return { ok: false, problem: 'alreadyInvited' };
    throw error;
  }
}

/** A new link for an open invitation (pending or expired); the previous link stops working. */
export async function renewInvitation(
  db: Kysely<Database>,
  invitationId: number,
  actorId: number,
  now = Date.now(),
): Promise<{ invitation: Invitation; token: string } | null> {
  const { token, tokenHash } = createLinkToken();
  return db.transaction().execute(async (trx) => {
    const existing = await findInvitation(trx, invitationId);
    if (!existing || (await findUserByEmail(trx, existing.email))) return null;
    // Only if still open at this instant: an acceptance or a cancellation may have just happened.
    const invitation = await trx
      .updateTable('invitations')
      .set({ token_hash: tokenHash, expires_at: now + INVITATION_VALIDITY_MS, last_sent_at: now })
      .where('id', '=', invitationId)
      .where(isOpen)
      .returningAll()
      .executeTakeFirst();
    if (!invitation) return null;
    await recordAudit(trx, { actorId, action: 'invitation.resend', subjectType: 'invitation', subjectId: invitationId, details: { email: invitation.email } }, now);
    return { invitation, token };
  });
}

/** Cancels an open invitation (pending or expired). Null when there is none with this id any more. */
export async function revokeInvitation(db: Kysely<Database>, invitationId: number, actorId: number, now = Date.now()): Promise<Invitation | null> {
  return db.transaction().execute(async (trx) => {
    const revoked = await trx
      .updateTable('invitations')
      .set({ revoked_at: now })
      .where('id', '=', invitationId)
      .where(isOpen)
      .returningAll()
      .executeTakeFirst();
    if (!revoked) return null;
    await recordAudit(trx, { actorId, action: 'invitation.revoke', subjectType: 'invitation', subjectId: invitationId, details: { email: revoked.email } }, now);
    return revoked;
  });
}

/** The invitation with this id, whatever its state. */
export async function findInvitation(db: Kysely<Database>, id: number): Promise<Invitation | undefined> {
  return db.selectFrom('invitations').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The invitation a link points to, whatever its state, or undefined for a link that never existed. */
export async function findInvitationByToken(db: Kysely<Database>, token: string): Promise<Invitation | undefined> {
  if (!looksLikeLinkToken(token)) return undefined;
  return db.selectFrom('invitations').selectAll().where('token_hash', '=', hashSecret(token)).executeTakeFirst();
}

export type AcceptResult = { ok: true; userId: number } | { ok: false; problem: InvitationState | 'unknown' | 'alreadyMember' };

/** Creates the invitee's account; the link cannot be used again. */
export async function acceptInvitation(
  db: Kysely<Database>,
  token: string,
  input: { name: string; password: string; locale: Locale },
  now = Date.now(),
): Promise<AcceptResult> {
  const passwordHash = await hashPassword(input.password);
  try {
    return await db.transaction().execute(async (trx): Promise<AcceptResult> => {
      const invitation = await findInvitationByToken(trx, token);
      if (!invitation) return { ok: false, problem: 'unknown' };
      const state = invitationState(invitation, now);
      if (state !== 'pending') return { ok: false, problem: state };
      if (await findUserByEmail(trx, invitation.email)) return { ok: false, problem: 'alreadyMember' };
      // Claimed only if still pending at this instant: a cancellation or another acceptance wins otherwise.
      const claimed = await trx
        .updateTable('invitations')
        .set({ accepted_at: now })
        .where('id', '=', invitation.id)
        .where(isPending(now))
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) === 0) {
        const current = await findInvitation(trx, invitation.id);
        return { ok: false, problem: current ? invitationState(current, now) : 'unknown' };
      }
      const userId = await insertUser(
        trx,
        { email: invitation.email, name: input.name, passwordHash, role: invitation.role, locale: input.locale },
        now,
      );
      await trx.updateTable('invitations').set({ accepted_user_id: userId }).where('id', '=', invitation.id).execute();
      if (invitation.profile) await applyInvitationProfile(trx, invitation.profile, userId, now);
      await recordAudit(trx, { actorId: userId, action: 'invitation.accept', subjectType: 'invitation', subjectId: invitation.id }, now);
      return { ok: true, userId };
    });
  } catch (error) {
    // The address became a member while this transaction ran: nothing was written.
    if (isUniqueViolation(error, 'users', 'email')) return { ok: false, problem: 'alreadyMember' };
    throw error;
  }
}

/** How many open invitations the members page lists at most, newest first. */
export const OPEN_INVITATIONS_SHOWN = 200;

/** What the members page shows of an open invitation (never its token hash). */
export type OpenInvitation = Pick<Invitation, 'id' | 'email' | 'role' | 'expires_at'>;

/** Open invitations, newest first, at most `limit`; `total` counts them all. */
export async function listOpenInvitations(
  db: Kysely<Database>,
  limit = OPEN_INVITATIONS_SHOWN,
): Promise<{ invitations: OpenInvitation[]; total: number }> {
  const rows = await db
    .selectFrom('invitations')
    .select(['id', 'email', 'role', 'expires_at'])
    .where(isOpen)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();
  if (rows.length <= limit) return { invitations: rows, total: rows.length };
  return { invitations: rows.slice(0, limit), total: await countOpenInvitations(db) };
}

/** How many invitations are open (neither accepted nor cancelled), expired ones included. */
export async function countOpenInvitations(db: Kysely<Database>): Promise<number> {
  const row = await db.selectFrom('invitations').select((eb) => eb.fn.countAll<number>().as('n')).where(isOpen).executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * True when `error` is a unique constraint on `table.column` refusing a row (SQLite names the
 * columns; PostgreSQL would name the index, hence the table prefix check on its constraint name).
 */
function isUniqueViolation(error: unknown, table: string, column: string): boolean {
  if (!(error instanceof Error)) return false;
  const { code, constraint } = error as Error & { code?: unknown; constraint?: unknown };
  if (code === 'SQLITE_CONSTRAINT_UNIQUE') return error.message.includes(`${table}.${column}`);
  if (code === '23505') return typeof constraint === 'string' && constraint.startsWith(`${table}_`) && constraint.includes(column);
  return false;
}
