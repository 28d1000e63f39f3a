// Helpers for the GDPR tests (data export, erasure) and the hooks' tests: a plugin that records what it
// is told and keeps a note per person in its own table, a plugin whose export or erase hook fails, and a
// small organisation with people whose data must (or must not) show up in an export.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Kysely } from 'kysely';
import type { HookEvents, HookName, PluginDefinition } from '../../src/plugins/contract.js';
import { createSession } from '../../src/auth/sessions.js';
import { sessionCookieName } from '../../src/http/cookies.js';
import { createTestAppWithPlugins, enablePlugin } from './plugins.js';
import { ADMIN, login, PASSWORD, setupOrganisation, createUser, type TestApp } from './app.js';

export interface Heard {
  name: HookName;
  payload: HookEvents[HookName];
  /** What the listener read through its own connection: proof that the change had been committed. */
  committed: boolean;
}

/** Every event a spy heard, in order; cleared by the tests. */
export type Ear = Heard[];

const EVENTS: HookName[] = ['content.created', 'content.updated', 'content.deleted', 'comment.created', 'user.joined', 'user.deactivated'];

/** Whether what the event is about can be read from the database, outside any open transaction. */
async function visibleAfterCommit(db: Kysely<any>, name: HookName, payload: Record<string, unknown>): Promise<boolean> {
  switch (name) {
    case 'content.created':
    case 'content.updated':
      return (await db.selectFrom('content').select('id').where('id', '=', payload.contentId).executeTakeFirst()) !== undefined;
    case 'content.deleted':
      return (await db.selectFrom('content').select('id').where('id', '=', payload.contentId).where('deleted_at', 'is not', null).executeTakeFirst()) !== undefined;
    case 'comment.created':
      return (await db.selectFrom('comments').select('id').where('id', '=', payload.commentId).executeTakeFirst()) !== undefined;
    case 'user.joined':
      return (await db.selectFrom('users').select('id').where('id', '=', payload.userId).where('status', '=', 'active').executeTakeFirst()) !== undefined;
    case 'user.deactivated':
      return (await db.selectFrom('users').select('id').where('id', '=', payload.userId).where('status', '=', 'deactivated').executeTakeFirst()) !== undefined;
  }
}

/**
 * A plugin that hears every event, exports and erases its note about a person (plugin_<id>_notes).
 * `ear` collects what it heard.
 */
export function spyPlugin(id: string, ear: Ear, options: { exportFails?: boolean; eraseFails?: boolean; listenersFail?: boolean } = {}): PluginDefinition {
  const table = `plugin_${id.replaceAll('-', '_')}_notes`;
  const hooks: Record<string, unknown> = {};
  for (const name of EVENTS) {
    hooks[name] = async (payload: Record<string, unknown>, context: { db: Kysely<any> }) => {
      if (options.listenersFail) throw new Error(`${id} cannot listen to ${name}`);
      ear.push({ name, payload: payload as HookEvents[HookName], committed: await visibleAfterCommit(context.db, name, payload) });
    };
  }
  return {
    id,
    name: { fr: `Espion ${id}`, en: `Spy ${id}` },
    description: { fr: 'Écoute les évènements.', en: 'Listens to events.' },
    stage: 2,
    version: '1.0.0',
    hameau: '^0.1.0',
    tables: [table],
    migrations: {
      '0001-notes': {
        async up(db: Kysely<any>) {
          await db.schema.createTable(table).addColumn('user_id', 'integer', (c) => c.primaryKey()).addColumn('note', 'text', (c) => c.notNull()).execute();
        },
      },
    },
    hooks: {
      ...hooks,
      'user.export': async ({ db, userId }) => {
        if (options.exportFails) throw new Error('the spy cannot read its notes');
        const row = await (db as Kysely<any>).selectFrom(table).select('note').where('user_id', '=', userId).executeTakeFirst();
        return row ? { note: row.note } : null;
      },
      'user.erase': async ({ trx, userId }) => {
        await (trx as unknown as Kysely<any>).updateTable(table).set({ note: 'erased' }).where('user_id', '=', userId).execute();
        if (options.eraseFails) throw new Error('the spy cannot erase its notes');
      },
    },
  };
}

/** The spy's note about a person, written straight to its table. */
export async function writeNote(app: FastifyInstance, pluginId: string, userId: number, note: string): Promise<void> {
  await (app.db as unknown as Kysely<any>).insertInto(`plugin_${pluginId.replaceAll('-', '_')}_notes`).values({ user_id: userId, note }).execute();
}

export async function noteOf(app: FastifyInstance, pluginId: string, userId: number): Promise<string | null> {
  const row = await (app.db as unknown as Kysely<any>).selectFrom(`plugin_${pluginId.replaceAll('-', '_')}_notes`).select('note').where('user_id', '=', userId).executeTakeFirst();
  return (row?.note as string | undefined) ?? null;
}

export interface GdprWorld {
  t: TestApp;
  app: FastifyInstance;
  adminId: number;
  admin: string;
  /** Sign in as someone (a fresh session straight from the database). */
  sessionOf(userId: number): Promise<string>;
  get(url: string, cookie: string | null, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  post(url: string, cookie: string | null, fields?: Record<string, string>, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
}

/**
 * An organisation (set up through HTTP, in English) with the given plugins installed, each enabled by
 * the admin unless listed in `disabled`; or, with `pinned`, enabled from the start by HAMEAU_PLUGINS
 * (so that they hear the setup itself).
 */
export async function gdprWorld(plugins: PluginDefinition[] = [], options: { disabled?: string[]; pinned?: boolean } = {}): Promise<GdprWorld> {
  const pinned: Record<string, string> = options.pinned ? { HAMEAU_PLUGINS: plugins.map((p) => p.id).join(',') } : {};
  const t = await createTestAppWithPlugins(plugins, { LOG_LEVEL: 'info', ...pinned });
  const app = t.app;
  const admin = await setupOrganisation(app, { locale: 'en' });
  const adminId = (await app.db.selectFrom('users').select('id').where('email', '=', ADMIN.email).executeTakeFirstOrThrow()).id;
  if (!options.pinned) for (const plugin of plugins) if (!options.disabled?.includes(plugin.id)) await enablePlugin(app, plugin.id, adminId);
  const headersOf = (cookie: string | null, extra: Record<string, string>) => ({ 'accept-language': 'en', ...(cookie ? { cookie } : {}), ...extra });
  return {
    t,
    app,
    adminId,
    admin,
    async sessionOf(userId) {
      const { token } = await createSession(app.db, userId, 'Mozilla/5.0 (X11; Linux x86_64; rv:130.0) Gecko/20100101 Firefox/130.0');
      return `${sessionCookieName(app.config)}=${token}`;
    },
    get: (url, cookie, headers = {}) => app.inject({ method: 'GET', url, headers: headersOf(cookie, headers) }),
    post: (url, cookie, fields = {}, headers = {}) =>
      app.inject({
        method: 'POST',
        url,
        headers: { ...headersOf(cookie, headers), 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams(fields).toString(),
      }),
  };
}

export { createUser, login, PASSWORD };
