// GET/POST /setup: the first page anyone sees, until the organisation and its first admin exist.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { Field, parseForm } from '../http/form.js';
import { NotFound } from '../http/errors.js';
import { checkNewPassword } from './new-password.js';
import { createSession } from './sessions.js';
import { completeSetup } from './setup.js';

const SetupForm = Type.Object({
  organisationName: Field.text({ max: 100 }),
  locale: Field.locale(),
  name: Field.text({ max: 100 }),
  email: Field.email(),
  password: Field.password(),
  passwordConfirmation: Field.password(),
});

export default async function setupRoutes(app: FastifyInstance) {
  app.get('/setup', async (request, reply) => {
    if (request.organisation) throw new NotFound();
    return reply.render('setup/setup', { title: request.t('setup.title'), values: { locale: request.locale }, errors: {} });
  });

  app.post('/setup', async (request, reply) => {
    if (request.organisation) throw new NotFound();
    const parsed = parseForm(SetupForm, request.body, request.t);
    const form = checkNewPassword(parsed, request.body, request.t, { email: parsed.values.email, name: parsed.values.name });
    if (!form.ok) {
      return reply.render('setup/setup', { title: request.t('setup.title'), values: form.values, errors: form.errors }, { status: 422 });
    }
    const { value } = form;
    const adminId = await completeSetup(app.db, {
      organisationName: value.organisationName,
      locale: value.locale,
      adminName: value.name,
      email: value.email,
      password: value.password,
    });
    app.organisation.forget();
    if (adminId === null) throw new NotFound();
    const { token } = await createSession(app.db, adminId, request.headers['user-agent'] ?? '');
    reply.setSessionCookie(token);
    request.log.info({ userId: adminId }, 'organisation set up');
    reply.flash('flash.setupDone');
    return reply.redirectTo('/');
  });
}
