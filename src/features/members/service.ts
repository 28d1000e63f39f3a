// Member administration: invitations (made, sent again), password links, roles, deactivation and
// reactivation. Each change is written to the audit log in the same transaction as the change.
import type { Kysely } from 'kysely';
import { recordAudit } from '../../audit/audit-log.js';
import { invitationLink, passwordResetLink } from '../../auth/links.js';
import { createInvitation, renewInvitation, type CreateInvitationResult } from '../../auth/invitations.js';
import { cancelPasswordResets, issueResetToken } from '../../auth/password-reset.js';
import { invalidateUserSessions } from '../../auth/sessions.js';
import { setUserRole, setUserStatus } from '../../auth/users.js';
import type { Database, Invitation, Locale, Organisation, Role } from '../../db/schema.js';
import type { Mailer } from '../../mail/mailer.js';
import { invitationMail } from '../../mail/messages.js';
import type { MemberRow } from './queries.js';

/** The admin acting, and what their actions need besides the database. */
export interface MemberAdmin {
  db: Kysely<Database>;
  mailer: Mailer;
  /** Where links point: the address people type to reach Hameau. */
  publicUrl: string;
  organisation: Pick<Organisation, 'name' | 'time_zone'> | null;
  actor: { id: number; name: string };
}

/** What the admin is shown after inviting, sending again, or making a password link. */
export interface LinkOutcome {
  kind: 'invitation' | 'resend' | 'resetLink';
  email: string;
  /** Shown when it was not emailed: the admin copies it and passes it on. */
  link: string | null;
  emailed: boolean;
  /** Email is set up but this message could not be sent (the server logged why). */
  sendFailed: boolean;
  // A plain record, so that it can travel in the flash cookie to the page after the redirect.
  [field: string]: string | boolean | null;
}

export type InviteResult = { ok: true; outcome: LinkOutcome } | { ok: false; problem: Extract<CreateInvitationResult, { ok: false }>['problem'] };

/** Invites someone, then emails the link when email is set up; otherwise the outcome carries it. */
export async function inviteMember(admin: MemberAdmin, input: { email: string; role: Role; locale: Locale }): Promise<InviteResult> {
  const result = await createInvitation(admin.db, { ...input, invitedBy: admin.actor.id });
  if (!result.ok) return result;
  return { ok: true, outcome: await sendInvitation(admin, 'invitation', result.invitation, result.token) };
}

/** A new link for an open invitation, sent like the first; null when there is none to send. */
export async function resendInvitation(admin: MemberAdmin, invitationId: number): Promise<LinkOutcome | null> {
  const renewed = await renewInvitation(admin.db, invitationId, admin.actor.id);
  if (!renewed) return null;
  return sendInvitation(admin, 'resend', renewed.invitation, renewed.token);
}

// Sent after the invitation is committed: a slow or failing mail server never holds a transaction.
async function sendInvitation(admin: MemberAdmin, kind: 'invitation' | 'resend', invitation: Invitation, token: string): Promise<LinkOutcome> {
  const link = invitationLink(admin.publicUrl, token);
  const emailed =
    admin.mailer.enabled &&
    (await admin.mailer.send(
      invitationMail({
        to: invitation.email,
        locale: invitation.locale,
        organisationName: admin.organisation?.name ?? 'Hameau',
        inviterName: admin.actor.name,
        link,
        expiresAt: invitation.expires_at,
        timeZone: admin.organisation?.time_zone,
      }),
    ));
  // An emailed link is not shown; one that could not be emailed is, so the admin can pass it on.
  return { kind, email: invitation.email, emailed, sendFailed: admin.mailer.enabled && !emailed, link: emailed ? null : link };
}

/**
 * A password link for a member who cannot receive Hameau's email (that is why an admin makes it):
 * always shown to the admin, never emailed. Audited with the link's creation.
 */
export async function issueResetLink(admin: MemberAdmin, member: MemberRow, now = Date.now()): Promise<LinkOutcome> {
  // The link and its audit entry (written by issueResetToken for `issuedBy`) together, or neither.
  const token = await admin.db.transaction().execute((trx) => issueResetToken(trx, member.id, { issuedBy: admin.actor.id, now }));
  return { kind: 'resetLink', email: member.email, emailed: false, sendFailed: false, link: passwordResetLink(admin.publicUrl, token) };
}

/** Makes a member an admin or a member again, with an audit entry (before/after) in the same transaction. */
export async function changeRole(db: Kysely<Database>, actorId: number, member: MemberRow, role: Role, now = Date.now()): Promise<void> {
  if (member.role === role) return;
  await db.transaction().execute(async (trx) => {
    await setUserRole(trx, member.id, role, now);
    await recordAudit(trx, { actorId, action: 'member.changeRole', subjectType: 'user', subjectId: member.id, details: { before: member.role, after: role } }, now);
  });
}

/**
 * The member can no longer sign in: every session of theirs ends now, and every password link
 * made for them stops working (it must not come back to life on reactivation). Their content stays.
 */
export async function deactivateMember(db: Kysely<Database>, actorId: number, member: MemberRow, now = Date.now()): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await setUserStatus(trx, member.id, 'deactivated', now);
    const ended = await invalidateUserSessions(trx, member.id);
    const linksCancelled = await cancelPasswordResets(trx, member.id, now);
    await recordAudit(
      trx,
      { actorId, action: 'member.deactivate', subjectType: 'user', subjectId: member.id, details: { status: { before: member.status, after: 'deactivated' }, sessionsEnded: ended, linksCancelled } },
      now,
    );
  });
}

/** Lets a deactivated member sign in again, with an audit entry in the same transaction. */
export async function reactivateMember(db: Kysely<Database>, actorId: number, member: MemberRow, now = Date.now()): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await setUserStatus(trx, member.id, 'active', now);
    await recordAudit(trx, { actorId, action: 'member.reactivate', subjectType: 'user', subjectId: member.id, details: { status: { before: member.status, after: 'active' } } }, now);
  });
}
