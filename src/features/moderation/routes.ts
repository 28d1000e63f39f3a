// Moderation: the actions on one item or comment (delete, hide, report), the moderation queue, the
// deleted content admins may restore, and the periodic purge of content deleted over 30 days ago.
import type { FastifyInstance } from 'fastify';
import { removeStoredFiles } from '../attachments/storage.js';
import deletedRoutes from './deleted-routes.js';
import itemRoutes from './item-routes.js';
import { PURGE_INTERVAL_MS, purgeExpiredContent } from './purge.js';
import queueRoutes from './queue-routes.js';

export default async function moderationRoutes(app: FastifyInstance) {
  await app.register(itemRoutes);
  await app.register(queueRoutes);
  await app.register(deletedRoutes);

  // One purge at a time; closing stops it after its current batch and waits for that (the database
  // closes after).
  let running: Promise<void> | null = null;
  const closing = new AbortController();
  const purge = () => {
    if (closing.signal.aborted) return running;
    running ??= purgeExpiredContent(app.db, { removeFiles: (keys) => removeStoredFiles(app.config.dataDir, keys), signal: closing.signal })
      .then(({ contentPurged, storageKeys }) => {
        if (contentPurged > 0) app.log.info({ contentPurged, filesRemoved: storageKeys.length }, 'deleted content purged');
      })
      .catch((error: unknown) => app.log.error({ err: error }, 'purge of deleted content failed'))
      .finally(() => {
        running = null;
      });
    return running;
  };
  let timer: NodeJS.Timeout | undefined;
  let first: NodeJS.Immediate | undefined;
  app.addHook('onReady', async () => {
    timer = setInterval(() => void purge(), PURGE_INTERVAL_MS);
    timer.unref();
    // Once started, in the background: a backlog (a server stopped for weeks) never delays the start.
    first = setImmediate(() => void purge());
  });
  app.addHook('onClose', async () => {
    closing.abort();
    clearInterval(timer);
    clearImmediate(first);
    await running;
  });
}
