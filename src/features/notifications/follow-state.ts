// What the follow buttons of an item's page and a space's page show (views/notifications/follow-button.eta).
import type { FastifyInstance } from 'fastify';
import { followsContent, followsSpace } from '../../notifications/follows.js';

/**
 * What the follow button of an item's page needs (views/notifications/follow-button.eta).
 *
 * @example
 * follow: await followButton(app, viewer.id, { kind: 'content', id: item.id, spaceId: item.space.id })
 */
export async function followButton(
  app: FastifyInstance,
  viewerId: number,
  target: { kind: 'content'; id: number; spaceId: number } | { kind: 'space'; id: number },
): Promise<{ kind: 'content' | 'space'; id: number; following: boolean }> {
  const following = target.kind === 'content' ? await followsContent(app.db, { id: target.id, spaceId: target.spaceId }, viewerId) : await followsSpace(app.db, target.id, viewerId);
  return { kind: target.kind, id: target.id, following };
}
