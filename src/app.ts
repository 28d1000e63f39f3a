// The whole application as one Fastify instance: infrastructure, then request context, then features.
// Tests build it with buildApp() and call it with inject(); src/server.ts adds a port and signals.
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import fastifyStatic from '@fastify/static';
import view from '@fastify/view';
import type SQLite from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { coreMigrations } from '../migrations/index.js';
import invitationRoutes from './auth/invitation-routes.js';
import loginRoutes from './auth/login-routes.js';
import passwordResetRoutes from './auth/password-reset-routes.js';
import { deleteExpiredSessions } from './auth/sessions.js';
import setupRoutes from './auth/setup-routes.js';
import type { Config } from './config.js';
import { openDatabase } from './db/connection.js';
import { migrateToLatest } from './db/migrate.js';
import type { Database } from './db/schema.js';
import { appSecret } from './db/secrets.js';
import accountRoutes from './features/account/routes.js';
import homeRoutes from './features/home/routes.js';
import languageRoutes from './features/language/routes.js';
import memberRoutes from './features/members/routes.js';
import spacesRoutes from './features/spaces/routes.js';
import feedRoutes from './features/feed/routes.js';
import newsRoutes from './features/news/routes.js';
import postsRoutes from './features/posts/routes.js';
import conversationRoutes from './features/conversation/routes.js';
import peopleRoutes from './features/people/routes.js';
import attachmentsRoutes from './features/attachments/routes.js';
import moderationRoutes from './features/moderation/routes.js';
import charterRoutes from './features/charter/routes.js';
import settingsRoutes from './features/settings/routes.js';
import notificationsRoutes from './features/notifications/routes.js';
import { UPLOAD_CLEANUP_INTERVAL_MS, cleanUpUploads } from './features/attachments/cleanup.js';
import multipartForms from './http/multipart.js';
import errorPages, { answerUnroutable } from './http/error-pages.js';
import healthRoutes from './http/health.js';
import { loggerOptions } from './http/logging.js';
import rateLimits from './http/rate-limits.js';
import render from './http/render.js';
import { createTemplateEngine } from './http/templates.js';
import { CardRenderer } from './content/cards.js';
import requestContext from './http/request-context.js';
import security from './http/security.js';
import { createMailer, type Mailer } from './mail/mailer.js';
import { OrganisationStore } from './organisation/organisation.js';
import { staticDir, viewsDir } from './paths.js';
import { viewHelpers } from './http/view-helpers.js';
import { ContentKinds } from './content/kinds.js';
import { createSearchSources } from './search/core-sources.js';
import searchRoutes from './features/search/routes.js';
import { JobQueue } from './jobs/queue.js';
import emailNotificationsRoutes from './features/email-notifications/routes.js';
import adminRoutes from './features/admin/routes.js';
import pluginsAdminRoutes from './features/plugins-admin/routes.js';
import type { PluginDefinition } from './plugins/contract.js';
import { collectRoutePrefixes, installPlugins } from './plugins/install.js';
import coreSlots from './plugins/core-slots.js';
import { addCoreParts } from './gdpr/core-parts.js';
import { PluginRuntime } from './plugins/runtime.js';

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    db: Kysely<Database>;
    sqlite: SQLite.Database;
    mailer: Mailer;
    organisation: OrganisationStore;
    /** The kinds of feed items: news and posts from the core, more from plugins. */
    contentKinds: ContentKinds;
    /** Feed cards rendered from their inputs only, their HTML reused across pages and viewers (src/content/cards.ts). */
    cards: CardRenderer;
    /** The durable job queue (src/jobs): register handlers, enqueue work; its worker runs while listening. */
    jobs: JobQueue;
    /** The plugins (src/plugins): their state, slots and hooks, and the admin's actions on them. */
    plugins: PluginRuntime;
  }
}

export interface BuildOptions {
  /** Where logs go; tests pass a stream to read them, or silence them with config.logLevel. */
  logStream?: NodeJS.WritableStream;
  /** The job queue's clock (tests pass a fake one; app.jobs.runDue(now) also takes a time). */
  clock?: () => number;
  /** Plugin definitions installed besides the repository's (tests). */
  plugins?: readonly PluginDefinition[];
  /** Where the repository's plugins are read from (tests point this at fixtures). */
  pluginDirs?: { code: string; assets: string };
}

const BODY_LIMIT_BYTES = 1024 * 1024;
const SESSION_CLEANUP_INTERVAL_MS = 60 * 60 * 1000;

/**
 * Builds Hameau: opens the database, applies migrations, registers every route.
 *
 * @example
 * const app = await buildApp(loadConfig());
 * const response = await app.inject({ method: 'GET', url: '/healthz' });
 */
export async function buildApp(config: Config, options: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: loggerOptions(config.logLevel, options.logStream),
    trustProxy: config.trustProxy,
    bodyLimit: BODY_LIMIT_BYTES,
    // Fastify's own 503 while closing; in-flight requests finish before the database closes.
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // Request ids are the references shown on error pages: unique across restarts.
    genReqId: () => randomUUID(),
    // Link tokens are 48 characters; anything longer than this is not a Hameau URL, and answers 404.
    routerOptions: { maxParamLength: 256 },
    frameworkErrors: answerUnroutable,
  });

  // Infrastructure: database, mail, organisation.
  const database = openDatabase({ dataDir: config.dataDir, synchronous: config.sqliteSynchronous });
  try {
    const { applied } = await migrateToLatest(database.db, coreMigrations, 'core_migrations');
    if (applied.length > 0) app.log.info({ applied }, 'database migrated');
  } catch (error) {
    await database.close();
    throw error;
  }
  app.decorate('config', config);
  app.decorate('db', database.db);
  app.decorate('sqlite', database.sqlite);
  app.decorate('mailer', createMailer({ smtpUrl: config.smtpUrl, from: config.smtpFrom, logger: app.log }));
  app.decorate('organisation', new OrganisationStore(database.db));
  app.decorate('contentKinds', new ContentKinds());
  app.decorate('searchSources', createSearchSources(app.contentKinds));
  app.decorate('jobs', new JobQueue({ db: database.db, log: app.log, clock: options.clock }));
  app.decorate('plugins', new PluginRuntime({ db: database.db, log: app.log, contentKinds: app.contentKinds, pinned: config.pinnedPlugins, clock: options.clock }));
  const reservedPrefixes = collectRoutePrefixes(app);
  const pluginViews = new Map<string, string>();
  // The worker runs in the server, not in tests built with inject() (they call app.jobs.runDue).
  app.addHook('onListen', async () => app.jobs.start());

  const cleanup = setInterval(() => {
    deleteExpiredSessions(database.db).catch((error: unknown) => app.log.error({ err: error }, 'session cleanup failed'));
  }, SESSION_CLEANUP_INTERVAL_MS);
  cleanup.unref();
  await deleteExpiredSessions(database.db);
  // Pending uploads nobody claimed within a day, and files whose rows are gone.
  const uploadCleanup = setInterval(() => {
    cleanUpUploads(database.db, config.dataDir).catch((error: unknown) => app.log.error({ err: error }, 'upload cleanup failed'));
  }, UPLOAD_CLEANUP_INTERVAL_MS);
  uploadCleanup.unref();

  app.addHook('onClose', async () => {
    clearInterval(cleanup);
    clearInterval(uploadCleanup);
    await app.jobs.stop();
    app.mailer.close();
    await database.close();
  });

  // External plugins.
  await app.register(cookie, { secret: await appSecret(database.db, 'cookie-signing') });
  await app.register(formbody, { bodyLimit: BODY_LIMIT_BYTES });
  await app.register(multipartForms);
  await app.register(security);
  await app.register(rateLimits);
  await app.register(fastifyStatic, {
    root: staticDir,
    prefix: '/static/',
    maxAge: '1d',
    index: false,
  });
  const eta = createTemplateEngine(viewsDir, config.cacheTemplates, pluginViews);
  await app.register(view, {
    engine: { eta },
    templates: viewsDir,
    production: config.cacheTemplates,
    defaultContext: viewHelpers,
  });
  app.decorate('cards', new CardRenderer(eta, viewHelpers, config.cacheTemplates));

  // Application services: request context (session, language, setup guard), rendering, error pages.
  await app.register(render);
  await app.register(requestContext);
  await app.register(errorPages);

  // Routes.
  await app.register(healthRoutes);
  await app.register(setupRoutes);
  await app.register(loginRoutes);
  await app.register(passwordResetRoutes);
  await app.register(invitationRoutes);
  await app.register(homeRoutes);
  await app.register(languageRoutes);
  await app.register(accountRoutes);
  await app.register(memberRoutes);
  await app.register(spacesRoutes);
  await app.register(feedRoutes);
  await app.register(newsRoutes);
  await app.register(postsRoutes);
  await app.register(conversationRoutes);
  await app.register(peopleRoutes);
  await app.register(attachmentsRoutes);
  await app.register(moderationRoutes);
  await app.register(charterRoutes);
  await app.register(settingsRoutes);
  await app.register(notificationsRoutes);
  await app.register(searchRoutes);
  await app.register(emailNotificationsRoutes);
  await app.register(adminRoutes);
  await app.register(pluginsAdminRoutes);
  await app.register(coreSlots);
  // The core's parts of a person's data export and erasure (GDPR), beside the plugins' hooks.
  addCoreParts(app.plugins);

  // Plugins, after the core's kinds, search sources and routes.
  await installPlugins(app, app.plugins, {
    externalDir: path.join(config.dataDir, 'plugins'),
    repositoryDirs: options.pluginDirs,
    definitions: options.plugins,
    reservedPrefixes,
    viewRoots: pluginViews,
  });
  app.plugins.setRenderer((template, data) => app.view(template, data));

  return app;
}
