// /admin/deleted: content deleted in the last 30 days, which an admin may restore; older content is
// purged for good by purge.ts.
import type { FastifyInstance } from 'fastify';
import { loadContentSubject } from '../../content/subjects.js';
import { NotFound } from '../../http/errors.js';
import { idParam, single } from '../../http/params.js';
import { authorize, can } from '../../policy/index.js';
import { listDeleted } from './queries.js';
import { restoreDeletedContent } from './service.js';

export default async function moderationDeletedRoutes(app: FastifyInstance) {
  app.get('/admin/deleted', async (request, reply) => {
    authorize(request.user, 'admin.access');
    const query = request.query as Record<string, unknown>;
    const page = await listDeleted(app.db, app.contentKinds, request.t, { after: single(query.after) });
    return reply.render('moderation/deleted', { title: request.t('moderation.deleted.title'), entries: page.entries, next: page.next });
  });

  app.post<{ Params: { id: string } }>('/admin/deleted/:id/restore', async (request, reply) => {
    authorize(request.user, 'admin.access');
    const content = await loadContentSubject(app.db, idParam(request.params.id));
    // Not deleted, or past its 30 days: nothing here to restore.
    if (!content || !can(request.user, 'content.restore', content)) throw new NotFound();
    await restoreDeletedContent(app.db, request.user.id, content);
    reply.flash('moderation.flash.restored');
    return reply.redirectTo('/admin/deleted');
  });
}
