// Installing plugins at start: every plugin found is loaded, migrated (dependencies first) and
// registered; its routes are guarded by the enabled check, so enabling or disabling one from the admin
// page needs no restart (Fastify cannot add routes once listening). A plugin that fails at any step is
// marked failed and Hameau runs without it.
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { Forbidden, NotFound } from '../http/errors.js';
import { authorize, can } from '../policy/index.js';
import { addPluginMessages } from '../i18n/index.js';
import type { SearchSource } from '../search/sources.js';
import type { PluginContext, PluginDefinition } from './contract.js';
import { dependencyOrder, isInside, loadExternalPlugins, loadRepositoryPlugins, repositoryPluginDirs, type Candidate } from './loader.js';
import { migratePlugin, type PluginRuntime } from './runtime.js';
import { registerPluginNotificationTypes } from '../notifications/plugin-types.js';
import fs from 'node:fs';

export interface InstallOptions {
  /** Where the repository's plugins are (default: plugins/, or dist/plugins/ once compiled). */
  repositoryDirs?: { code: string; assets: string };
  /** Compiled plugins an operator added (default: DATA_DIR/plugins). */
  externalDir: string;
  /** Definitions given directly (tests), installed like the repository's. */
  definitions?: readonly PluginDefinition[];
  /** First path segments of the core's routes: a plugin's id may not take one (its routes live under /<id>). */
  reservedPrefixes: ReadonlySet<string>;
  /** Where plugins' views are found, by plugin id (read by the template engine). */
  viewRoots: Map<string, string>;
}

/**
 * Finds, loads, migrates and registers every plugin, then applies HAMEAU_PLUGINS and hides the content
 * kinds of plugins that are off.
 *
 * @example
 * await installPlugins(app, app.plugins, { externalDir: path.join(config.dataDir, 'plugins'), reservedPrefixes, viewRoots });
 */
export async function installPlugins(app: FastifyInstance, runtime: PluginRuntime, options: InstallOptions): Promise<void> {
  await runtime.readState();
  const candidates: Candidate[] = [
    ...(await loadRepositoryPlugins(options.repositoryDirs ?? repositoryPluginDirs())),
    ...(options.definitions ?? []).map((definition): Candidate => ({ id: definition.id, origin: 'repository', dir: '(inline)', definition, problem: null })),
    ...(await loadExternalPlugins(options.externalDir)),
  ];
  for (const candidate of candidates) {
    if (candidate.definition && options.reservedPrefixes.has(candidate.id)) {
      candidate.problem = { status: 'failed', error: `the id "${candidate.id}" is taken by a page of Hameau itself` };
      candidate.definition = null;
    }
    runtime.add(candidate);
  }

  const loaded = candidates.filter((c) => c.definition !== null).map((c) => c.definition!);
  const { ordered, blocked } = dependencyOrder(loaded);
  runtime.setOrder(ordered.map((definition) => definition.id));
  for (const [id, reason] of blocked) runtime.markFailed(id, new Error(reason));

  const failed = new Set(blocked.keys());
  for (const definition of ordered) {
    const candidate = candidates.find((c) => c.id === definition.id)!;
    const brokenDependency = (definition.dependsOn ?? []).find((dependency) => failed.has(dependency));
    if (brokenDependency) {
      runtime.markFailed(definition.id, new Error(`needs the plugin "${brokenDependency}", which failed`));
      failed.add(definition.id);
      continue;
    }
    try {
      const applied = await migratePlugin(app.db, definition);
      if (applied.length > 0) app.log.info({ plugin: definition.id, applied }, 'plugin migrated');
      await register(app, runtime, definition, candidate.dir, options.viewRoots);
    } catch (error) {
      runtime.markFailed(definition.id, error);
      failed.add(definition.id);
    }
  }

  await runtime.applyPins();
  await runtime.syncKindsOff();
}

async function register(app: FastifyInstance, runtime: PluginRuntime, definition: PluginDefinition, dir: string, viewRoots: Map<string, string>): Promise<void> {
  const id = definition.id;
  if (definition.messages) addPluginMessages(id, definition.messages);
  else if (dir && fs.existsSync(path.join(dir, 'locales'))) {
    const read = (locale: string) => JSON.parse(fs.readFileSync(path.join(dir, 'locales', `${locale}.json`), 'utf8')) as Record<string, unknown>;
    addPluginMessages(id, { fr: read('fr'), en: read('en') });
  }
  if (dir && fs.existsSync(path.join(dir, 'views'))) viewRoots.set(id, path.join(dir, 'views'));

  for (const kind of definition.contentKinds ?? []) {
    app.contentKinds.register(kind);
    if (kind.label) app.searchSources.labelContentKind(kind.kind, kind.label);
  }
  for (const source of definition.searchSources ?? []) app.searchSources.register(whileEnabled(runtime, id, source));
  registerPluginNotificationTypes(id, definition.notifications ?? []);

  for (const job of definition.jobs ?? []) {
    await app.jobs.recurring(
      `${id}.${job.name}`,
      async (context) => {
        // A disabled plugin's jobs stop: the run is skipped, the next one still planned.
        if (runtime.isEnabled(id)) await job.run(context);
      },
      { next: job.next },
    );
  }

  if (dir && fs.existsSync(path.join(dir, 'static')) && isInside(path.join(dir, 'static', '.'), dir)) {
    // Its static files (stylesheets, images), answering 404 like its pages while it is disabled.
    const root = path.join(dir, 'static');
    await app.register(
      async (scope) => {
        scope.addHook('onRequest', async () => {
          if (!runtime.isEnabled(id)) throw new NotFound();
        });
        await scope.register(fastifyStatic, { root, prefix: '/static/', decorateReply: false, index: false, maxAge: '1d' });
      },
      { prefix: `/${id}` },
    );
  }

  if (definition.routes) {
    const routes = definition.routes;
    const context: PluginContext = {
      id,
      settings: () => runtime.settings(id),
      enabledIn: (spaceId) => runtime.enabledIn(id, spaceId),
      requireSpace: (spaceId) => {
        if (!runtime.enabledIn(id, spaceId)) throw new NotFound();
      },
      policy: { authorize, can },
      errors: { NotFound, Forbidden },
    };
    await app.register(
      async (scope) => {
        // Disabled (or failed while registering): its pages do not exist.
        scope.addHook('onRequest', async () => {
          if (!runtime.isEnabled(id)) throw new NotFound();
        });
        try {
          await routes(scope, context);
        } catch (error) {
          runtime.markFailed(id, error);
        }
      },
      { prefix: `/${id}` },
    );
  }
}

/** A plugin's search source, silent while the plugin is off: no kinds to filter by, nothing visible. */
function whileEnabled(runtime: PluginRuntime, id: string, source: SearchSource): SearchSource {
  return {
    source: source.source,
    kinds: () => (runtime.isEnabled(id) ? source.kinds() : []),
    load: (db, keys) => source.load(db, keys),
    all: (db) => source.all(db),
    visible: async (db, viewer, keys, now) => (runtime.isEnabled(id) ? source.visible(db, viewer, keys, now) : new Set()),
    describe: (db, hits, t) => source.describe(db, hits, t),
  };
}

/**
 * Records the first path segment of every route the core registers (call before registering them),
 * so that no plugin id takes one.
 */
export function collectRoutePrefixes(app: FastifyInstance): Set<string> {
  // "stage": /admin/plugins/stage/:n is the stage packs' page, not a plugin's.
  const prefixes = new Set<string>(['plugins', 'static', 'brand', 'stage']);
  app.addHook('onRoute', (route) => {
    const first = route.url.split('/')[1];
    if (first && !first.startsWith(':') && !first.startsWith('*')) prefixes.add(first);
  });
  return prefixes;
}
