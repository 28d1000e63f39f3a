// Invitations: an admin invites an email address; the single-use link (valid 7 days) lets the
// invitee choose a name and password. Only a hash of the link's token is stored, so a link can be
// shown once, when it is made; sending again makes a new link and retires the old one.
import type { Kysely } from 'kysely';
import { recordAudit } from '../audit/audit-log.js';
import type { Database, Invitation, Locale, Role } from '../db/schema.js';
import { hashPassword } from './passwords.js';
import { createLinkToken, hashSecret, looksLikeLinkToken } from './tokens.js';
import { findUserByEmail, insertUser, normaliseEmail } from './users.js';

export const INVITATION_VALIDITY_MS = 7 * 24 * 60 * 60 * 1000;

export type InvitationState = 'pending' | 'expired' | 'accepted' | 'revoked';

export function invitationState(invitation: Invitation, now = Date.now()): InvitationState {
  if (invitation.accepted_at !== null) return 'accepted';
  if (invitation.revoked_at !== null) return 'revoked';
  if (invitation.expires_at <= now) return 'expired';
  return 'pending';
}

export type CreateInvitationResult =
  | { ok: true; invitation: Invitation; token: string }
  | { ok: false; problem: 'alreadyMember' | 'alreadyInvited' };

export async function createInvitation(
  db: Kysely<Database>,
  input: { email: string; role: Role; locale: Locale; invitedBy: number },
  now = Date.now(),
): Promise<CreateInvitationResult> {
  const email = normaliseEmail(input.email);
  if (await findUserByEmail(db, email)) return { ok: false, problem: 'alreadyMember' };
  const pending = await db
    .selectFrom('invitations')
    .select('id')
    .where('email', '=', email)
    .where('accepted_at', 'is', null)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  if (pending) return { ok: false, problem: 'alreadyInvited' };

  const { token, tokenHash } = createLinkToken();
  const invitation = await db
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
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await recordAudit(db, { actorId: input.invitedBy, action: 'invitation.create', subjectType: 'invitation', subjectId: invitation.id, details: { email, role: input.role } }, now);
  return { ok: true, invitation, token };
}

/** A new link for a pending or expired invitation; the previous link stops working. */
export async function renewInvitation(
  db: Kysely<Database>,
  invitationId: number,
  actorId: number,
  now = Date.now(),
): Promise<{ invitation: Invitation; token: string } | null> {
  const existing = await findInvitation(db, invitationId);
  if (!existing) return null;
  const state = invitationState(existing, now);
  if (state !== 'pending' && state !== 'expired') return null;
  if (await findUserByEmail(db, existing.email)) return null;
  const { token, tokenHash } = createLinkToken();
  const invitation = await db
    .updateTable('invitations')
    .set({ token_hash: tokenHash, expires_at: now + INVITATION_VALIDITY_MS, last_sent_at: now })
    .where('id', '=', invitationId)
    .returningAll()
    .executeTakeFirstOrThrow();
  await recordAudit(db, { actorId, action: 'invitation.resend', subjectType: 'invitation', subjectId: invitationId, details: { email: existing.email } }, now);
  return { invitation, token };
}

export async function revokeInvitation(db: Kysely<Database>, invitationId: number, actorId: number, now = Date.now()): Promise<boolean> {
  const existing = await findInvitation(db, invitationId);
  if (!existing || existing.accepted_at !== null || existing.revoked_at !== null) return false;
  await db.updateTable('invitations').set({ revoked_at: now }).where('id', '=', invitationId).execute();
  await recordAudit(db, { actorId, action: 'invitation.revoke', subjectType: 'invitation', subjectId: invitationId, details: { email: existing.email } }, now);
  return true;
}

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
  return db.transaction().execute(async (trx): Promise<AcceptResult> => {
    const invitation = await findInvitationByToken(trx, token);
    if (!invitation) return { ok: false, problem: 'unknown' };
    const state = invitationState(invitation, now);
    if (state !== 'pending') return { ok: false, problem: state };
    if (await findUserByEmail(trx, invitation.email)) return { ok: false, problem: 'alreadyMember' };
    const userId = await insertUser(
      trx,
      { email: invitation.email, name: input.name, passwordHash, role: invitation.role, locale: input.locale },
      now,
    );
    await trx
      .updateTable('invitations')
      .set({ accepted_at: now, accepted_user_id: userId })
      .where('id', '=', invitation.id)
      .execute();
    await recordAudit(trx, { actorId: userId, action: 'invitation.accept', subjectType: 'invitation', subjectId: invitation.id }, now);
    return { ok: true, userId };
  });
}

/** Invitations not yet accepted, newest first, for the members page. */
export async function listOpenInvitations(db: Kysely<Database>): Promise<Invitation[]> {
  return db
    .selectFrom('invitations')
    .selectAll()
    .where('accepted_at', 'is', null)
    .where('revoked_at', 'is', null)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(200)
    .execute();
}
