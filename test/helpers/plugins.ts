// Test apps with plugins: definitions given inline (test/fixtures/plugins or a test's own), enabled
// the way an admin would, through the runtime that the admin page calls.
import type { FastifyInstance } from 'fastify';
import path from 'node:path';
import { createTestApp, setupOrganisation, type TestApp, type TestBuildOptions } from './app.js';
import { projectRoot } from '../../src/paths.js';
import type { PluginDefinition } from '../../src/plugins/contract.js';

/**
 * A test app whose plugins are exactly `definitions` (the repository's plugins are not loaded, unless
 * `build.pluginDirs` says where to read them).
 *
 * @example
 * const t = await createTestAppWithPlugins([linksPlugin]);
 */
export async function createTestAppWithPlugins(definitions: readonly PluginDefinition[], env: Record<string, string> = {}, build: TestBuildOptions = {}): Promise<TestApp> {
  return createTestApp(env, { pluginDirs: { code: '/nonexistent', assets: '/nonexistent' }, ...build, plugins: definitions });
}

/** Enables a plugin as the first admin would (audited like the admin page's toggle); throws when refused. */
export async function enablePlugin(app: FastifyInstance, id: string, actorId: number | null = null): Promise<void> {
  const result = await app.plugins.enable(id, actorId ?? (await firstAdminId(app)));
  if (!result.ok) throw new Error(`enabling ${id} was refused: ${result.problem} ${result.names?.join(', ') ?? ''} ${result.error ?? ''}`);
}

export async function disablePlugin(app: FastifyInstance, id: string): Promise<void> {
  const result = await app.plugins.disable(id, await firstAdminId(app));
  if (!result.ok) throw new Error(`disabling ${id} was refused: ${result.problem}`);
}

async function firstAdminId(app: FastifyInstance): Promise<number | null> {
  const row = await app.db.selectFrom('users').select('id').where('role', '=', 'admin').orderBy('id').executeTakeFirst();
  return row?.id ?? null;
}

/** The repository's plugins folder (plugins/), read as in production: views and translations included. */
export const repositoryPluginsDir = path.join(projectRoot, 'plugins');

/**
 * A test app with the repository's plugins, set up with its first admin: what a plugin's own tests
 * start from (plugins/<id>/test/helpers.ts).
 *
 * @example
 * const { t, app, admin } = await appWithRepositoryPlugins();
 * await enablePlugin(app, 'links', admin.id);
 */
export async function appWithRepositoryPlugins(env: Record<string, string> = {}): Promise<{ t: TestApp; app: FastifyInstance; admin: { id: number; cookie: string } }> {
  const t = await createTestAppWithPlugins([], env, { pluginDirs: { code: repositoryPluginsDir, assets: repositoryPluginsDir } });
  const cookie = await setupOrganisation(t.app);
  const row = await t.app.db.selectFrom('users').select('id').where('role', '=', 'admin').executeTakeFirstOrThrow();
  return { t, app: t.app, admin: { id: row.id, cookie } };
}
