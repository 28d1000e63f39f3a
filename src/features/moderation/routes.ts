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

  // One purge at a time; closing waits for the one in progress (the database closes after).
  let running: Promise<void> | null = null;
  const purge = () => {
    running ??= purgeExpiredContent(app.db, { removeFiles: (keys) => removeStoredFiles(app.config.dataDir, keys) })
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
  app.addHook('onReady', async () => {
    timer = setInterval(() => void purge(), PURGE_INTERVAL_MS);
    timer.unref();
    await purge();
  });
  app.addHook('onClose', async () => {
    clearInterval(timer);
    await running;
  });
}
