// Helpers for the spaces tests: people with a session, multipart forms (the space form carries an
// image), and a few reads of what the database holds afterwards.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import sharp from 'sharp';
import type { Locale, Role, SpaceRole } from '../../src/db/schema.js';
import { createUser, html, login } from './app.js';

export interface Person {
  id: number;
  cookie: string;
}

/** A user who has signed in (role: member unless said otherwise). */
export async function person(app: FastifyInstance, email: string, options: { name?: string; role?: Role; locale?: Locale } = {}): Promise<Person> {
  const id = await createUser(app, { email, ...options });
  return { id, cookie: await login(app, email) };
}

/** A form as a browser sends a multipart one: text fields, and files. */
export async function multipart(
  fields: Record<string, string | string[]>,
  files: Array<{ field: string; name: string; type: string; bytes: Buffer }> = [],
): Promise<{ payload: Buffer; headers: Record<string, string> }> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) for (const v of Array.isArray(value) ? value : [value]) form.append(name, v);
  for (const file of files) form.append(file.field, new Blob([new Uint8Array(file.bytes)], { type: file.type }), file.name);
  const response = new Response(form);
  return { payload: Buffer.from(await response.arrayBuffer()), headers: { 'content-type': response.headers.get('content-type')! } };
}

/** A small real PNG image. */
export function pngImage(): Promise<Buffer> {
  return sharp({ create: { width: 8, height: 8, channels: 3, background: '#3366cc' } }).png().toBuffer();
}

export async function membership(app: FastifyInstance, spaceId: number, userId: number): Promise<SpaceRole | null> {
  const row = await app.db.selectFrom('space_members').select('role').where('space_id', '=', spaceId).where('user_id', '=', userId).executeTakeFirst();
  return row?.role ?? null;
}

export async function pendingKind(app: FastifyInstance, spaceId: number, userId: number): Promise<'request' | 'invitation' | null> {
  const row = await app.db.selectFrom('space_requests').select('kind').where('space_id', '=', spaceId).where('user_id', '=', userId).executeTakeFirst();
  return row?.kind ?? null;
}

export async function notificationsOf(app: FastifyInstance, userId: number): Promise<Array<{ type: string; space_id: number | null; actor_id: number | null }>> {
  return app.db.selectFrom('notifications').select(['type', 'space_id', 'actor_id']).where('user_id', '=', userId).orderBy('id').execute();
}

export async function auditActions(app: FastifyInstance): Promise<Array<{ action: string; subject_id: string | null; details: string }>> {
  return app.db.selectFrom('audit_log').select(['action', 'subject_id', 'details']).where('action', 'like', 'space.%').orderBy('id').execute();
}

/** The names in the header's "My spaces" list. */
export function navSpaces(response: LightMyRequestResponse): string[] {
  return html(response)
    .querySelectorAll('.site-header .nav-spaces__list a')
    .map((a) => a.text.trim());
}

/** The text of the flash notice on a page. */
export function noticeText(response: LightMyRequestResponse): string {
  return (html(response).querySelector('.notice')?.textContent ?? '').replace(/\s+/g, ' ').trim();
}
