// GET /: the home page is the feed. A full page view records the visit ("new since your last
// visit"); htmx asks for fragments: the stream's next cards (?after=), or the feed after a filter.
import type { FastifyInstance } from 'fastify';
import { isPartialRequest } from '../../http/render.js';
import { composerActionLinks } from '../../plugins/layout.js';
import { authorize, can } from '../../policy/index.js';
import { feedQueryString, isFiltered, parseFeedQuery } from '../feed/filters.js';
import { previousFeedVisit, recordFeedVisit } from '../feed/visits.js';
import { loadHomeFeed } from './home-feed.js';
import { countMembers, listHomeSpaces } from './queries.js';

export default async function homeRoutes(app: FastifyInstance) {
  app.get('/', async (request, reply) => {
    authorize(request.user, 'app.use');
    const viewer = request.user;
    const now = Date.now();
    // Only the kinds that are on can be filtered by (a disabled plugin's are not offered).
    const kinds = app.contentKinds.active().map((k) => k.kind);
    const query = parseFeedQuery(request.query, kinds);
    const partial = isPartialRequest(request);
    // A visit is a look at the whole feed: not the next cards, not a fragment.
    const previousVisitAt =
      partial || query.after !== undefined ? await previousFeedVisit(app.db, viewer.id) : await recordFeedVisit(app.db, viewer.id, now);

    const feed = await loadHomeFeed(app, viewer, query, { previousVisitAt, now });
    const moreUrl = `/${feedQueryString(query)}`;
    const common = { ...feed, query, filtered: isFiltered(query), moreUrl };
    if (partial) {
      // The next cards for infinite scroll (in place of the "more" element), or the feed for the filter form.
      if (query.after !== undefined) return reply.render('content/list', { ...common, items: feed.stream, continuation: true });
      return reply.render('home/feed-body', { ...common, announce: true });
    }

    const spaces = await listHomeSpaces(app.db, viewer);
    const postable = spaces.filter((space) => can(viewer, 'space.post', space));
    const company = spaces.find((space) => space.visibility === 'company');
    const selected = postable.find((space) => space.id === query.spaceId) ?? postable.find((space) => space.id === company?.id) ?? postable[0];
    return reply.render('home/index', {
      ...common,
      title: request.t('home.title'),
      items: feed.stream,
      spaces,
      kinds: app.contentKinds.active().map((k) => ({
        value: k.kind,
        label: k.label ? k.label(request.t) : k.kind === 'news' ? request.t('feed.kinds.news') : k.kind === 'post' ? request.t('feed.kinds.post') : k.kind,
      })),
      composer:
        postable.length > 0 && query.after === undefined
          ? {
              spaces: postable.map(({ id, name }) => ({ id, name })),
              selectedSpaceId: selected?.id ?? null,
              values: {},
              errors: {},
              pending: [],
              actions: composerActionLinks(app, request, null),
            }
          : null,
      // The counts summarise the members page: shown to whoever may see that page.
      memberCount: can(viewer, 'member.list') && query.after === undefined ? await countMembers(app.db) : null,
    });
  });
}
