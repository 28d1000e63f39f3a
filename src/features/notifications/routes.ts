// In-app notifications: the viewer's list (grouped by item and type, newest activity first), marking
// an entry read (then going where it leads), marking all read, the bell's live stream, and following
// items and spaces. The header's unread count is filled by layout.ts; this plugin is wrapped with
// fastify-plugin so that its hooks reach every route of Hameau.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { visibleContentSubject } from '../../content/subjects.js';
import { NotFound } from '../../http/errors.js';
import { Field, parseForm } from '../../http/form.js';
import { idParam, optionalId } from '../../http/params.js';
import { safeNextPath } from '../../http/redirects.js';
import { isPartialRequest } from '../../http/render.js';
import { setContentFollow, setSpaceFollow } from '../../notifications/follows.js';
import { notificationEvents } from '../../notifications/live.js';
import { authorize, can } from '../../policy/index.js';
import { findSpace } from '../spaces/queries.js';
import { describePluginNotification, enabledPluginNotificationTypes } from '../../notifications/plugin-types.js';
import { describeNotifications, hrefOf } from './describe.js';
import notificationsLayout from './layout.js';
import { findShownNotification, listNotifications, markAllRead, markRead } from './queries.js';
import { LiveBell } from './stream.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The bell's server-sent event streams (stream.ts). */
    liveBell: LiveBell;
  }
}

const FollowForm = Type.Object({
  follow: Field.choice(['yes', 'no'] as const),
  next: Field.optional(Type.String({ maxLength: 2000 })),
});

type IdParams = { Params: { id: string } };

async function notificationsRoutes(app: FastifyInstance) {
  await app.register(notificationsLayout);
  const liveBell = new LiveBell(app);
  app.decorate('liveBell', liveBell);
  // Before the server stops: open streams would otherwise keep it waiting forever.
  app.addHook('preClose', async () => liveBell.closeAll());

  app.get<{ Querystring: { before?: string } }>('/notifications', async (request, reply) => {
    authorize(request.user, 'app.use');
    const before = optionalId(request.query.before);
    const page = await listNotifications(app.db, request.user, { before });
    const notifications = await describeNotifications(app, page.notifications, request.t, request.user.id);
    const firstPage = before === null;
    return reply.render('notifications/index', {
      title: request.t('notifications.title'),
      notifications,
      next: page.next,
      firstPage,
      // Nothing yet: the page says what will come here, the kinds the plugins turned on add too.
      pluginKinds:
        firstPage && notifications.length === 0
          ? enabledPluginNotificationTypes((id) => app.plugins.isEnabled(id)).map((registered) => registered.definition.label(request.t))
          : [],
    });
  });

  // Marks an entry read (all the notifications it groups, up to the one named) and goes where it leads.
  app.post<IdParams>('/notifications/:id/read', async (request, reply) => {
    authorize(request.user, 'app.use');
    const notification = await findShownNotification(app.db, request.user, idParam(request.params.id));
    if (!notification) throw new NotFound();
    if ((await markRead(app.db, request.user.id, notification)) > 0) notificationEvents.emitFor([request.user.id]);
    // A plugin's notification leads where its plugin says; nowhere new once it no longer concerns the person.
    const own = await describePluginNotification(app.db, { ...notification, userId: request.user.id }, request.t, Date.now());
    if (own) return reply.redirectTo(typeof own.description === 'string' ? '/notifications' : own.description.href);
    return reply.redirectTo(hrefOf(notification));
  });

  app.post('/notifications/read-all', async (request, reply) => {
    authorize(request.user, 'app.use');
    const count = await markAllRead(app.db, request.user.id);
    if (count > 0) notificationEvents.emitFor([request.user.id]);
    reply.flash('notifications.flash.allRead', { count });
    return reply.redirectTo('/notifications');
  });

  // The bell's live count (server-sent events): visitors are sent to sign in like everywhere else.
  app.get('/notifications/stream', async (request, reply) => {
    authorize(request.user, 'app.use');
    await liveBell.open(request, reply, request.user);
  });

  // ---- Following ------------------------------------------------------------------------------------

  app.post<IdParams>('/content/:id/follow', async (request, reply) => {
    authorize(request.user, 'app.use');
    const viewer = request.user;
    const subject = await visibleContentSubject(app, viewer, request.params.id);
    const form = parseForm(FollowForm, request.body, request.t);
    const back = safeNextPath(form.values.next, `/content/${subject.id}`);
    if (!form.ok) return reply.redirectTo(back);
    const following = form.value.follow === 'yes';
    await setContentFollow(app.db, subject.id, viewer.id, following);
    if (isPartialRequest(request)) {
      return reply.render('notifications/follow-button', { follow: { kind: 'content', id: subject.id, following, next: back, changed: true } });
    }
    reply.flash(following ? 'notifications.flash.followingItem' : 'notifications.flash.unfollowedItem');
    return reply.redirectTo(back);
  });

  app.post<IdParams>('/spaces/:id/follow', async (request, reply) => {
    authorize(request.user, 'app.use');
    const viewer = request.user;
    const space = await findSpace(app.db, idParam(request.params.id));
    if (!space || !can(viewer, 'space.view', space)) throw new NotFound();
    const form = parseForm(FollowForm, request.body, request.t);
    const back = safeNextPath(form.values.next, `/spaces/${space.id}`);
    if (!form.ok) return reply.redirectTo(back);
    const following = form.value.follow === 'yes';
    await setSpaceFollow(app.db, space.id, viewer.id, following);
    if (isPartialRequest(request)) {
      return reply.render('notifications/follow-button', { follow: { kind: 'space', id: space.id, following, next: back, changed: true } });
    }
    reply.flash(following ? 'notifications.flash.followingSpace' : 'notifications.flash.unfollowedSpace', { name: space.name });
    return reply.redirectTo(back);
  });
}

export default fp(notificationsRoutes, { name: 'hameau-notifications', dependencies: ['hameau-request-context', 'hameau-render'] });
