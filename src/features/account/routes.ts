// /account: a member's profile (name, language), password, and the sessions they can end.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { checkNewPassword } from '../../auth/new-password.js';
import { invalidateSession, invalidateUserSessions, listUserSessions } from '../../auth/sessions.js';
import { NotFound } from '../../http/errors.js';
import { Field, parseForm, withError } from '../../http/form.js';
import { refundIfThrows } from '../../http/rate-limits.js';
import { authorize } from '../../policy/index.js';
import { describeDevice } from './device.js';
import exportRoutes from './export-routes.js';
import { changePassword } from './service.js';
import { updateUserProfile } from '../../auth/users.js';

const ProfileForm = Type.Object({ name: Field.text({ max: 100 }), locale: Field.locale() });
const PasswordForm = Type.Object({
  currentPassword: Field.password(),
  password: Field.password(),
  passwordConfirmation: Field.password(),
});

export default async function accountRoutes(app: FastifyInstance) {
  await app.register(exportRoutes);

  app.get('/account', async (request, reply) => {
    authorize(request.user, 'app.use');
    return reply.render('account/profile', {
      title: request.t('account.title'),
      values: { name: request.user.name, locale: request.user.locale ?? request.locale },
      errors: {},
    });
  });

  app.post('/account', async (request, reply) => {
    authorize(request.user, 'app.use');
    const form = parseForm(ProfileForm, request.body, request.t);
    if (!form.ok) {
      return reply.render('account/profile', { title: request.t('account.title'), values: form.values, errors: form.errors }, { status: 422 });
    }
    await updateUserProfile(app.db, request.user.id, form.value);
    reply.flash('flash.profileSaved');
    return reply.redirectTo('/account');
  });

  app.get('/account/password', async (request, reply) => {
    authorize(request.user, 'app.use');
    return reply.render('account/password', { title: request.t('password.title'), errors: {} });
  });

  app.post('/account/password', async (request, reply) => {
    authorize(request.user, 'app.use');
    const user = request.user;
    let form = checkNewPassword(parseForm(PasswordForm, request.body, request.t), request.t, {
      ...user,
      organisation: request.organisation?.name,
    });
    if (form.ok) {
      // Guessing the current password is guessing the password: the same per-account limit as
      // sign-in, counted before the check so that parallel guesses see each other.
      const attempt = await app.limiters.passwordFailuresPerAccount.reserve(request, user.email);
      const change = {
        userId: user.id,
        sessionId: request.session!.id,
        userAgent: request.headers['user-agent'] ?? '',
        current: form.value.currentPassword,
        next: form.value.password,
      };
      const result = await refundIfThrows(attempt, changePassword(app.db, change));
      if (result.ok) {
        await attempt.refund();
        reply.setSessionCookie(result.sessionToken);
        reply.flash('flash.passwordChanged', { count: result.sessionsEnded });
        return reply.redirectTo('/account/sessions');
      }
      form = withError(form, 'currentPassword', request.t('password.currentWrong'));
    }
    const errors = form.ok ? {} : form.errors;
    return reply.render('account/password', { title: request.t('password.title'), errors }, { status: 422 });
  });

  app.get('/account/sessions', async (request, reply) => {
    authorize(request.user, 'app.use');
    const sessions = await listUserSessions(app.db, request.user.id);
    return reply.render('account/sessions', {
      title: request.t('sessions.title'),
      sessions: sessions.map((s) => ({
        id: s.id,
        device: describeDevice(s.user_agent, request.t),
        createdAt: s.created_at,
        lastSeenAt: s.last_verified_at,
        current: s.id === request.session?.id,
      })),
    });
  });

  app.post<{ Params: { id: string } }>('/account/sessions/:id/end', async (request, reply) => {
    authorize(request.user, 'app.use');
    const sessions = await listUserSessions(app.db, request.user.id);
    const target = sessions.find((s) => s.id === request.params.id);
    if (!target) throw new NotFound();
    authorize(request.user, 'session.end', { userId: target.user_id });
    await invalidateSession(app.db, target.id);
    if (target.id === request.session?.id) {
      reply.clearSessionCookie();
      reply.flash('flash.signedOut', undefined, 'info');
      return reply.redirectTo('/login');
    }
    reply.flash('flash.sessionEnded');
    return reply.redirectTo('/account/sessions');
  });

  app.post('/account/sessions/end-others', async (request, reply) => {
    authorize(request.user, 'app.use');
    const count = await invalidateUserSessions(app.db, request.user.id, request.session!.id);
    reply.flash('flash.otherSessionsEnded', { count });
    return reply.redirectTo('/account/sessions');
  });

  app.post('/account/sessions/end-all', async (request, reply) => {
    authorize(request.user, 'app.use');
    await invalidateUserSessions(app.db, request.user.id);
    reply.clearSessionCookie();
    reply.flash('flash.signedOutEverywhere', undefined, 'info');
    return reply.redirectTo('/login');
  });
}
