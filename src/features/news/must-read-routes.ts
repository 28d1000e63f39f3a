// Must-read: confirming "read and understood", and, for the author and admins, who confirmed (page,
// counts, CSV export) and reminding the others. Any item the viewer may not see answers 404.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { visibleContentSubject } from '../../content/subjects.js';
import { isPartialRequest } from '../../http/render.js';
import { formatDateTime } from '../../http/view-helpers.js';
import { isPublished } from '../../policy/content-rules.js';
import { authorize, type ContentSubject, type Viewer } from '../../policy/index.js';
import { toCsv } from './csv.js';
import { confirmRead, remindUnconfirmed } from './must-read.js';
import { confirmationCounts, lastReminderAt, listAudience, REMINDER_INTERVAL_MS, wholeAudience } from './must-read-queries.js';
import { zonedSortable } from './zoned-time.js';

type IdParams = { Params: { id: string } };
type ListQuery = { Querystring: { confirmed?: string; pending?: string } };

export default async function mustReadRoutes(app: FastifyInstance) {
  /** The item, when the viewer may see it; 404 otherwise, whether it exists or not. */
  async function visibleItem(viewer: Viewer, id: string): Promise<ContentSubject> {
    return visibleContentSubject(app, viewer, id);
  }

  async function titleOf(request: FastifyRequest, item: ContentSubject): Promise<string> {
    const found = (await app.contentKinds.loadMany(app.db, [item])).get(item.id);
    return found ? found.kind.title(found.data, request.t) : '';
  }

  /** Open to a reminder: published, not hidden (its readers can confirm it). */
  const isLive = (item: ContentSubject) => isPublished(item) && item.hiddenAt === null;

  app.post<IdParams>('/content/:id/confirm-read', async (request, reply) => {
    authorize(request.user, 'app.use');
    const item = await visibleItem(request.user, request.params.id);
    authorize(request.user, 'content.confirmRead', item);
    const at = await confirmRead(app.db, item.id, request.user.id);
    if (isPartialRequest(request)) return reply.render('must-read/panel', { item: { id: item.id, subject: item, confirmedAt: at }, justConfirmed: true });
    reply.flash('news.flash.confirmed');
    return reply.redirectTo(`/content/${item.id}`);
  });

  app.get<IdParams & ListQuery>('/content/:id/confirmations', async (request, reply) => {
    authorize(request.user, 'app.use');
    const item = await visibleItem(request.user, request.params.id);
    authorize(request.user, 'mustRead.track', item);
    const [title, counts, confirmed, pending, lastReminder] = await Promise.all([
      titleOf(request, item),
      confirmationCounts(app.db, item),
      listAudience(app.db, item, { confirmed: true, after: request.query.confirmed }),
      listAudience(app.db, item, { confirmed: false, after: request.query.pending }),
      lastReminderAt(app.db, item.id),
    ]);
    const now = Date.now();
    const nextReminderAt = lastReminder !== null && lastReminder + REMINDER_INTERVAL_MS > now ? lastReminder + REMINDER_INTERVAL_MS : null;
    return reply.render('must-read/confirmations', {
      title: request.t('news.confirmations.title', { title }),
      itemTitle: title,
      item,
      counts,
      confirmed,
      pending,
      cursors: { confirmed: request.query.confirmed ?? null, pending: request.query.pending ?? null },
      lastReminder,
      nextReminderAt,
      live: isLive(item),
    });
  });

  // The "N of M confirmed" line of the must-read panel, loaded after the page (only trackers ask).
  app.get<IdParams>('/content/:id/confirmations/summary', async (request, reply) => {
    authorize(request.user, 'app.use');
    const item = await visibleItem(request.user, request.params.id);
    authorize(request.user, 'mustRead.track', item);
    if (!isPartialRequest(request)) return reply.redirectTo(`/content/${item.id}/confirmations`);
    return reply.render('must-read/summary', { item, counts: await confirmationCounts(app.db, item) });
  });

  app.get<IdParams>('/content/:id/confirmations.csv', async (request, reply) => {
    authorize(request.user, 'app.use');
    const item = await visibleItem(request.user, request.params.id);
    authorize(request.user, 'mustRead.track', item);
    const zone = request.organisation?.time_zone ?? 'UTC';
    const people = await wholeAudience(app.db, item);
    const t = request.t;
    const csv = toCsv([
      [t('news.csv.name'), t('news.csv.email'), t('news.csv.status'), t('news.csv.confirmedAt')],
      ...people.map((p) => [
        p.name,
        p.email,
        p.confirmedAt !== null ? t('news.csv.confirmed') : t('news.csv.pending'),
        p.confirmedAt !== null ? zonedSortable(p.confirmedAt, zone) : '',
      ]),
    ]);
    return reply
      .header('Content-Type', 'text/csv; charset=utf-8')
      .header('Content-Disposition', `attachment; filename="confirmations-${item.id}.csv"`)
      .header('Cache-Control', 'no-store')
      .send(csv);
  });

  app.post<IdParams>('/content/:id/remind', async (request, reply) => {
    authorize(request.user, 'app.use');
    const viewer = request.user;
    const item = await visibleItem(viewer, request.params.id);
    authorize(viewer, 'mustRead.track', item);
    const back = `/content/${item.id}/confirmations`;
    if (!isLive(item)) {
      reply.flash('news.flash.reminderNotLive', undefined, 'error');
      return reply.redirectTo(back);
    }
    const result = await remindUnconfirmed(app.db, item, viewer.id);
    if (!result.ok) {
      if (result.problem === 'tooSoon') {
        const date = formatDateTime(request.locale, result.nextAt, request.organisation?.time_zone);
        reply.flash('news.flash.reminderTooSoon', { date }, 'error');
      } else {
        reply.flash('news.flash.nobodyToRemind', undefined, 'info');
      }
      return reply.redirectTo(back);
    }
    // The reminder emails go out through the email queue (src/features/email-notifications), quiet hours respected.
    reply.flash('news.flash.reminded', { count: result.recipients.length });
    return reply.redirectTo(back);
  });
}
