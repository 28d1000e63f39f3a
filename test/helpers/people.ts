// Helpers for the people feature's tests: profile data written straight to the database, departments,
// sites and fields, and multipart uploads (photos, CSV files) as a browser sends them.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { sortName } from '../../src/auth/users.js';
import type { ProfileFieldType } from '../../src/db/schema.js';
import { multipartPayload } from './attachments.js';
import type { Cast, Who } from './conversation.js';

export async function addDepartment(app: FastifyInstance, name: string): Promise<number> {
  const row = await app.db.insertInto('departments').values({ name, sort_name: sortName(name) }).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export async function addSite(app: FastifyInstance, name: string): Promise<number> {
  const row = await app.db.insertInto('sites').values({ name, sort_name: sortName(name) }).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export async function addField(app: FastifyInstance, field: { label: string; type: ProfileFieldType; options?: string[]; inDirectory?: boolean; position?: number }): Promise<number> {
  const row = await app.db
    .insertInto('profile_fields')
    .values({ label: field.label, type: field.type, options: JSON.stringify(field.options ?? []), in_directory: field.inDirectory ? 1 : 0, position: field.position ?? 0, created_at: Date.now() })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Sets profile columns straight in the database. */
export async function setProfile(
  app: FastifyInstance,
  userId: number,
  profile: Partial<{ job_title: string | null; department_id: number | null; site_id: number | null; manager_id: number | null; phone: string | null; bio: string | null; languages: string | null }>,
): Promise<void> {
  const jobTitle = profile.job_title;
  await app.db
    .updateTable('users')
    .set({ ...profile, ...(jobTitle !== undefined ? { job_title_sort: jobTitle === null ? null : sortName(jobTitle) } : {}) })
    .where('id', '=', userId)
    .execute();
}

export async function setSkills(app: FastifyInstance, userId: number, labels: string[]): Promise<void> {
  for (const label of labels) {
    const slug = sortName(label);
    await app.db.insertInto('skills').values({ label, slug }).onConflict((c) => c.column('slug').doNothing()).execute();
    const skill = await app.db.selectFrom('skills').select('id').where('slug', '=', slug).executeTakeFirstOrThrow();
    await app.db.insertInto('user_skills').values({ user_id: userId, skill_id: skill.id }).onConflict((c) => c.doNothing()).execute();
  }
}

export async function userRow(app: FastifyInstance, userId: number) {
  return app.db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirstOrThrow();
}

/** Posts a multipart form (files included) as `who`. */
export async function postMultipart(
  c: Cast,
  url: string,
  who: Who | null,
  fields: Record<string, string>,
  files: Array<{ field: string; filename: string; content: Buffer | string; contentType?: string }>,
): Promise<LightMyRequestResponse> {
  const { payload, headers } = multipartPayload(fields, files);
  return c.app.inject({ method: 'POST', url, payload, headers: { ...headers, 'accept-language': 'en', ...(who ? { cookie: c.cookies[who] } : {}) } });
}

/** Uploads a CSV file to the import form and returns the preview. */
export function uploadCsv(c: Cast, csv: string | Buffer, who: Who = 'admin') {
  return postMultipart(c, '/admin/people/import', who, {}, [{ field: 'file', filename: 'people.csv', content: csv, contentType: 'text/csv' }]);
}

/** The counts of what an import may write: to prove nothing was. */
export async function writtenCounts(app: FastifyInstance) {
  const count = async (table: 'invitations' | 'users' | 'departments' | 'sites' | 'audit_log') =>
    Number((await app.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  return { invitations: await count('invitations'), users: await count('users'), departments: await count('departments'), sites: await count('sites') };
}
