// GET/POST /setup: the first page anyone sees, until the organisation and its first admin exist.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { Field, parseForm, withError } from '../http/form.js';
import { NotFound } from '../http/errors.js';
import { checkNewPassword } from './new-password.js';
import { createSession } from './sessions.js';
import { createSetupCode, isFromThisMachine, setupCodeMatches } from './setup-code.js';
import { completeSetup } from './setup.js';
import { rescheduleDigests } from '../features/email-notifications/delivery.js';

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
  setupCode: Field.optional(Type.String({ maxLength: 100 })),
});

export default async function setupRoutes(app: FastifyInstance) {
  // Made at each start while the organisation is not set up, and only ever shown in the log.
  const setupCode = (await app.organisation.get()) ? null : createSetupCode();
  if (setupCode) {
    app.log.warn(
      { setupCode },
      `Hameau is not set up yet: open ${app.config.publicUrl}/setup. From another computer than this server, the page asks for this setup code: ${setupCode}`,
    );
  }

  app.get('/setup', async (request, reply) => {
    if (request.organisation) throw new NotFound();
    return reply.render('setup/setup', {
      title: request.t('setup.title'),
      timeZones: TIME_ZONES,
      needsCode: !isFromThisMachine(request),
      values: { locale: request.locale, timeZone: DEFAULT_TIME_ZONE },
      errors: {},
    });
  });

  app.post('/setup', async (request, reply) => {
    if (request.organisation) throw new NotFound();
    const needsCode = !isFromThisMachine(request);
    const parsed = parseForm(SetupForm, request.body, request.t);
    let form = checkNewPassword(parsed, request.t, {
      email: parsed.values.email,
      name: parsed.values.name,
      organisation: parsed.values.organisationName,
    });
    if (needsCode && !(setupCode && setupCodeMatches(parsed.values.setupCode ?? '', setupCode))) {
      request.log.warn('setup refused: wrong or missing setup code');
      form = withError(form, 'setupCode', request.t(parsed.values.setupCode ? 'setup.codeWrong' : 'setup.codeMissing'));
    }
    if (!form.ok) {
      return reply.render(
        'setup/setup',
        { title: request.t('setup.title'), timeZones: TIME_ZONES, needsCode, values: form.values, errors: form.errors },
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
    // The digests were planned before the organisation had a time zone: plan them in its own.
    await rescheduleDigests(app);
    await app.plugins.emit('user.joined', { userId: adminId });
    reply.flash('flash.setupDone');
    return reply.redirectTo('/');
  });
}
