// Sign in and sign out.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { Field, parseForm } from '../http/form.js';
import { clientAddress, refundIfThrows, reserveAll } from '../http/rate-limits.js';
import { safeNextPath } from '../http/redirects.js';
import { authenticate } from './login.js';
import { createSession, invalidateSession } from './sessions.js';
import { normaliseEmail } from './users.js';

const LoginForm = Type.Object({
  email: Field.email(),
  password: Field.password(),
  next: Field.optional(Type.String({ maxLength: 2000 })),
});

export default async function loginRoutes(app: FastifyInstance) {
  app.get<{ Querystring: { next?: string } }>('/login', async (request, reply) => {
    if (request.user) return reply.redirectTo(safeNextPath(request.query.next));
    return reply.render('auth/login', {
      title: request.t('login.title'),
      values: { next: safeNextPath(request.query.next, '') },
      errors: {},
    });
  });

  app.post('/login', async (request, reply) => {
    const form = parseForm(LoginForm, request.body, request.t);
    const again = (status: number, formError: string | null, errors = {}) =>
      reply.render(
        'auth/login',
        { title: request.t('login.title'), values: form.values, errors, formError },
        { status },
      );
    if (!form.ok) return again(422, null, form.errors);

    const email = normaliseEmail(form.value.email);
    // Counted before the password is checked (argon2 takes tens of milliseconds), so that guesses
    // sent in parallel see each other; a sign-in that succeeds gives its attempt back.
    const { loginFailuresPerIp, passwordFailuresPerAccount } = app.limiters;
    const attempt = await reserveAll(request, [loginFailuresPerIp, clientAddress(request)], [passwordFailuresPerAccount, email]);

    const result = await refundIfThrows(attempt, authenticate(app.db, email, form.value.password));
    if (!result.ok) {
      request.log.info({ reason: result.reason }, 'sign-in refused');
      return again(422, request.t(result.reason === 'deactivated' ? 'login.deactivated' : 'login.invalid'));
    }

    await attempt.refund();
    // A new session at every sign-in; the one this browser had before (if any) ends.
    if (request.session) await invalidateSession(app.db, request.session.id);
    const { token } = await createSession(app.db, result.user.id, request.headers['user-agent'] ?? '');
    reply.setSessionCookie(token);
    request.log.info({ userId: result.user.id }, 'signed in');
    return reply.redirectTo(safeNextPath(form.value.next));
  });

  app.post('/logout', async (request, reply) => {
    if (request.session) await invalidateSession(app.db, request.session.id);
    reply.clearSessionCookie();
    reply.flash('flash.signedOut', undefined, 'info');
    return reply.redirectTo('/login');
  });
}
