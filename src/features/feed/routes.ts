// The permalink page of every content item (GET /content/:id) and topic pages (GET /topics/:slug).
// Whatever the viewer may not see answers 404, exactly like what does not exist.
import type { FastifyInstance } from 'fastify';
import { loadItems } from '../../content/load-items.js';
import { topicSlug } from '../../content/markdown.js';
import { visibleContentSubject } from '../../content/subjects.js';
import { NotFound } from '../../http/errors.js';
import { isPartialRequest } from '../../http/render.js';
import { authorize } from '../../policy/index.js';
import { loadConversation } from '../conversation/queries.js';
import { followButton } from '../notifications/follow-state.js';
import { parseTimeCursor } from '../../http/cursor.js';
import { countTopicItems, findTopic, listFeed } from './queries.js';

type IdParams = { Params: { id: string } };
type SlugParams = { Params: { slug: string }; Querystring: Record<string, unknown> };

/** A topic as markdown writes it: a letter, then letters, digits, "_" or "-"; 50 at most. */
const TOPIC_SLUG = /^\p{L}[\p{L}\p{N}_-]{0,49}$/u;

export default async function feedRoutes(app: FastifyInstance) {
  app.get<IdParams>('/content/:id', async (request, reply) => {
    authorize(request.user, 'app.use');
    const viewer = request.user;
    const subject = await visibleContentSubject(app, viewer, request.params.id);
    const [item] = await loadItems(app, viewer, [subject.id]);
    if (!item) throw new NotFound();
    const conversation = await loadConversation(app, viewer, item.subject);
    return reply.render('content/page', {
      title: item.kind.title(item.data, request.t),
      item,
      conversation,
      follow: await followButton(app, viewer.id, { kind: 'content', id: subject.id, spaceId: subject.space.id }),
      now: Date.now(),
    });
  });

  app.get<SlugParams>('/topics/:slug', async (request, reply) => {
    authorize(request.user, 'app.use');
    const viewer = request.user;
    const asked = request.params.slug;
    const slug = topicSlug(asked);
    if (!TOPIC_SLUG.test(slug)) throw new NotFound();
    // One address per topic: /topics/Sécurité is /topics/securite.
    if (slug !== asked) return reply.redirect(`/topics/${encodeURIComponent(slug)}`, 301);
    const topic = await findTopic(app.db, slug);
    if (!topic) throw new NotFound();

    const after = typeof request.query.after === 'string' && parseTimeCursor(request.query.after) ? request.query.after : undefined;
    // The next cards for infinite scroll go in place of the "more" element: nothing else is needed.
    const continuation = after !== undefined && isPartialRequest(request);
    const now = Date.now();
    const [page, count] = await Promise.all([
      listFeed(app, viewer, { scope: 'all', topicSlug: topic.slug, after }, { now }),
      continuation ? Promise.resolve(0) : countTopicItems(app, viewer, topic.id, now),
    ]);
    const data = {
      title: request.t('feed.topic.title', { label: topic.label }),
      topic,
      count,
      items: page.items,
      next: page.next,
      continuation,
      moreUrl: `/topics/${encodeURIComponent(topic.slug)}`,
      emptyMessage: request.t('feed.topic.empty'),
    };
    return reply.render(continuation ? 'content/list' : 'feed/topic', data);
  });
}
