// /admin/members/:id/erase: an admin erases a deactivated member's data (GDPR). A page says exactly
// what happens and asks for the person's email address, typed, before anything is erased.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { normaliseEmail } from '../../auth/users.js';
import { Forbidden, NotFound } from '../../http/errors.js';
import { Field, parseForm, type FieldErrors } from '../../http/form.js';
import { idParam } from '../../http/params.js';
import { authorize, type Viewer } from '../../policy/index.js';
import { formerMemberName } from '../../gdpr/core-parts.js';
import { eraseMember } from './erase-service.js';
import { findMember, type MemberRow } from './queries.js';

const EraseForm = Type.Object({ email: Field.text({ max: 254 }) });

type IdParams = { Params: { id: string } };

export default async function eraseRoutes(app: FastifyInstance) {
  /** The member to erase: only admins learn whether the id exists; only a deactivated member's data may go. */
  async function erasable(viewer: Viewer | null, id: string): Promise<{ viewer: Viewer; member: MemberRow }> {
    authorize(viewer, 'member.list');
    const member = await findMember(app.db, idParam(id));
    if (!member || member.status === 'erased') throw new NotFound();
    if (member.status === 'active') throw new Forbidden('gdpr.erase.notDeactivated');
    authorize(viewer, 'member.erase', member);
    return { viewer, member };
  }

  async function renderPage(
    request: FastifyRequest,
    reply: FastifyReply,
    member: MemberRow,
    state: { values?: Record<string, string>; errors?: FieldErrors; formError?: string; status?: number } = {},
  ) {
    const organisation = await app.organisation.get();
    return reply.render(
      'members/erase',
      {
        title: request.t('gdpr.erase.title'),
        member,
        placeholder: formerMemberName(organisation?.default_locale ?? request.locale),
        values: state.values ?? {},
        errors: state.errors ?? {},
        ...(state.formError ? { formError: state.formError } : {}),
      },
      { status: state.status ?? 200 },
    );
  }

  app.get<IdParams>('/admin/members/:id/erase', async (request, reply) => {
    const { member } = await erasable(request.user, request.params.id);
    return renderPage(request, reply, member);
  });

  app.post<IdParams>('/admin/members/:id/erase', async (request, reply) => {
    const { viewer, member } = await erasable(request.user, request.params.id);
    const form = parseForm(EraseForm, request.body, request.t);
    if (!form.ok || normaliseEmail(form.value.email) !== member.email) {
      return renderPage(request, reply, member, { values: form.values, errors: { email: request.t('gdpr.erase.wrongEmail') }, status: 422 });
    }
    const outcome = await eraseMember(app, viewer.id, member.id);
    if (!outcome.ok) {
      if (outcome.problem === 'notDeactivated') throw new Forbidden('gdpr.erase.notDeactivated');
      const plugin = app.plugins.get(outcome.part)?.definition;
      const part = plugin ? plugin.name[request.locale] : outcome.part;
      return renderPage(request, reply, member, { values: form.values, formError: request.t('gdpr.erase.failed', { part }), status: 500 });
    }
    request.log.info({ memberId: member.id }, 'member data erased');
    const organisation = await app.organisation.get();
    reply.flash('gdpr.flash.erased', { placeholder: formerMemberName(organisation?.default_locale ?? request.locale) });
    return reply.redirectTo('/admin/members');
  });
}
