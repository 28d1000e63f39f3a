// /admin/members: the admin's list of members and invitations, and what they can do to each.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  createInvitation,
  findInvitation,
  listOpenInvitations,
  renewInvitation,
  revokeInvitation,
  type CreateInvitationResult,
} from '../../auth/invitations.js';
import { issueResetToken } from '../../auth/password-reset.js';
import { findUserById } from '../../auth/users.js';
import type { Invitation, User } from '../../db/schema.js';
import { NotFound } from '../../http/errors.js';
import { Field, parseForm, type FieldErrors } from '../../http/form.js';
import { invitationMail } from '../../mail/messages.js';
import { authorize } from '../../policy/index.js';
import { changeRole, deactivateMember, listMembers, reactivateMember } from './service.js';

const ROLES = ['member', 'admin'] as const;
const InviteForm = Type.Object({ email: Field.email(), role: Field.choice(ROLES), locale: Field.locale() });
const RoleForm = Type.Object({ role: Field.choice(ROLES) });

type IdParams = { Params: { id: string } };

/** What the admin sees after inviting someone, sending again, or asking for a reset link. */
interface LinkOutcome {
  kind: 'invitation' | 'resend' | 'resetLink';
  email: string;
  /** Shown when it could not be emailed: the admin copies it and passes it on. */
  link: string | null;
  emailed: boolean;
  /** Email is set up but this message could not be sent (the server logged why). */
  sendFailed: boolean;
}

export default async function memberRoutes(app: FastifyInstance) {
  async function renderPage(
    request: FastifyRequest,
    reply: FastifyReply,
    extra: { outcome?: LinkOutcome; values?: Record<string, string>; errors?: FieldErrors; status?: number } = {},
  ) {
    const after = typeof (request.query as { after?: unknown }).after === 'string' ? (request.query as { after: string }).after : null;
    const [page, invitations] = await Promise.all([listMembers(app.db, after), listOpenInvitations(app.db)]);
    return reply.render(
      'members/index',
      {
        title: request.t('members.title'),
        members: page.members,
        next: page.next,
        invitations,
        now: Date.now(),
        mailEnabled: app.mailer.enabled,
        outcome: extra.outcome ?? null,
        values: extra.values ?? { role: 'member', locale: request.organisation?.default_locale ?? request.locale },
        errors: extra.errors ?? {},
      },
      { status: extra.status ?? 200, fragment: 'members/invite-response', keepUrl: request.method !== 'GET' },
    );
  }

  async function sendInvitation(request: FastifyRequest, invitation: Invitation, token: string): Promise<LinkOutcome['emailed']> {
    if (!app.mailer.enabled) return false;
    return app.mailer.send(
      invitationMail({
        to: invitation.email,
        locale: invitation.locale,
        organisationName: request.organisation?.name ?? 'Hameau',
        inviterName: request.user?.name ?? '',
        link: invitationLink(token),
        expiresAt: invitation.expires_at,
        timeZone: request.organisation?.time_zone,
      }),
    );
  }

  const invitationLink = (token: string) => `${app.config.publicUrl}/invite/${token}`;

  /** Emailed links are not shown; a link that could not be emailed is, so the admin can pass it on. */
  const linkOutcome = (kind: LinkOutcome['kind'], email: string, emailed: boolean, link: string): LinkOutcome => ({
    kind,
    email,
    emailed,
    sendFailed: app.mailer.enabled && !emailed,
    link: emailed ? null : link,
  });

  async function loadMember(id: string): Promise<User> {
    const member = /^\d{1,15}$/.test(id) ? await findUserById(app.db, Number(id)) : undefined;
    if (!member) throw new NotFound();
    return member;
  }

  app.get('/admin', async (request, reply) => {
    authorize(request.user, 'admin.access');
    return reply.redirectTo('/admin/members');
  });

  app.get('/admin/members', async (request, reply) => {
    authorize(request.user, 'member.list');
    return renderPage(request, reply);
  });

  // A reload after a form answer lands here: show the page the form was on.
  app.get('/admin/invitations', async (request, reply) => {
    authorize(request.user, 'member.list');
    return reply.redirectTo('/admin/members');
  });

  app.post('/admin/invitations', async (request, reply) => {
    authorize(request.user, 'member.invite');
    const form = parseForm(InviteForm, request.body, request.t);
    if (!form.ok) return renderPage(request, reply, { values: form.values, errors: form.errors, status: 422 });
    await app.limiters.invitationsPerAdmin.consume(request, String(request.user.id));

    const result: CreateInvitationResult = await createInvitation(app.db, { ...form.value, invitedBy: request.user.id });
    if (!result.ok) {
      const message = request.t(`members.invite.${result.problem}`, { email: form.value.email });
      return renderPage(request, reply, { values: form.values, errors: { email: message }, status: 422 });
    }
    const emailed = await sendInvitation(request, result.invitation, result.token);
    return renderPage(request, reply, {
      outcome: linkOutcome('invitation', result.invitation.email, emailed, invitationLink(result.token)),
    });
  });

  app.post<IdParams>('/admin/invitations/:id/resend', async (request, reply) => {
    authorize(request.user, 'member.invite');
    await app.limiters.invitationsPerAdmin.consume(request, String(request.user.id));
    const renewed = /^\d{1,15}$/.test(request.params.id)
      ? await renewInvitation(app.db, Number(request.params.id), request.user.id)
      : null;
    if (!renewed) throw new NotFound();
    const emailed = await sendInvitation(request, renewed.invitation, renewed.token);
    return renderPage(request, reply, {
      outcome: linkOutcome('resend', renewed.invitation.email, emailed, invitationLink(renewed.token)),
    });
  });

  app.post<IdParams>('/admin/invitations/:id/revoke', async (request, reply) => {
    authorize(request.user, 'member.invite');
    const id = /^\d{1,15}$/.test(request.params.id) ? Number(request.params.id) : NaN;
    const invitation = Number.isNaN(id) ? undefined : await findInvitation(app.db, id);
    if (!invitation || !(await revokeInvitation(app.db, id, request.user.id))) throw new NotFound();
    reply.flash('flash.invitationRevoked', { email: invitation.email });
    return reply.redirectTo('/admin/members');
  });

  app.post<IdParams>('/admin/members/:id/role', async (request, reply) => {
    const member = await loadMember(request.params.id);
    authorize(request.user, 'member.changeRole', member);
    const form = parseForm(RoleForm, request.body, request.t);
    if (!form.ok) {
      reply.flash('flash.invalidRole', undefined, 'error');
      return reply.redirectTo('/admin/members');
    }
    await changeRole(app.db, request.user.id, member, form.value.role);
    reply.flash('flash.roleChanged', { name: member.name, role: request.t(`roles.${form.value.role}`) });
    return reply.redirectTo('/admin/members');
  });

  app.post<IdParams>('/admin/members/:id/deactivate', async (request, reply) => {
    const member = await loadMember(request.params.id);
    authorize(request.user, 'member.deactivate', member);
    await deactivateMember(app.db, request.user.id, member);
    request.log.info({ memberId: member.id }, 'member deactivated');
    reply.flash('flash.memberDeactivated', { name: member.name });
    return reply.redirectTo('/admin/members');
  });

  app.post<IdParams>('/admin/members/:id/reactivate', async (request, reply) => {
    const member = await loadMember(request.params.id);
    authorize(request.user, 'member.reactivate', member);
    await reactivateMember(app.db, request.user.id, member);
    reply.flash('flash.memberReactivated', { name: member.name });
    return reply.redirectTo('/admin/members');
  });

  app.post<IdParams>('/admin/members/:id/reset-link', async (request, reply) => {
    const member = await loadMember(request.params.id);
    authorize(request.user, 'member.issueResetLink', member);
    const token = await issueResetToken(app.db, member.id, { issuedBy: request.user.id });
    return renderPage(request, reply, {
      outcome: { kind: 'resetLink', email: member.email, emailed: false, sendFailed: false, link: `${app.config.publicUrl}/password/reset/${token}` },
    });
  });
}
