// The home page after sign-in.
import type { FastifyInstance } from 'fastify';
import { authorize, can } from '../../policy/index.js';
import { countMembers } from './queries.js';

export default async function homeRoutes(app: FastifyInstance) {
  app.get('/', async (request, reply) => {
    authorize(request.user, 'app.use');
    return reply.render('home/index', {
      title: request.t('home.title'),
      // The counts summarise the members page: shown to whoever may see that page.
      memberCount: can(request.user, 'member.list') ? await countMembers(app.db) : null,
    });
  });
}
