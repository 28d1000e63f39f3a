// The header's bell: how many unread notifications the signed-in viewer has, for every full page.
// A global preHandler: registered (through fastify-plugin, as routes.ts is) on the root instance,
// which passes it on to every route plugin, those registered before included.
import fp from 'fastify-plugin';
import { isPartialRequest } from '../../http/render.js';
import { countUnread } from './queries.js';

export default fp(
  async (app) => {
    app.addHook('preHandler', async (request) => {
      // Fragments have no header; visitors have no notifications.
      if (!request.user || isPartialRequest(request)) return;
      request.layout.unreadNotifications = await countUnread(app.db, request.user);
    });
  },
  { name: 'hameau-notifications-layout', dependencies: ['hameau-request-context'] },
);
