// People: a member's minimal profile with what they published that the viewer may see, and the names
// offered while typing a mention (@...) in a post or comment.
import type { FastifyInstance } from 'fastify';
import { NotFound } from '../../http/errors.js';
import { idParam } from '../../http/params.js';
import { isPartialRequest } from '../../http/render.js';
import { authorize } from '../../policy/index.js';
import { listFeed } from '../feed/queries.js';
import { findPerson, suggestPeople } from './queries.js';

type IdParams = { Params: { id: string } };

export default async function peopleRoutes(app: FastifyInstance) {
  // An HTML fragment, never a page: a listbox that static/js/mentions.js puts under the text being typed.
  app.get('/people/suggest', async (request, reply) => {
    authorize(request.user, 'app.use');
    const q = (request.query as Record<string, unknown>).q;
    const people = typeof q === 'string' ? await suggestPeople(app.db, q) : [];
    const html = await reply.viewAsync('people/suggest', { ...request.viewLocals(), people });
    return reply.header('Cache-Control', 'no-store').type('text/html; charset=utf-8').send(html);
  });

  app.get<IdParams>('/people/:id', async (request, reply) => {
    authorize(request.user, 'app.use');
    const person = await findPerson(app.db, idParam(request.params.id));
    if (!person) throw new NotFound();
    const after = (request.query as Record<string, unknown>).after;
    // Only what the viewer may see: listFeed reads through the policy's visibleContent.
    const { items, next } = await listFeed(app, request.user, { authorId: person.id, ...(typeof after === 'string' ? { after } : {}) });
    return reply.render(
      'people/show',
      {
        title: person.name,
        person,
        items,
        next,
        moreUrl: `/people/${person.id}`,
        // htmx's infinite scroll puts the next cards in place of the "more" element of the list.
        continuation: isPartialRequest(request),
        emptyMessage: request.t('people.noContributions'),
        headingLevel: 3,
      },
      { fragment: 'content/list' },
    );
  });
}
