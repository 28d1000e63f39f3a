// GET /account/export: the signed-in person downloads everything Hameau holds about them (GDPR, right
// of access and portability), as one JSON file. The parts come from the plugin runtime's exportUser:
// the core's (src/gdpr/core-parts.ts) and every enabled plugin's `user.export` hook.
import type { FastifyInstance } from 'fastify';
import { authorize } from '../../policy/index.js';
import { exportDocument, exportFileName } from './export.js';

export default async function exportRoutes(app: FastifyInstance) {
  app.get('/account/export', async (request, reply) => {
    authorize(request.user, 'app.use');
    const user = request.user;
    // A whole export is heavier than a page: a few an hour are plenty for anyone.
    await app.limiters.dataExportsPerUser.consume(request, String(user.id));
    const now = Date.now();
    const organisation = request.organisation;
    const document = await exportDocument(app, user.id, { organisationName: organisation?.name ?? null, now });
    request.log.info({ userId: user.id, parts: Object.keys(document).length - 1 }, 'personal data exported');
    return reply
      .header('Content-Type', 'application/json; charset=utf-8')
      .header('Content-Disposition', `attachment; filename="${exportFileName(now, organisation?.time_zone ?? 'UTC')}"`)
      .header('Cache-Control', 'no-store')
      .header('X-Content-Type-Options', 'nosniff')
      .send(JSON.stringify(document, null, 2));
  });
}
