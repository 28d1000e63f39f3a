// Notification emails: a person's preferences (/account/notifications), the organisation's defaults
// and the outbox (/admin/notifications), and the signed unsubscribe link that works without signing
// in (/email/unsubscribe/...). Also registers the email jobs on the app's queue.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { NotFound } from '../../http/errors.js';
import { idParam } from '../../http/params.js';
import type { NotificationType } from '../../notifications/notify.js';
import { authorize } from '../../policy/index.js';
import { registerEmailJobs, rescheduleDigests, unsubscribeSecret } from './delivery.js';
import { choiceValues, parseOrganisationForm, parsePersonalForm, quietValues } from './forms.js';
import { typeLabel, typeNameOf } from './mail-content.js';
import { enabledPluginNotificationTypes } from '../../notifications/plugin-types.js';
import { outbox, retryEmail } from './outbox.js';
import { findRecipient, isEmailJob, storedOrganisation } from './queries.js';
import {
  DIGEST_FREQUENCIES,
  EMAIL_CHOICES,
  NOTIFICATION_TYPES,
  applyDefaultsToEveryone,
  isNotificationType,
  organisationDefaults,
  organisationDelivery,
  ownChoiceCounts,
  personalSettings,
  saveOrganisationDefaults,
  savePersonalPreferences,
  unsubscribe,
  userChoices,
} from './preferences.js';
import { formatTimeOfDay, type QuietHours } from './quiet-hours.js';
import { verifyUnsubscribeToken } from './unsubscribe-token.js';

interface UnsubscribeParams {
  userId: string;
  type: string;
  token: string;
}

export default async function emailNotificationsRoutes(app: FastifyInstance) {
  await registerEmailJobs(app);

  /** The types the choice tables show: the core's, then those of the plugins enabled now. */
  function shownTypes(): string[] {
    return [...NOTIFICATION_TYPES, ...enabledPluginNotificationTypes((id) => app.plugins.isEnabled(id)).map((registered) => registered.type)];
  }

  /** What both preference forms show besides their values. */
  function tableData(request: FastifyRequest) {
    const delivery = organisationDelivery(request.organisation);
    return {
      types: shownTypes().map((type) => ({ type, label: typeLabel(type, request.t) })),
      emailChoices: EMAIL_CHOICES,
      frequencies: DIGEST_FREQUENCIES,
      timeZone: delivery.timeZone,
      organisationHours: hoursText(request, delivery.quietHours),
      organisationFrequency: request.t(`emailNotifications.frequencies.${delivery.digestFrequency}`),
      mailEnabled: app.mailer.enabled,
    };
  }

  function hoursText(request: FastifyRequest, hours: QuietHours): string {
    const params = { start: formatTimeOfDay(hours.start), end: formatTimeOfDay(hours.end) };
    return request.t(hours.weekends ? 'emailNotifications.quiet.summaryWeekends' : 'emailNotifications.quiet.summary', params);
  }

  // A person's preferences.
  app.get('/account/notifications', async (request, reply) => {
    authorize(request.user, 'app.use');
    const { choices } = await userChoices(app.db, request.user.id);
    const settings = await personalSettings(app.db, request.user.id);
    const delivery = organisationDelivery(request.organisation);
    return reply.render('email-notifications/preferences', {
      title: request.t('emailNotifications.preferences.title'),
      ...tableData(request),
      values: {
        ...choiceValues(choices, shownTypes()),
        digestFrequency: settings.digestFrequency ?? 'organisation',
        quietHours: settings.quietHours ? 'own' : 'organisation',
        ...quietValues(settings.quietHours ?? delivery.quietHours),
      },
      errors: {},
    });
  });

  app.post('/account/notifications', async (request, reply) => {
    authorize(request.user, 'app.use');
    const form = parsePersonalForm(request.body, request.t, shownTypes());
    if (!form.ok) {
      return reply.render(
        'email-notifications/preferences',
        { title: request.t('emailNotifications.preferences.title'), ...tableData(request), values: form.values, errors: form.errors },
        { status: 422 },
      );
    }
    await savePersonalPreferences(app.db, request.user.id, form.value.choices, { digestFrequency: form.value.digestFrequency, quietHours: form.value.quietHours });
    reply.flash('emailNotifications.flash.saved');
    return reply.redirectTo('/account/notifications');
  });

  // The organisation's defaults, quiet hours and outbox.
  async function renderAdmin(request: FastifyRequest, reply: FastifyReply, form: { values: Record<string, string>; errors: Record<string, string> } | null, status = 200) {
    // Read fresh, not the request's cached copy: the form shows what is stored.
    const delivery = organisationDelivery(await storedOrganisation(app.db));
    const values = form?.values ?? { ...choiceValues(await organisationDefaults(app.db), shownTypes()), digestFrequency: delivery.digestFrequency, ...quietValues(delivery.quietHours) };
    const entries = await outbox(app);
    return reply.render(
      'email-notifications/admin',
      {
        title: request.t('emailNotifications.admin.title'),
        ...tableData(request),
        values,
        errors: form?.errors ?? {},
        outbox: entries.map((entry) => ({ ...entry, kindLabel: entry.kind === 'digest' ? request.t('emailNotifications.admin.digestKind') : typeLabel(entry.kind, request.t) })),
      },
      { status },
    );
  }

  app.get('/admin/notifications', async (request, reply) => {
    authorize(request.user, 'settings.manage');
    return renderAdmin(request, reply, null);
  });

  app.post('/admin/notifications', async (request, reply) => {
    authorize(request.user, 'settings.manage');
    const form = parseOrganisationForm(request.body, request.t, shownTypes());
    if (!form.ok) return renderAdmin(request, reply, form, 422);
    await saveOrganisationDefaults(app.db, request.user.id, form.value);
    app.organisation.forget();
    // The digests go out when the quiet hours end: move the next run to the new end.
    await rescheduleDigests(app);
    reply.flash('emailNotifications.flash.defaultsSaved');
    return reply.redirectTo('/admin/notifications');
  });

  app.get('/admin/notifications/apply', async (request, reply) => {
    authorize(request.user, 'settings.manage');
    const counts = await ownChoiceCounts(app.db);
    return reply.render('email-notifications/apply', { title: request.t('emailNotifications.admin.confirmTitle'), count: counts.people });
  });

  app.post('/admin/notifications/apply', async (request, reply) => {
    authorize(request.user, 'settings.manage');
    const before = await applyDefaultsToEveryone(app.db, request.user.id);
    reply.flash('emailNotifications.flash.applied', { count: before.people });
    return reply.redirectTo('/admin/notifications');
  });

  app.post<{ Params: { id: string } }>('/admin/notifications/outbox/:id/retry', async (request, reply) => {
    authorize(request.user, 'settings.manage');
    const id = idParam(request.params.id);
    if (!(await isEmailJob(app.db, id))) throw new NotFound();
    const retried = await retryEmail(app, request.user.id, id);
    reply.flash(retried ? 'emailNotifications.flash.retried' : 'emailNotifications.flash.notRetried', undefined, retried ? 'success' : 'info');
    return reply.redirectTo('/admin/notifications#outbox');
  });

  // Unsubscribe links: no sign-in, the signed token says who and what. GET asks, POST does
  // (and answers mail clients' one-click POST, RFC 8058).
  async function checkLink(params: UnsubscribeParams) {
    const userId = /^[1-9]\d{0,15}$/.test(params.userId) ? Number(params.userId) : null;
    const type: NotificationType | 'digest' | null = params.type === 'digest' || isNotificationType(params.type) ? params.type : null;
    if (userId === null || type === null) return null;
    if (!verifyUnsubscribeToken(await unsubscribeSecret(app), userId, type, params.token)) return null;
    const user = await findRecipient(app.db, userId);
    return user ? { user, type } : null;
  }

  function typeName(request: FastifyRequest, type: string): string {
    return typeNameOf(type, request.t);
  }

  function invalidLink(request: FastifyRequest, reply: FastifyReply) {
    return reply.render('email-notifications/unsubscribe', { title: request.t('emailNotifications.unsubscribe.invalidTitle'), invalid: true }, { status: 404 });
  }

  app.get<{ Params: UnsubscribeParams }>('/email/unsubscribe/:userId/:type/:token', async (request, reply) => {
    const link = await checkLink(request.params);
    if (!link) return invalidLink(request, reply);
    return reply.render('email-notifications/unsubscribe', {
      title: request.t('emailNotifications.unsubscribe.title'),
      invalid: false,
      done: false,
      digest: link.type === 'digest',
      typeName: typeName(request, link.type),
      email: link.user.email,
      action: request.url.split('?')[0],
    });
  });

  app.post<{ Params: UnsubscribeParams }>('/email/unsubscribe/:userId/:type/:token', async (request, reply) => {
    const link = await checkLink(request.params);
    if (!link) return invalidLink(request, reply);
    await unsubscribe(app.db, link.user.id, link.type);
    return reply.render('email-notifications/unsubscribe', {
      title: request.t('emailNotifications.unsubscribe.title'),
      invalid: false,
      done: true,
      digest: link.type === 'digest',
      typeName: typeName(request, link.type),
      email: link.user.email,
    });
  });
}
