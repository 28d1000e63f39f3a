// Search: the results page (a GET form, works without JavaScript) and the suggestions under the
// header's search box (an HTML fragment htmx asks for while people type).
import type { FastifyInstance } from 'fastify';
import { NotFound } from '../../http/errors.js';
import { optionalId, single } from '../../http/params.js';
import { authorize } from '../../policy/index.js';
import { RESULTS_PER_PAGE, search, suggest } from '../../search/search.js';
import { filterSpaces, visibleSpace } from './queries.js';

type SearchQuerystring = { Querystring: Record<string, unknown> };

/** Pages of one kind's results: the window holds at most SEARCH_WINDOW of them. */
const MAX_PAGE = 25;

export default async function searchRoutes(app: FastifyInstance) {
  app.get<SearchQuerystring>('/search', async (request, reply) => {
    authorize(request.user, 'app.use');
    const viewer = request.user;
    const q = single(request.query.q) ?? '';
    // An unknown kind or a malformed number is no filter: a search never fails on its parameters.
    const kindParam = single(request.query.kind);
    const kind = kindParam !== null && app.searchSources.kinds().some((k) => k.kind === kindParam) ? kindParam : null;
    const spaceParam = single(request.query.space);
    const spaceId = spaceParam === null || spaceParam === '' ? null : optionalId(spaceParam);
    // A space the viewer may not see is answered like one that does not exist.
    const space = spaceId !== null ? await visibleSpace(app.db, viewer, spaceId) : undefined;
    if (spaceId !== null && !space) throw new NotFound();
    const page = Math.min(optionalId(single(request.query.page)) ?? 1, MAX_PAGE);

    const results = await search(app, viewer, request.t, { q, kind, spaceId, page });
    const spaces = await filterSpaces(app.db, viewer);
    if (space && !spaces.some((s) => s.id === space.id)) spaces.push(space);
    return reply.render('search/index', {
      title: results.query.terms.length > 0 ? request.t('search.titleFor', { q: results.query.text }) : request.t('search.title'),
      results,
      kinds: app.searchSources.kinds().map((k) => ({ kind: k.kind, label: k.label(request.t) })),
      kind,
      space: space ?? null,
      spaces,
      typed: q.trim() !== '',
      perPage: RESULTS_PER_PAGE,
    });
  });

  // An HTML fragment, never a page: what the header's box shows under it while people type.
  app.get<SearchQuerystring>('/search/suggest', async (request, reply) => {
    authorize(request.user, 'app.use');
    const q = single(request.query.q) ?? '';
    const { query, groups } = await suggest(app, request.user, request.t, q);
    const html = await reply.viewAsync('search/suggest', { ...request.viewLocals(), query, groups });
    return reply.header('Cache-Control', 'no-store').type('text/html; charset=utf-8').send(html);
  });
}
