// Email delivery of notifications, as jobs of the durable queue (src/jobs):
// - 'email.dispatch' (recurring, every 30 s) decides for each new notification: an immediate email
//   (at once, or when the recipient's quiet hours end; urgent must-reads ignore them, audited), the
//   digest, or no email;
// - 'email.notification' sends one email, after checking again that it is still wanted;
// - 'email.digests' (recurring, each morning when the organisation's quiet hours end) queues one
//   'email.digest' per person due for theirs (daily, or weekly on Monday).
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { recordAudit } from '../../audit/audit-log.js';
import type { Database, DigestFrequency, EmailChoice, EmailState, Locale, Millis, UserStatus } from '../../db/schema.js';
import { appSecret } from '../../db/secrets.js';
import { loadViewer } from '../../policy/viewer.js';
import { digestMail, loadMailNotifications, singleMail, stillVisible, type Recipient } from './mail-content.js';
import { isNotificationType, organisationDefaults, organisationDelivery, personalSettings, settingsOfRow, userChoices, type TypeChoices } from './preferences.js';
import { nextWallClock, quietUntil, wallClockAt, type QuietHours } from './quiet-hours.js';
import { unsubscribeUrl } from './unsubscribe-token.js';
import { pluginNotificationType } from '../../notifications/plugin-types.js';
import { MUST_READ_TYPES } from '../../notifications/still-concerns.js';

export const EMAIL_JOB_TYPES = ['email.notification', 'email.digest'] as const;
export const DISPATCH_INTERVAL_MS = 30_000;
const BATCH = 500;

interface NotificationJob {
  notificationId: number;
}
interface DigestJob {
  userId: number;
}

/** Registers the email jobs on the app's queue; the recurring ones get their row if they have none. */
export async function registerEmailJobs(app: FastifyInstance): Promise<void> {
  app.jobs.register<NotificationJob>('email.notification', ({ payload, now }) => sendNotificationEmail(app, payload.notificationId, now));
  app.jobs.register<DigestJob>('email.digest', ({ payload, now }) => sendDigest(app, payload.userId, now));
  await app.jobs.recurring('email.dispatch', ({ now }) => dispatch(app, now), { next: (now) => now + DISPATCH_INTERVAL_MS, runAtStart: true });
  await app.jobs.recurring('email.digests', ({ now }) => queueDigests(app, now), { next: (now) => nextDigestRun(app, now) });
}

/** The next morning run of the digests: the end of the organisation's quiet hours (07:30 by default). */
export async function nextDigestRun(app: FastifyInstance, now: Millis): Promise<Millis> {
  const delivery = organisationDelivery(await app.organisation.get());
  return nextWallClock(now, delivery.quietHours.end, delivery.timeZone);
}

/** Moves the next run of the digests after the quiet hours or the time zone changed (call after the commit). */
export async function rescheduleDigests(app: FastifyInstance): Promise<void> {
  await app.jobs.reschedule(app.db, 'email.digests', await nextDigestRun(app, app.jobs.now()));
}

const secrets = new WeakMap<FastifyInstance, Buffer>();
export async function unsubscribeSecret(app: FastifyInstance): Promise<Buffer> {
  let secret = secrets.get(app);
  if (!secret) {
    secret = await appSecret(app.db, 'email-unsubscribe');
    secrets.set(app, secret);
  }
  return secret;
}

async function setEmailState(db: Kysely<Database>, ids: readonly number[], state: EmailState, at: Millis): Promise<void> {
  for (let start = 0; start < ids.length; start += BATCH) {
    await db.updateTable('notifications').set({ email_state: state, email_at: at }).where('id', 'in', ids.slice(start, start + BATCH)).execute();
  }
}

/**
 * Decides the email of every notification not decided yet (created by `now`), by the recipient's
 * preferences, else the organisation's defaults. Several runs at once decide each notification once.
 */
export async function dispatch(app: FastifyInstance, now: Millis): Promise<void> {
  const organisation = await app.organisation.get();
  if (!organisation) return;
  if (!app.mailer.enabled) {
    // No mail server: nothing will ever be mailed, and turning SMTP on later must not mail the past.
    await app.db.updateTable('notifications').set({ email_state: 'skipped', email_at: now }).where('email_state', 'is', null).where('created_at', '<=', now).execute();
    return;
  }
  const delivery = organisationDelivery(organisation);
  const defaults = await organisationDefaults(app.db);
  for (let round = 0; round < 100; round++) {
    const rows = await app.db
      .selectFrom('notifications as n')
      .innerJoin('users as u', 'u.id', 'n.user_id')
      .leftJoin('notification_preferences as p', (join) => join.onRef('p.user_id', '=', 'n.user_id').onRef('p.type', '=', 'n.type'))
      .leftJoin('notification_settings as st', 'st.user_id', 'n.user_id')
      .leftJoin('news_articles as na', 'na.content_id', 'n.content_id')
      .select([
        'n.id',
        'n.user_id',
        'n.type',
        'n.content_id',
        'n.read_at',
        'u.status',
        'p.email as own_email',
        'st.digest_frequency',
        'st.quiet_start',
        'st.quiet_end',
        'st.quiet_weekends',
        'na.urgent',
      ])
      .where('n.email_state', 'is', null)
      .where('n.created_at', '<=', now)
      .orderBy('n.id')
      .limit(BATCH)
      .execute();
    if (rows.length === 0) return;
    await app.db.transaction().execute(async (trx) => {
      const bypassed = new Map<number, number>();
      for (const row of rows) {
        const choice: EmailChoice = row.own_email ?? defaults[row.type]?.email ?? 'digest';
        const settings = settingsOfRow(row);
        const frequency = settings.digestFrequency ?? delivery.digestFrequency;
        let state: EmailState;
        let at: Millis = now;
        let bypass = false;
        if (row.status !== 'active' || row.read_at !== null || choice === 'off') {
          state = 'skipped';
        } else if (choice === 'digest') {
          state = frequency === 'never' ? 'skipped' : 'digest';
        } else {
          state = 'queued';
          const quietEnd = quietUntil(now, settings.quietHours ?? delivery.quietHours, delivery.timeZone);
          const urgent = row.urgent === 1 && MUST_READ_TYPES.includes(row.type);
          if (quietEnd !== null && urgent) {
            bypass = true;
          } else if (quietEnd !== null) {
            at = quietEnd;
          }
        }
        const updated = await trx
          .updateTable('notifications')
          .set({ email_state: state, email_at: at })
          .where('id', '=', row.id)
          .where('email_state', 'is', null)
          .executeTakeFirst();
        // Another run decided it meanwhile: nothing more to do here.
        if (Number(updated.numUpdatedRows) === 0) continue;
        if (bypass && row.content_id !== null) bypassed.set(row.content_id, (bypassed.get(row.content_id) ?? 0) + 1);
        if (state === 'queued') {
          await app.jobs.enqueue(trx, { type: 'email.notification', payload: { notificationId: row.id }, runAt: at, key: `email.notification:${row.id}` });
        }
      }
      for (const [contentId, recipients] of bypassed) {
        await recordAudit(trx, { actorId: null, action: 'email.quietHoursBypassed', subjectType: 'content', subjectId: contentId, details: { recipients } }, now);
      }
    });
    if (rows.length < BATCH) return;
  }
}

interface RecipientRow {
  id: number;
  email: string;
  name: string;
  role: 'admin' | 'editor' | 'member';
  locale: Locale | null;
  status: UserStatus;
}

async function loadRecipient(app: FastifyInstance, userId: number): Promise<RecipientRow | undefined> {
  return app.db.selectFrom('users').select(['id', 'email', 'name', 'role', 'locale', 'status']).where('id', '=', userId).executeTakeFirst();
}

/** Sends the email of one notification, unless it is no longer wanted: read meanwhile, no longer visible, recipient gone, type turned off. */
export async function sendNotificationEmail(app: FastifyInstance, notificationId: number, now: Millis): Promise<void> {
  const n = await app.db.selectFrom('notifications').select(['id', 'user_id', 'type', 'read_at', 'email_state', 'content_id']).where('id', '=', notificationId).executeTakeFirst();
  if (!n || n.email_state !== 'queued') return;
  const organisation = await app.organisation.get();
  const user = await loadRecipient(app, n.user_id);
  const skip = () => setEmailState(app.db, [n.id], 'skipped', now);
  if (!organisation || !user || user.status !== 'active' || n.read_at !== null || !isNotificationType(n.type)) return skip();
  const { choices } = await userChoices(app.db, user.id);
  if (choices[n.type]?.email === 'off') return skip();
  const viewer = await loadViewer(app.db, user, organisation);
  if (!(await stillVisible(app.db, viewer, [n.id], now)).has(n.id)) return skip();
  const [notification] = await loadMailNotifications(app.db, [n.id]);
  if (!notification) return skip();
  const urgent =
    n.content_id !== null && MUST_READ_TYPES.includes(n.type)
      ? (await app.db.selectFrom('news_articles').select('urgent').where('content_id', '=', n.content_id).executeTakeFirst())?.urgent === 1
      : false;
  if (!urgent) {
    // Due during quiet hours all the same (a retry after a failure, an admin's "retry" in the evening,
    // a worker that was stopped): held again until they end, never sent in the night.
    const delivery = organisationDelivery(organisation);
    const own = await personalSettings(app.db, user.id);
    const held = quietUntil(now, own.quietHours ?? delivery.quietHours, delivery.timeZone);
    if (held !== null) {
      await app.db.transaction().execute(async (trx) => {
        await trx.updateTable('notifications').set({ email_at: held }).where('id', '=', n.id).where('email_state', '=', 'queued').execute();
        await app.jobs.enqueue(trx, { type: 'email.notification', payload: { notificationId: n.id }, runAt: held, key: `email.notification:${n.id}:${held}` });
      });
      return;
    }
  }
  const recipient: Recipient = { id: user.id, email: user.email, name: user.name, locale: user.locale ?? organisation.default_locale };
  const mail = await singleMail({
    app,
    recipient,
    organisationName: organisation.name,
    unsubscribeUrl: unsubscribeUrl(app.config.publicUrl, await unsubscribeSecret(app), user.id, n.type),
    notification,
    urgent,
    now,
  });
  // A plugin's notification that no longer concerns the person (they answered meanwhile).
  if (!mail) return skip();
  try {
    await app.mailer.deliver(mail);
  } catch (error) {
    // A confidential type's failure must not name its recipient (a mail server's refusal quotes the
    // address): the outbox shows the error and the queue logs it.
    if (pluginNotificationType(n.type)?.definition.confidential) throw new Error(`the mail server refused the email (${smtpCode(error)}); its recipient is not shown`);
    throw error;
  }
  await setEmailState(app.db, [n.id], 'sent', now);
}

/** A mail server's reply code ("550"), or "no reply code", without the rest of its message. */
function smtpCode(error: unknown): string {
  const code = (error as { responseCode?: unknown } | null)?.responseCode;
  return typeof code === 'number' ? String(code) : 'no reply code';
}

/** Queues the digest of everyone due for one now: daily, or weekly on Mondays (organisation's time zone). */
export async function queueDigests(app: FastifyInstance, now: Millis): Promise<void> {
  // Decide the newest notifications first, so that they make this digest.
  await dispatch(app, now);
  const organisation = await app.organisation.get();
  if (!organisation) return;
  const delivery = organisationDelivery(organisation);
  const monday = wallClockAt(now, delivery.timeZone).weekday === 1;
  const people = await app.db
    .selectFrom('notifications as n')
    .innerJoin('users as u', 'u.id', 'n.user_id')
    .leftJoin('notification_settings as st', 'st.user_id', 'n.user_id')
    .select(['n.user_id', 'u.status', 'st.digest_frequency', 'st.quiet_start', 'st.quiet_end', 'st.quiet_weekends'])
    .distinct()
    .where('n.email_state', '=', 'digest')
    .where('n.created_at', '<=', now)
    .execute();
  for (const person of people) {
    const settings = settingsOfRow(person);
    const frequency: DigestFrequency = settings.digestFrequency ?? delivery.digestFrequency;
    if (person.status !== 'active' || frequency === 'never') {
      await app.db.updateTable('notifications').set({ email_state: 'skipped', email_at: now }).where('user_id', '=', person.user_id).where('email_state', '=', 'digest').execute();
      continue;
    }
    if (frequency === 'weekly' && !monday) continue;
    // One digest waiting per person: it takes everything due when it goes out.
    const waiting = await app.db
      .selectFrom('jobs')
      .select('id')
      .where('type', '=', 'email.digest')
      .where('key', 'like', `email.digest:${person.user_id}:%`)
      .where('state', 'in', ['pending', 'running'])
      .executeTakeFirst();
    if (waiting) continue;
    const hours: QuietHours = settings.quietHours ?? delivery.quietHours;
    const runAt = quietUntil(now, hours, delivery.timeZone) ?? now;
    await app.jobs.enqueue(app.db, { type: 'email.digest', payload: { userId: person.user_id }, runAt, key: `email.digest:${person.user_id}:${now}` });
  }
}

/** Sends one person's digest: their unread, still visible notifications waiting for it, grouped by item. Nothing when there is nothing. */
export async function sendDigest(app: FastifyInstance, userId: number, now: Millis): Promise<void> {
  const organisation = await app.organisation.get();
  const user = await loadRecipient(app, userId);
  if (!organisation || !user) return;
  const waiting = await app.db
    .selectFrom('notifications')
    .select(['id', 'type', 'read_at'])
    .where('user_id', '=', userId)
    .where('email_state', '=', 'digest')
    .where('created_at', '<=', now)
    .orderBy('id')
    .execute();
  if (waiting.length === 0) return;
  const settings = settingsOfRow(await app.db.selectFrom('notification_settings').selectAll().where('user_id', '=', userId).executeTakeFirst());
  const delivery = organisationDelivery(organisation);
  const frequency = settings.digestFrequency ?? delivery.digestFrequency;
  if (user.status !== 'active' || frequency === 'never') return setEmailState(app.db, waiting.map((n) => n.id), 'skipped', now);
  // Due during quiet hours all the same (a retry, a stopped worker): held again until they end.
  const held = quietUntil(now, settings.quietHours ?? delivery.quietHours, delivery.timeZone);
  if (held !== null) {
    // Unless another digest of theirs already waits (it will take these too).
    const other = await app.db
      .selectFrom('jobs')
      .select('id')
      .where('type', '=', 'email.digest')
      .where('key', 'like', `email.digest:${userId}:%`)
      .where('state', '=', 'pending')
      .executeTakeFirst();
    if (!other) await app.jobs.enqueue(app.db, { type: 'email.digest', payload: { userId }, runAt: held, key: `email.digest:${userId}:${held}` });
    return;
  }
  const { choices } = await userChoices(app.db, userId);
  const viewer = await loadViewer(app.db, user, organisation);
  const visible = await stillVisible(app.db, viewer, waiting.map((n) => n.id), now);
  const wanted = (n: (typeof waiting)[number], all: TypeChoices) => n.read_at === null && visible.has(n.id) && all[n.type]?.email !== 'off';
  const included = waiting.filter((n) => wanted(n, choices)).map((n) => n.id);
  const skipped = waiting.filter((n) => !wanted(n, choices)).map((n) => n.id);
  await setEmailState(app.db, skipped, 'skipped', now);
  if (included.length === 0) return;
  // Claimed before sending: two digest jobs of one person running side by side (the worker runs two
  // jobs at once) never mail the same notifications twice. Put back if the mail server refuses.
  const claimed: number[] = [];
  for (let start = 0; start < included.length; start += BATCH) {
    const rows = await app.db
      .updateTable('notifications')
      .set({ email_state: 'digested', email_at: now })
      .where('id', 'in', included.slice(start, start + BATCH))
      .where('email_state', '=', 'digest')
      .returning('id')
      .execute();
    claimed.push(...rows.map((r) => r.id));
  }
  if (claimed.length === 0) return;
  const putBack = async (ids: readonly number[]) => {
    for (let start = 0; start < ids.length; start += BATCH) {
      await app.db.updateTable('notifications').set({ email_state: 'digest', email_at: now }).where('id', 'in', ids.slice(start, start + BATCH)).where('email_state', '=', 'digested').execute();
    }
  };
  try {
    const notifications = await loadMailNotifications(app.db, claimed);
    const { mail, failed } = await digestMail({
      app,
      recipient: { id: user.id, email: user.email, name: user.name, locale: user.locale ?? organisation.default_locale },
      organisationName: organisation.name,
      unsubscribeUrl: unsubscribeUrl(app.config.publicUrl, await unsubscribeSecret(app), user.id, 'digest'),
      notifications,
      frequency,
      now,
    });
    // A plugin could not describe some of its notifications: they wait for the next digest.
    await putBack(failed);
    const told = claimed.filter((id) => !failed.includes(id));
    // Nothing left to tell (plugins' notifications that no longer concern the person).
    if (!mail) return await setEmailState(app.db, told, 'skipped', now);
    await app.mailer.deliver(mail);
  } catch (error) {
    await putBack(claimed);
    throw error;
  }
}
