// GET /healthz: 200 when the database answers, 503 otherwise. Used by Docker's HEALTHCHECK.
import type { FastifyInstance } from 'fastify';

export default async function healthRoutes(app: FastifyInstance) {
  app.get('/healthz', { logLevel: 'warn' }, async (request, reply) => {
    try {
      app.sqlite.prepare('SELECT 1').get();
      return reply.header('Cache-Control', 'no-store').send({ status: 'ok' });
    } catch (error) {
      request.log.error({ err: error }, 'health check: database does not answer');
      return reply.code(503).header('Cache-Control', 'no-store').send({ status: 'unavailable' });
    }
  });
}
