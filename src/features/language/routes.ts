// POST /language: the language switch in every page's footer. A visitor's choice is kept in a
// cookie; a signed-in member's becomes their own setting.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { setUserLocale } from '../../auth/users.js';
import { cookieOptions } from '../../http/cookies.js';
import { Field, parseForm } from '../../http/form.js';
import { safeNextPath } from '../../http/redirects.js';
import { LANGUAGE_COOKIE } from '../../http/request-context.js';

const LanguageForm = Type.Object({ locale: Field.locale(), next: Field.optional(Type.String({ maxLength: 2000 })) });
const ONE_YEAR_SECONDS = 365 * 24 * 60 * 60;

export default async function languageRoutes(app: FastifyInstance) {
  app.post('/language', async (request, reply) => {
    const form = parseForm(LanguageForm, request.body, request.t);
    const next = safeNextPath(form.values.next);
    if (!form.ok) return reply.redirectTo(next);
    if (request.user) {
      await setUserLocale(app.db, request.user.id, form.value.locale);
    } else {
      reply.setCookie(LANGUAGE_COOKIE, form.value.locale, { ...cookieOptions(app.config), maxAge: ONE_YEAR_SECONDS });
    }
    return reply.redirectTo(next);
  });
}
