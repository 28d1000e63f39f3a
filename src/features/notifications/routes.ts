// In-app notifications: the viewer's list, newest first, marking one read (then going where it
// leads) and marking all read. The header's unread count is filled by layout.ts; this plugin is
// wrapped with fastify-plugin so that its hook reaches every route of Hameau.
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { NotFound } from '../../http/errors.js';
import { idParam, optionalId } from '../../http/params.js';
import { authorize } from '../../policy/index.js';
import { describeNotifications, hrefOf } from './describe.js';
import notificationsLayout from './layout.js';
import { findShownNotification, listNotifications, markAllRead, markRead } from './queries.js';

async function notificationsRoutes(app: FastifyInstance) {
  await app.register(notificationsLayout);

  app.get<{ Querystring: { before?: string } }>('/notifications', async (request, reply) => {
    authorize(request.user, 'app.use');
    const before = optionalId(request.query.before);
    const page = await listNotifications(app.db, request.user, { before });
    return reply.render('notifications/index', {
      title: request.t('notifications.title'),
      notifications: await describeNotifications(app, page.notifications, request.t),
      next: page.next,
      firstPage: before === null,
    });
  });

  app.post<{ Params: { id: string } }>('/notifications/:id/read', async (request, reply) => {
    authorize(request.user, 'app.use');
    const notification = await findShownNotification(app.db, request.user, idParam(request.params.id));
    if (!notification) throw new NotFound();
    await markRead(app.db, request.user.id, notification.id);
    return reply.redirectTo(hrefOf(notification));
  });

  app.post('/notifications/read-all', async (request, reply) => {
    authorize(request.user, 'app.use');
    const count = await markAllRead(app.db, request.user.id);
    reply.flash('notifications.flash.allRead', { count });
    return reply.redirectTo('/notifications');
  });
}

export default fp(notificationsRoutes, { name: 'hameau-notifications', dependencies: ['hameau-request-context', 'hameau-render'] });
