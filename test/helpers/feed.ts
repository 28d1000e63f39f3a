// A small organisation for the feed's tests: people with different roles, an open and a private
// space, and ways to read what a feed page shows.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { createTestApp, createUser, html, login, setupOrganisation, type TestApp } from './app.js';
import { companySpaceId, createSpace } from './content.js';

/** Headers of an htmx request that swaps part of a page. */
export const PARTIAL = { 'hx-request': 'true', 'hx-request-type': 'partial' };

export interface FeedWorld {
  t: TestApp;
  app: FastifyInstance;
  company: number;
  /** Open space: Bruno is a member, Carol is not. */
  open: number;
  /** Private space: Bruno is its admin, Dora a member; Carol and the editor are not in it. */
  secret: number;
  ids: { admin: number; editor: number; bruno: number; carol: number; dora: number };
  cookies: { admin: string; editor: string; bruno: string; carol: string; dora: string };
  get(url: string, cookie: string | null, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
}

export async function createFeedWorld(): Promise<FeedWorld> {
  const t = await createTestApp();
  const admin = await setupOrganisation(t.app, { locale: 'en' });
  const app = t.app;
  const editor = await createUser(app, { email: 'eve@example.com', name: 'Eve Editor', role: 'editor', locale: 'en' });
  const bruno = await createUser(app, { email: 'bruno@example.com', name: 'Bruno Petit', locale: 'en' });
  const carol = await createUser(app, { email: 'carol@example.com', name: 'Carol Outsider', locale: 'en' });
  const dora = await createUser(app, { email: 'dora@example.com', name: 'Dora Member', locale: 'en' });
  const open = await createSpace(app, { name: 'Workshop', visibility: 'open', members: [[bruno, 'member']] });
  const secret = await createSpace(app, { name: 'Board room', visibility: 'private', members: [[bruno, 'admin'], [dora, 'member']] });
  const cookies = {
    admin,
    editor: await login(app, 'eve@example.com'),
    bruno: await login(app, 'bruno@example.com'),
    carol: await login(app, 'carol@example.com'),
    dora: await login(app, 'dora@example.com'),
  };
  return {
    t,
    app,
    company: await companySpaceId(app),
    open,
    secret,
    ids: { admin: 1, editor, bruno, carol, dora },
    cookies,
    get: (url, cookie, headers = {}) => app.inject({ method: 'GET', url, headers: { ...(cookie ? { cookie } : {}), ...headers } }),
  };
}

/** Ids of the content cards on a page or fragment, in order ("content-12" -> 12). */
export function cardIds(response: LightMyRequestResponse, selector = 'article.content-card'): number[] {
  return html(response)
    .querySelectorAll(selector)
    .map((card) => Number(card.getAttribute('id')!.replace('content-', '')));
}

/** The "more" link of a list, if any. */
export function moreHref(response: LightMyRequestResponse): string | null {
  return html(response).querySelector('.content-list__more a[rel="next"]')?.getAttribute('href') ?? null;
}

/** Sets an item's published_at (tests of ordering and of "new"). */
export async function setPublishedAt(app: FastifyInstance, id: number, publishedAt: number | null): Promise<void> {
  await app.db.updateTable('content').set({ published_at: publishedAt }).where('id', '=', id).execute();
}
