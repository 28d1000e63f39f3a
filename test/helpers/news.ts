// A small organisation for the news, must-read and notification tests: one person per role that the
// policy tells apart, a private space, and helpers to post forms as a browser would.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { insertUser } from '../../src/auth/users.js';
import type { Viewer } from '../../src/policy/index.js';
import { loadViewer } from '../../src/policy/viewer.js';
import { createUser, login } from './app.js';
import { companySpaceId, createSpace } from './content.js';

export interface NewsWorld {
  companyId: number;
  /** Private space: editor, member (plain), spaceAdmin (admin of it). */
  privateId: number;
  /** Open space nobody in particular belongs to. */
  openId: number;
  ids: { admin: number; editor: number; outsideEditor: number; member: number; spaceAdmin: number; outsider: number };
  cookies: { admin: string; editor: string; outsideEditor: string; member: string; spaceAdmin: string; outsider: string };
}

/**
 * Admin (from setup), an editor who belongs to the private space, an editor who does not, a plain
 * member of the private space, a member who is the private space's admin, and a member outside it.
 */
export async function newsWorld(app: FastifyInstance, adminCookie: string): Promise<NewsWorld> {
  const editor = await createUser(app, { email: 'edith@example.com', name: 'Edith Editor', role: 'editor' });
  const outsideEditor = await createUser(app, { email: 'oscar@example.com', name: 'Oscar Outside', role: 'editor' });
  const member = await createUser(app, { email: 'mia@example.com', name: 'Mia Member' });
  const spaceAdmin = await createUser(app, { email: 'sam@example.com', name: 'Sam Spaceadmin' });
  const outsider = await createUser(app, { email: 'olga@example.com', name: 'Olga Outsider' });
  const privateId = await createSpace(app, {
    name: 'Board',
    visibility: 'private',
    members: [
      [editor, 'member'],
      [member, 'member'],
      [spaceAdmin, 'admin'],
    ],
  });
  const openId = await createSpace(app, { name: 'Open kitchen', visibility: 'open' });
  return {
    companyId: await companySpaceId(app),
    privateId,
    openId,
    ids: { admin: 1, editor, outsideEditor, member, spaceAdmin, outsider },
    cookies: {
      admin: adminCookie,
      editor: await login(app, 'edith@example.com'),
      outsideEditor: await login(app, 'oscar@example.com'),
      member: await login(app, 'mia@example.com'),
      spaceAdmin: await login(app, 'sam@example.com'),
      outsider: await login(app, 'olga@example.com'),
    },
  };
}

export function get(app: FastifyInstance, url: string, cookie: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'GET', url, headers: { cookie, 'accept-language': 'en', ...headers } });
}

/** A urlencoded form post; repeated fields as arrays. */
export function post(
  app: FastifyInstance,
  url: string,
  cookie: string,
  fields: Record<string, string | string[]> = {},
  headers: Record<string, string> = {},
): Promise<LightMyRequestResponse> {
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) for (const v of Array.isArray(value) ? value : [value]) body.append(name, v);
  return app.inject({
    method: 'POST',
    url,
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', 'accept-language': 'en', ...headers },
    payload: body.toString(),
  });
}

/** A multipart form post with files, as a browser sends a form with enctype="multipart/form-data". */
export function postMultipart(
  app: FastifyInstance,
  url: string,
  cookie: string,
  fields: Record<string, string | string[]>,
  files: Array<{ field: string; filename: string; type: string; content: Buffer }>,
): Promise<LightMyRequestResponse> {
  const boundary = '----hameau-test-' + Math.random().toString(16).slice(2);
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    for (const v of Array.isArray(value) ? value : [value]) {
      parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${v}\r\n`));
    }
  }
  for (const file of files) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.filename}"\r\nContent-Type: ${file.type}\r\n\r\n`));
    parts.push(file.content, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return app.inject({
    method: 'POST',
    url,
    headers: { cookie, 'content-type': `multipart/form-data; boundary=${boundary}`, 'accept-language': 'en' },
    payload: Buffer.concat(parts),
  });
}

/** The fields of a valid "publish now" article form, with `overrides`. */
export function articleFields(spaceId: number, overrides: Record<string, string | string[]> = {}): Record<string, string | string[]> {
  return { spaceId: String(spaceId), title: 'Quarterly results', body: 'We did **well**.', commentsEnabled: '1', action: 'publish', ...overrides };
}

/** An htmx request that swaps a part of the page. */
export const HTMX_PARTIAL = { 'hx-request': 'true', 'hx-request-type': 'partial' };

/** Content id from a redirect to /content/:id. */
export function contentIdFrom(response: LightMyRequestResponse): number {
  const match = /^\/content\/(\d+)$/.exec(String(response.headers.location));
  if (!match) throw new Error(`not a redirect to a content item: ${response.statusCode} ${String(response.headers.location)} ${response.body.slice(0, 300)}`);
  return Number(match[1]);
}

/** People who never sign in (no usable password): many of them, fast, for long lists. */
export async function bulkUsers(app: FastifyInstance, names: readonly string[], options: { status?: 'active' | 'deactivated'; locale?: 'fr' | 'en' | null } = {}): Promise<number[]> {
  const ids: number[] = [];
  for (const [index, name] of names.entries()) {
    ids.push(
      await insertUser(app.db, { email: `bulk-${index}-${Math.random().toString(16).slice(2)}@example.com`, name, passwordHash: 'not-a-hash', role: 'member', locale: options.locale ?? null }),
    );
  }
  if (options.status === 'deactivated' && ids.length > 0) {
    await app.db.updateTable('users').set({ status: 'deactivated', deactivated_at: Date.now() }).where('id', 'in', ids).execute();
  }
  return ids;
}

/** The policy's Viewer for a user, as a request would build it. */
export async function viewerOf(app: FastifyInstance, userId: number): Promise<Viewer> {
  const user = await app.db.selectFrom('users').select(['id', 'email', 'name', 'role', 'locale']).where('id', '=', userId).executeTakeFirstOrThrow();
  return loadViewer(app.db, user, (await app.db.selectFrom('organisation').selectAll().executeTakeFirst()) ?? null);
}
