// A small organisation for the tests of posts, comments, reactions and people: one person per role
// that matters to the policy, an open and a private space, and forms sent the way a browser sends them
// (urlencoded without JavaScript; htmx's partial requests on demand). People get their session
// straight from the database: these tests are about what they may do, not about signing in.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { hashPassword } from '../../src/auth/passwords.js';
import { createSession } from '../../src/auth/sessions.js';
import { insertUser } from '../../src/auth/users.js';
import type { Role } from '../../src/db/schema.js';
import { sessionCookieName } from '../../src/http/cookies.js';
import type { HTMLElement } from 'node-html-parser';
import { createTestApp, html, PASSWORD, setupOrganisation, type TestApp } from './app.js';
import { companySpaceId, createSpace } from './content.js';

/** Headers of an htmx request that swaps part of a page. */
export const PARTIAL = { 'hx-request': 'true', 'hx-request-type': 'partial' };

export type Who = 'admin' | 'editor' | 'member' | 'spaceAdmin' | 'outsider' | 'gone';

export interface Cast {
  t: TestApp;
  app: FastifyInstance;
  company: number;
  /** Open space: the member and the editor belong to it. */
  open: number;
  /** Private space: the space admin runs it, the member and the (deactivated) former colleague belong to it. */
  secret: number;
  ids: Record<Who, number>;
  /** Session cookies; the deactivated person's no longer signs anyone in. */
  cookies: Record<Who, string>;
  get(url: string, who: Who | null, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  /** A urlencoded form, as a browser without JavaScript sends it (an array repeats the field). */
  post(url: string, who: Who | null, fields?: Record<string, string | string[]>, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
}

let passwordHash: Promise<string> | null = null;

/** Adds a person (one password hash computed once for all) and opens a session for them. */
export async function personWithSession(app: FastifyInstance, person: { email: string; name: string; role?: Role }): Promise<{ id: number; cookie: string }> {
  passwordHash ??= hashPassword(PASSWORD);
  const id = await insertUser(app.db, { email: person.email, name: person.name, role: person.role ?? 'member', locale: 'en', passwordHash: await passwordHash });
  const { token } = await createSession(app.db, id, 'vitest');
  return { id, cookie: `${sessionCookieName(app.config)}=${token}` };
}

export async function deactivate(app: FastifyInstance, userId: number): Promise<void> {
  await app.db.updateTable('users').set({ status: 'deactivated', deactivated_at: Date.now() }).where('id', '=', userId).execute();
}

export async function createCast(env: Record<string, string> = {}): Promise<Cast> {
  const t = await createTestApp({ LOG_LEVEL: 'silent', ...env });
  const app = t.app;
  const admin = await setupOrganisation(app, { locale: 'en' });
  const editor = await personWithSession(app, { email: 'eve@example.com', name: 'Eve Editor', role: 'editor' });
  const member = await personWithSession(app, { email: 'bruno@example.com', name: 'Bruno Petit' });
  const spaceAdmin = await personWithSession(app, { email: 'sam@example.com', name: 'Sam Lead' });
  const outsider = await personWithSession(app, { email: 'carol@example.com', name: 'Carol Outsider' });
  const gone = await personWithSession(app, { email: 'gaston@example.com', name: 'Gaston Gone' });
  const open = await createSpace(app, { name: 'Workshop', visibility: 'open', members: [[member.id, 'member'], [editor.id, 'member']] });
  const secret = await createSpace(app, {
    name: 'Board room',
    visibility: 'private',
    members: [[spaceAdmin.id, 'admin'], [member.id, 'member'], [gone.id, 'member']],
  });
  await deactivate(app, gone.id);
  const cookies: Record<Who, string> = {
    admin,
    editor: editor.cookie,
    member: member.cookie,
    spaceAdmin: spaceAdmin.cookie,
    outsider: outsider.cookie,
    gone: gone.cookie,
  };
  const headersOf = (who: Who | null, extra: Record<string, string>) => ({ 'accept-language': 'en', ...(who ? { cookie: cookies[who] } : {}), ...extra });
  return {
    t,
    app,
    company: await companySpaceId(app),
    open,
    secret,
    ids: { admin: 1, editor: editor.id, member: member.id, spaceAdmin: spaceAdmin.id, outsider: outsider.id, gone: gone.id },
    cookies,
    get: (url, who, headers = {}) => app.inject({ method: 'GET', url, headers: headersOf(who, headers) }),
    post: (url, who, fields = {}, headers = {}) => {
      const body = new URLSearchParams();
      for (const [name, value] of Object.entries(fields)) for (const v of Array.isArray(value) ? value : [value]) body.append(name, v);
      return app.inject({
        method: 'POST',
        url,
        headers: { ...headersOf(who, headers), 'content-type': 'application/x-www-form-urlencoded' },
        payload: body.toString(),
      });
    },
  };
}

/** Everyone but the deactivated person, who is signed out like a visitor. */
export const SIGNED_IN: readonly Who[] = ['admin', 'editor', 'member', 'spaceAdmin', 'outsider'];

/** The notifications of a person, oldest first. */
export async function notificationsOf(app: FastifyInstance, userId: number) {
  return app.db.selectFrom('notifications').select(['type', 'actor_id', 'content_id', 'comment_id']).where('user_id', '=', userId).orderBy('id').execute();
}

/** The latest content id (the item a test just published). */
export async function latestContentId(app: FastifyInstance): Promise<number> {
  const row = await app.db.selectFrom('content').select('id').orderBy('id', 'desc').executeTakeFirstOrThrow();
  return row.id;
}

/** The latest comment (the one a test just wrote). */
export async function latestComment(app: FastifyInstance) {
  return app.db.selectFrom('comments').selectAll().orderBy('id', 'desc').executeTakeFirstOrThrow();
}

/**
 * An item's card on a page, the page read twice so that the second answer comes from the kept items
 * and cards (src/content/item-cache.ts, src/content/cards.ts); null if the page does not show it.
 */
export async function keptCard(c: Cast, url: string, who: Who, id: number): Promise<HTMLElement | null> {
  await c.get(url, who);
  const response = await c.get(url, who);
  if (response.statusCode !== 200) throw new Error(`${url} answered ${response.statusCode} to ${who}`);
  return html(response).querySelector(`#content-${id}`);
}
