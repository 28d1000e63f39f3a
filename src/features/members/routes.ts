// /admin/members: the admin's list of members and invitations, and what they can do to each.
// Every handler asks the policy before it reads anything, so that nobody else can learn, from a
// 404, which ids exist.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { listOpenInvitations, revokeInvitation } from '../../auth/invitations.js';
import type { CurrentUser } from '../../auth/sessions.js';
import { NotFound } from '../../http/errors.js';
import { Field, parseForm, type FieldErrors } from '../../http/form.js';
import { idParam, single } from '../../http/params.js';
import { isPartialRequest } from '../../http/render.js';
import { authorize } from '../../policy/index.js';
import eraseRoutes from './erase-routes.js';
import { findMember, listMembers, type MemberRow } from './queries.js';
import {
  changeRole,
  deactivateMember,
  inviteMember,
  issueResetLink,
  reactivateMember,
  resendInvitation,
  type LinkOutcome,
  type MemberAdmin,
} from './service.js';

const ROLES = ['member', 'editor', 'admin'] as const;
const InviteForm = Type.Object({ email: Field.email(), role: Field.choice(ROLES), locale: Field.locale() });
const RoleForm = Type.Object({ role: Field.choice(ROLES) });

type IdParams = { Params: { id: string } };

/** Where the outcome of inviting, sending again or making a password link is shown. */
const OUTCOME_PAGE = '/admin/members#invite';

export default async function memberRoutes(app: FastifyInstance) {
  await app.register(eraseRoutes);

  async function renderPage(
    request: FastifyRequest,
    reply: FastifyReply,
    extra: { outcome?: LinkOutcome; values?: Record<string, string>; errors?: FieldErrors; status?: number } = {},
  ) {
    const query = request.query as Record<string, unknown>;
    const [page, open] = await Promise.all([
      listMembers(app.db, { after: single(query.after), before: single(query.before) }),
      listOpenInvitations(app.db),
    ]);
    return reply.render(
      'members/index',
      {
        title: request.t('members.title'),
        members: page.members,
        previous: page.previous,
        next: page.next,
        invitations: open.invitations,
        invitationsTotal: open.total,
        now: Date.now(),
        mailEnabled: app.mailer.enabled,
        // Otherwise the outcome carried by the flash cookie, if any.
        ...(extra.outcome ? { outcome: extra.outcome } : {}),
        values: extra.values ?? { role: 'member', locale: request.organisation?.default_locale ?? request.locale },
        errors: extra.errors ?? {},
      },
      { status: extra.status ?? 200, fragment: 'members/invite-response', keepUrl: request.method !== 'GET' },
    );
  }

  /**
   * POST-then-redirect, the outcome (and the link to copy) travelling in the flash cookie: a reload
   * never posts again (for "send again", that would make a new link and kill the one just copied).
   * htmx's in-place answer to the invite form is the panel itself, and the address does not change.
   */
  function answerWithOutcome(request: FastifyRequest, reply: FastifyReply, outcome: LinkOutcome) {
    if (isPartialRequest(request)) return renderPage(request, reply, { outcome });
    reply.flashOutcome(outcome);
    return reply.redirectTo(OUTCOME_PAGE);
  }

  const memberAdmin = (request: FastifyRequest, user: CurrentUser): MemberAdmin => ({
    db: app.db,
    mailer: app.mailer,
    publicUrl: app.config.publicUrl,
    organisation: request.organisation,
    actor: { id: user.id, name: user.name },
  });

  /** The member an admin acts on; only called once the admin may see members at all. */
  async function loadMember(id: string): Promise<MemberRow> {
    const member = await findMember(app.db, idParam(id));
    if (!member) throw new NotFound();
    return member;
  }

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
    const result = await inviteMember(memberAdmin(request, request.user), form.value);
    if (!result.ok) {
      const message = request.t(`members.invite.${result.problem}`, { email: form.value.email });
      return renderPage(request, reply, { values: form.values, errors: { email: message }, status: 422 });
    }
    return answerWithOutcome(request, reply, result.outcome);
  });

  app.post<IdParams>('/admin/invitations/:id/resend', async (request, reply) => {
    authorize(request.user, 'member.invite');
    const id = idParam(request.params.id);
    await app.limiters.invitationsPerAdmin.consume(request, String(request.user.id));
    const outcome = await resendInvitation(memberAdmin(request, request.user), id);
    if (!outcome) throw new NotFound();
    return answerWithOutcome(request, reply, outcome);
  });

  app.post<IdParams>('/admin/invitations/:id/revoke', async (request, reply) => {
    authorize(request.user, 'member.invite');
    const revoked = await revokeInvitation(app.db, idParam(request.params.id), request.user.id);
    if (!revoked) throw new NotFound();
    reply.flash('flash.invitationRevoked', { email: revoked.email });
    return reply.redirectTo('/admin/members');
  });

  app.post<IdParams>('/admin/members/:id/role', async (request, reply) => {
    authorize(request.user, 'member.list');
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
    authorize(request.user, 'member.list');
    const member = await loadMember(request.params.id);
    authorize(request.user, 'member.deactivate', member);
    await deactivateMember(app.db, request.user.id, member);
    request.log.info({ memberId: member.id }, 'member deactivated');
    await app.plugins.emit('user.deactivated', { userId: member.id, actorId: request.user.id });
    reply.flash('flash.memberDeactivated', { name: member.name });
    return reply.redirectTo('/admin/members');
  });

  app.post<IdParams>('/admin/members/:id/reactivate', async (request, reply) => {
    authorize(request.user, 'member.list');
    const member = await loadMember(request.params.id);
    authorize(request.user, 'member.reactivate', member);
    await reactivateMember(app.db, request.user.id, member);
    reply.flash('flash.memberReactivated', { name: member.name });
    return reply.redirectTo('/admin/members');
  });

  // Never emailed: an admin makes this link for someone who cannot receive Hameau's email.
  app.post<IdParams>('/admin/members/:id/reset-link', async (request, reply) => {
    authorize(request.user, 'member.list');
    const member = await loadMember(request.params.id);
    authorize(request.user, 'member.issueResetLink', member);
    return answerWithOutcome(request, reply, await issueResetLink(memberAdmin(request, request.user), member));
  });
}
