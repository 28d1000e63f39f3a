// GET/POST /setup: the first page anyone sees, until the organisation and its first admin exist.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { Field, parseForm } from '../http/form.js';
import { NotFound } from '../http/errors.js';
import { checkNewPassword } from './new-password.js';
import { createSession } from './sessions.js';
import { completeSetup } from './setup.js';

/** Every IANA time zone this Node.js knows, for the organisation's choice. */
export const TIME_ZONES: readonly string[] = Intl.supportedValuesOf('timeZone');
const DEFAULT_TIME_ZONE = 'Europe/Paris';

const SetupForm = Type.Object({
  organisationName: Field.text({ max: 100 }),
  locale: Field.locale(),
  timeZone: Field.choice(TIME_ZONES),
  name: Field.text({ max: 100 }),
  email: Field.email(),
  password: Field.password(),
  passwordConfirmation: Field.password(),
});

export default async function setupRoutes(app: FastifyInstance) {
  app.get('/setup', async (request, reply) => {
    if (request.organisation) throw new NotFound();
    return reply.render('setup/setup', {
      title: request.t('setup.title'),
      timeZones: TIME_ZONES,
      values: { locale: request.locale, timeZone: DEFAULT_TIME_ZONE },
      errors: {},
    });
  });

  app.post('/setup', async (request, reply) => {
    if (request.organisation) throw new NotFound();
    const parsed = parseForm(SetupForm, request.body, request.t);
    const form = checkNewPassword(parsed, request.body, request.t, { email: parsed.values.email, name: parsed.values.name });
    if (!form.ok) {
      return reply.render(
        'setup/setup',
        { title: request.t('setup.title'), timeZones: TIME_ZONES, values: form.values, errors: form.errors },
        { status: 422 },
      );
    }
    const { value } = form;
    const adminId = await completeSetup(app.db, {
      organisationName: value.organisationName,
      locale: value.locale,
      timeZone: value.timeZone,
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
