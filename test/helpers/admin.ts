// The administration's tests: the moderation world (admin, member, editor, space admin, deactivated),
// a client that speaks English or French, the organisation form as a browser posts it (multipart,
// with or without a logo), and the stored organisation and audit entries.
import type { FastifyInstance } from 'fastify';
import { multipartPayload, type FilePart } from './attachments.js';
import type { Person } from './moderation.js';

export type Who = Person | '';
export type Lang = 'en' | 'fr';

/** The organisation form as the page shows it for the test organisation (setupOrganisation's). */
export const ORGANISATION_FORM = {
  name: 'Acme',
  defaultLocale: 'en',
  timeZone: 'Europe/Paris',
  brandColour: '',
  quietStart: '20:00',
  quietEnd: '07:30',
  quietWeekends: '1',
} as const;

/** GET and POST (urlencoded or multipart) as a signed-in person ('' for a visitor), in a language. */
export function adminClient(app: FastifyInstance) {
  const headersOf = (who: Who, lang: Lang) => ({ cookie: who === '' ? '' : who.cookie, 'accept-language': lang });
  return {
    get: (url: string, who: Who = '', lang: Lang = 'en') => app.inject({ url, headers: headersOf(who, lang) }),
    post: (url: string, who: Who = '', payload: Record<string, string> = {}, lang: Lang = 'en') =>
      app.inject({ method: 'POST', url, headers: headersOf(who, lang), payload }),
    /** POST /admin/organisation as the browser sends it: multipart, with the file input (empty or not). */
    postOrganisation: (who: Who, fields: Record<string, string>, files: FilePart[] = [{ field: 'logo', filename: '', content: '' }], lang: Lang = 'en') => {
      const { payload, headers } = multipartPayload(fields, files);
      return app.inject({ method: 'POST', url: '/admin/organisation', headers: { ...headersOf(who, lang), ...headers }, payload });
    },
  };
}

/** Sets a person's own language (the page then speaks it whatever the browser says). */
export async function setLocale(app: FastifyInstance, userId: number, locale: Lang): Promise<void> {
  await app.db.updateTable('users').set({ locale }).where('id', '=', userId).execute();
}

export function storedOrganisation(app: FastifyInstance) {
  return app.db.selectFrom('organisation').selectAll().where('id', '=', 1).executeTakeFirstOrThrow();
}

/** The audit entries of one action, oldest first, details parsed. */
export async function auditOf(app: FastifyInstance, action: string) {
  const rows = await app.db.selectFrom('audit_log').selectAll().where('action', '=', action).orderBy('id').execute();
  return rows.map((row) => ({ ...row, details: JSON.parse(row.details) as Record<string, unknown> }));
}
