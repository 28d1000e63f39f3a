// Helpers for the in-app notification tests (events, following, the grouped list, the live stream).
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Cast, Who } from './conversation.js';
import { html } from './app.js';

/** The types a person received, oldest first, with what they are about. */
export async function received(app: FastifyInstance, userId: number) {
  return app.db.selectFrom('notifications').select(['type', 'actor_id', 'content_id', 'comment_id', 'space_id']).where('user_id', '=', userId).orderBy('id').execute();
}

/** Just the types a person received, oldest first. */
export async function typesOf(app: FastifyInstance, userId: number): Promise<string[]> {
  return (await received(app, userId)).map((n) => n.type);
}

/** The entries of a person's notifications page, as sentences (screen-reader text included). */
export async function entries(c: Cast, who: Who, url = '/notifications'): Promise<string[]> {
  const page = await c.get(url, who);
  return html(page)
    .querySelectorAll('.notification__link')
    .map((l) => l.textContent.replace(/\s+/g, ' ').trim());
}

/** The bell's screen-reader text on a page. */
export function bellText(page: LightMyRequestResponse): string | undefined {
  return html(page).querySelector('.notification-bell .visually-hidden')?.textContent;
}

/** Publishes a post through the form, as a browser would; returns its id. */
export async function postIn(c: Cast, who: Who, spaceId: number, body: string): Promise<number> {
  const response = await c.post('/posts', who, { space: String(spaceId), body });
  if (response.statusCode !== 303) throw new Error(`post refused: ${response.statusCode}`);
  const row = await c.app.db.selectFrom('content').select('id').orderBy('id', 'desc').executeTakeFirstOrThrow();
  return row.id;
}

/** Comments through the form (a reply when `parentId` is given); returns the comment's id. */
export async function commentOn(c: Cast, who: Who, contentId: number, body: string, parentId?: number): Promise<number> {
  const response = await c.post(`/content/${contentId}/comments`, who, { body, ...(parentId ? { parent_id: String(parentId) } : {}) });
  if (response.statusCode !== 303) throw new Error(`comment refused: ${response.statusCode}`);
  const row = await c.app.db.selectFrom('comments').select('id').orderBy('id', 'desc').executeTakeFirstOrThrow();
  return row.id;
}

export async function followState(app: FastifyInstance, contentId: number, userId: number): Promise<string | null> {
  const row = await app.db.selectFrom('content_follows').select('state').where('content_id', '=', contentId).where('user_id', '=', userId).executeTakeFirst();
  return row?.state ?? null;
}
