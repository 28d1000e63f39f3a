// /invite/:token: an invited person chooses their name and password and lands signed in.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Field, parseForm } from '../http/form.js';
import { acceptInvitation, findInvitationByToken, invitationState } from './invitations.js';
import { checkNewPassword } from './new-password.js';
import { createSession, invalidateSession } from './sessions.js';
import { invitedName } from '../features/people/profile-on-accept.js';

const AcceptForm = Type.Object({
  name: Field.text({ max: 100 }),
  locale: Field.locale(),
  password: Field.password(),
  passwordConfirmation: Field.password(),
});

type TokenParams = { Params: { token: string } };

export default async function invitationRoutes(app: FastifyInstance) {
  app.get<TokenParams>('/invite/:token', async (request, reply) => {
    const invitation = await findInvitationByToken(app.db, request.params.token);
    const state = invitation ? invitationState(invitation) : 'unknown';
    if (!invitation || state !== 'pending') return renderInvalid(reply, state);
    return reply.render('auth/accept-invitation', {
      title: request.t('invitation.title', { organisation: request.organisation?.name ?? '' }),
      token: request.params.token,
      email: invitation.email,
      // A CSV import may have given the name (src/features/people): offered, still editable.
      values: { locale: invitation.locale, ...(invitedName(invitation.profile) ? { name: invitedName(invitation.profile)! } : {}) },
      errors: {},
    });
  });

  app.post<TokenParams>('/invite/:token', async (request, reply) => {
    const { token } = request.params;
    const invitation = await findInvitationByToken(app.db, token);
    const state = invitation ? invitationState(invitation) : 'unknown';
    if (!invitation || state !== 'pending') return renderInvalid(reply, state);

    const parsed = parseForm(AcceptForm, request.body, request.t);
    const form = checkNewPassword(parsed, request.t, {
      email: invitation.email,
      name: parsed.values.name,
      organisation: request.organisation?.name,
    });
    if (!form.ok) {
      return reply.render(
        'auth/accept-invitation',
        {
          title: request.t('invitation.title', { organisation: request.organisation?.name ?? '' }),
          token,
          email: invitation.email,
          values: form.values,
          errors: form.errors,
        },
        { status: 422 },
      );
    }
    const result = await acceptInvitation(app.db, token, form.value);
    if (!result.ok) return renderInvalid(reply, result.problem === 'alreadyMember' ? 'accepted' : result.problem);
    // The browser now belongs to the new member: whoever was signed in here before is signed out.
    if (request.session) await invalidateSession(app.db, request.session.id);
    const { token: sessionToken } = await createSession(app.db, result.userId, request.headers['user-agent'] ?? '');
    reply.setSessionCookie(sessionToken);
    request.log.info({ userId: result.userId }, 'invitation accepted');
    await app.plugins.emit('user.joined', { userId: result.userId });
    reply.flash('flash.welcome', { name: form.value.name });
    return reply.redirectTo('/');
  });
}

function renderInvalid(reply: FastifyReply, state: string) {
  const t = reply.request.t;
  const action = state === 'accepted' ? { href: '/login', label: t('login.submit') } : null;
  return reply.render(
    'auth/link-invalid',
    { title: t('invitation.invalidTitle'), message: t(`invitation.invalid.${state}`), action },
    { status: state === 'unknown' ? 404 : 410 },
  );
}
