// A test app with the repository's plugins folder (the polls plugin's views and translations read from
// plugins/polls/), the polls plugin enabled, and a small organisation: a Team space with members, a
// private Board, and people outside them.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { TestApp } from '../../../test/helpers/app.js';
import { createSpace } from '../../../test/helpers/content.js';
import { appWithRepositoryPlugins, enablePlugin } from '../../../test/helpers/plugins.js';
import { person, type Person } from '../../../test/helpers/spaces.js';

export interface PollsWorld {
  t: TestApp;
  app: FastifyInstance;
  admin: Person;
  /** Member of Team and admin of the private Board; writes the polls. */
  bruno: Person;
  /** Members of Team (voters). */
  voters: Person[];
  /** In no space but the company's. */
  olga: Person;
  team: number;
  board: number;
  get(url: string, who?: Person | null, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  post(url: string, payload: Record<string, string | string[]>, who?: Person | null, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  /** Creates a poll through the form; returns its content id. */
  addPoll(who: Person, space: number, fields?: Record<string, string>): Promise<number>;
}

/** A valid new poll form (single choice, public, results always, purpose relevance). */
export function pollFields(fields: Record<string, string> = {}): Record<string, string> {
  return { question: 'Which day for the team lunch?', options: 'Monday\nThursday\nFriday', type: 'single', mode: 'public', results: 'always', purpose: 'relevance', ...fields };
}

export const VOTER_NAMES = ['Vera Quinault', 'Wanda Rousseau', 'Xavier Simonet', 'Yann Tessier', 'Zoé Ulrich', 'Yves Varenne'];

export async function pollsWorld(options: { enable?: boolean; env?: Record<string, string> } = {}): Promise<PollsWorld> {
  const { t, app, admin } = await appWithRepositoryPlugins(options.env);
  const bruno = await person(app, 'bruno@example.com', { name: 'Bruno Petit' });
  const voters: Person[] = [];
  for (const [i, name] of VOTER_NAMES.entries()) voters.push(await person(app, `voter${i + 1}@example.com`, { name }));
  const olga = await person(app, 'olga@example.com', { name: 'Olga Outside' });
  const team = await createSpace(app, { name: 'Team', members: [[bruno.id, 'member'], ...voters.map((v) => [v.id, 'member'] as [number, 'member'])] });
  const board = await createSpace(app, { name: 'Board', visibility: 'private', members: [[bruno.id, 'admin'], [voters[0]!.id, 'member']] });
  if (options.enable !== false) await enablePlugin(app, 'polls', admin.id);
  const world: PollsWorld = {
    t,
    app,
    admin,
    bruno,
    voters,
    olga,
    team,
    board,
    get: (url, who = bruno, headers = {}) => app.inject({ method: 'GET', url, headers: { ...(who ? { cookie: who.cookie } : {}), ...headers } }),
    post: (url, payload, who = bruno, headers = {}) => {
      const body = new URLSearchParams();
      for (const [k, v] of Object.entries(payload)) for (const one of Array.isArray(v) ? v : [v]) body.append(k, one);
      return app.inject({
        method: 'POST',
        url,
        payload: body.toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...(who ? { cookie: who.cookie } : {}), ...headers },
      });
    },
    async addPoll(who, space, fields = {}) {
      const response = await world.post('/polls/new', { space: String(space), ...pollFields(fields) }, who);
      if (response.statusCode !== 303) throw new Error(`creating a poll failed: ${response.statusCode} ${response.body.slice(0, 2000)}`);
      const row = await app.db.selectFrom('content').select('id').where('kind', '=', 'poll').orderBy('id', 'desc').executeTakeFirstOrThrow();
      return row.id;
    },
  };
  return world;
}

/** The option ids of a poll, in their order. */
export async function optionIds(app: FastifyInstance, pollId: number): Promise<number[]> {
  const rows = await app.db
    .withTables<{ polls_options: { id: number; poll_id: number; position: number } }>()
    .selectFrom('polls_options')
    .select('id')
    .where('poll_id', '=', pollId)
    .orderBy('position')
    .execute();
  return rows.map((r) => r.id);
}
