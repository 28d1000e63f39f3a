// A test app with the repository's plugins folder (so the links plugin's views and translations are
// read from plugins/links/, as in production), the links plugin enabled, and a small organisation.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { TestApp } from '../../../test/helpers/app.js';
import { createSpace } from '../../../test/helpers/content.js';
import { appWithRepositoryPlugins, enablePlugin, repositoryPluginsDir } from '../../../test/helpers/plugins.js';
import { person, type Person } from '../../../test/helpers/spaces.js';

export interface LinksWorld {
  t: TestApp;
  app: FastifyInstance;
  admin: Person;
  /** Member of Team (member) and of the private Board. */
  bruno: Person;
  /** Admin of Team. */
  sam: Person;
  /** In no space but the company's. */
  olga: Person;
  team: number;
  board: number;
  get(url: string, who?: Person | null, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  post(url: string, payload: Record<string, string>, who?: Person | null): Promise<LightMyRequestResponse>;
  /** Adds a link through the form; returns its content id. */
  addLink(who: Person, space: number, fields?: Partial<Record<'title' | 'url' | 'description', string>>): Promise<number>;
}

/** The repository's plugins folder (where this plugin's views and translations are read). */
export const pluginsDir = repositoryPluginsDir;

export async function linksWorld(options: { enable?: boolean } = {}): Promise<LinksWorld> {
  const { t, app, admin } = await appWithRepositoryPlugins();
  const bruno = await person(app, 'bruno@example.com', { name: 'Bruno Petit' });
  const sam = await person(app, 'sam@example.com', { name: 'Sam Admin' });
  const olga = await person(app, 'olga@example.com', { name: 'Olga Outside' });
  const team = await createSpace(app, { name: 'Team', members: [[bruno.id, 'member'], [sam.id, 'admin']] });
  const board = await createSpace(app, { name: 'Board', visibility: 'private', members: [[bruno.id, 'admin']] });
  if (options.enable !== false) await enablePlugin(app, 'links', admin.id);
  const world: LinksWorld = {
    t,
    app,
    admin,
    bruno,
    sam,
    olga,
    team,
    board,
    get: (url, who = bruno, headers = {}) => app.inject({ method: 'GET', url, headers: { ...(who ? { cookie: who.cookie } : {}), ...headers } }),
    post: (url, payload, who = bruno) => app.inject({ method: 'POST', url, payload, headers: who ? { cookie: who.cookie } : {} }),
    async addLink(who, space, fields = {}) {
      const response = await world.post('/links/new', { space: String(space), title: 'Staff handbook', url: 'https://www.example.org/handbook', description: 'Everything about holidays', ...fields }, who);
      if (response.statusCode !== 303) throw new Error(`adding a link failed: ${response.statusCode} ${response.body.slice(0, 300)}`);
      const row = await app.db.selectFrom('content').select('id').where('kind', '=', 'link').orderBy('id', 'desc').executeTakeFirstOrThrow();
      return row.id;
    },
  };
  return world;
}
