// The home page, and the language switch that every page offers.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { countMembers } from './queries.js';
import { Field, parseForm } from '../../http/form.js';
import { cookieOptions } from '../../http/cookies.js';
import { LANGUAGE_COOKIE } from '../../http/request-context.js';
import { safeNextPath } from '../../http/redirects.js';
import { can, authorize } from '../../policy/index.js';
import { setUserLocale } from '../../auth/users.js';

const LanguageForm = Type.Object({ locale: Field.locale(), next: Field.optional(Type.String({ maxLength: 2000 })) });

export default async function homeRoutes(app: FastifyInstance) {
  app.get('/', async (request, reply) => {
    authorize(request.user, 'app.use');
    return reply.render('home/index', {
      title: request.t('home.title'),
      // The counts summarise the members page: shown to whoever may see that page.
      memberCount: can(request.user, 'member.list') ? await countMembers(app.db) : null,
    });
  });

  app.post('/language', async (request, reply) => {
    const form = parseForm(LanguageForm, request.body, request.t);
    const next = safeNextPath(form.values.next);
    if (!form.ok) return reply.redirectTo(next);
    if (request.user) {
      await setUserLocale(app.db, request.user.id, form.value.locale);
    } else {
      reply.setCookie(LANGUAGE_COOKIE, form.value.locale, { ...cookieOptions(app.config), maxAge: 365 * 24 * 60 * 60 });
    }
    return reply.redirectTo(next);
  });
}
