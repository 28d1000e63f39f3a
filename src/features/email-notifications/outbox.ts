// The admin's outbox: notification emails and digests waiting to go out or failed, with their
// recipient, kind, due time, attempts and last error (one line, no stack).
import type { FastifyInstance } from 'fastify';
import { recordAudit } from '../../audit/audit-log.js';
import type { Millis } from '../../db/schema.js';
import { EMAIL_JOB_TYPES } from './delivery.js';
import { pluginNotificationType } from '../../notifications/plugin-types.js';

export interface OutboxEntry {
  id: number;
  state: string;
  /** A notification type, or 'digest'. */
  kind: string;
  /** Null when unknown, or not shown (a confidential plugin type). */
  recipientName: string | null;
  recipientEmail: string | null;
  /** The recipient is kept from the admins (a confidential plugin type). */
  recipientHidden: boolean;
  dueAt: Millis;
  attempts: number;
  maxAttempts: number;
  lastError: string | null;
}

const OUTBOX_SIZE = 200;

export async function outbox(app: FastifyInstance): Promise<OutboxEntry[]> {
  // Failed ones first, and never hidden behind a long queue of waiting ones (a weekend's held emails).
  const failed = await app.jobs.list(EMAIL_JOB_TYPES, ['failed'], OUTBOX_SIZE);
  const jobs = [...failed, ...(await app.jobs.list(EMAIL_JOB_TYPES, ['pending', 'running'], OUTBOX_SIZE))];
  const notificationIds = jobs.flatMap((job) => (job.type === 'email.notification' ? [(job.payload as { notificationId: number }).notificationId] : []));
  const notifications = notificationIds.length
    ? await app.db.selectFrom('notifications').select(['id', 'user_id', 'type']).where('id', 'in', notificationIds).execute()
    : [];
  const byNotification = new Map(notifications.map((n) => [n.id, n]));
  const userIds = [
    ...new Set([
      ...notifications.map((n) => n.user_id),
      ...jobs.flatMap((job) => (job.type === 'email.digest' ? [(job.payload as { userId: number }).userId] : [])),
    ]),
  ];
  const users = userIds.length ? await app.db.selectFrom('users').select(['id', 'name', 'email']).where('id', 'in', userIds).execute() : [];
  const byUser = new Map(users.map((u) => [u.id, u]));
  // A notification deleted meanwhile (a reaction taken back, a reminder answered): its email will not
  // go (the job finds nothing to send), so it is not listed, and a row without it would stand out.
  const listed = jobs.filter((job) => job.type !== 'email.notification' || byNotification.has((job.payload as { notificationId: number }).notificationId));
  return listed.map((job) => {
    const notification = job.type === 'email.notification' ? byNotification.get((job.payload as { notificationId: number }).notificationId) : undefined;
    const userId = job.type === 'email.digest' ? (job.payload as { userId: number }).userId : notification?.user_id;
    // A confidential plugin type (a survey's reminder to those who have not answered): the list of its
    // recipients would tell who has not answered, so it is not shown, not even to the admins.
    const confidential = notification !== undefined && pluginNotificationType(notification.type)?.definition.confidential === true;
    const user = userId === undefined || confidential ? undefined : byUser.get(userId);
    return {
      id: job.id,
      state: job.state,
      kind: job.type === 'email.digest' ? 'digest' : (notification?.type ?? 'other'),
      recipientName: user?.name ?? null,
      recipientEmail: user?.email ?? null,
      recipientHidden: confidential,
      dueAt: job.runAt,
      attempts: job.attempts,
      maxAttempts: job.maxAttempts,
      lastError: job.lastError,
    };
  });
}

/**
 * Puts a failed email back in line (an admin's "Retry"), audited as `email.retry` when it was failed;
 * false when it was not (sent or retried meanwhile). The queue's own update runs in its own
 * transaction (JobQueue.retry takes none), so the entry is written right after it, never for a
 * retry that did not happen.
 */
export async function retryEmail(app: Pick<FastifyInstance, 'db' | 'jobs'>, actorId: number, jobId: number, now: Millis = app.jobs.now()): Promise<boolean> {
  const retried = await app.jobs.retry(jobId);
  if (retried) {
    await recordAudit(app.db, { actorId, action: 'email.retry', subjectType: 'email_job', subjectId: jobId, details: { state: { before: 'failed', after: 'pending' } } }, now);
  }
  return retried;
}
