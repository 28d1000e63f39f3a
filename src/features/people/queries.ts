// The people feature's reads: profiles, the directory, the org chart, the lists admins manage, and the
// names offered while typing a mention or a skill. No email here but where a rule says it may be shown.
import { sql, type Kysely } from 'kysely';
import { sortName } from '../../auth/users.js';
import type { Database, ProfileFieldType, Role, UserStatus } from '../../db/schema.js';
import { encodeNameCursor, parseNameCursor } from '../../http/cursor.js';
import { readOptions, type FieldDefinition } from './fields.js';
import type { OrgPerson } from './org.js';

/** What any member may know of another. The email is read for the profile's rule (see README). */
export interface Person {
  id: number;
  name: string;
  email: string;
  role: Role;
  status: UserStatus;
  job_title: string | null;
  department_id: number | null;
  site_id: number | null;
  manager_id: number | null;
  phone: string | null;
  bio: string | null;
  photo_id: string | null;
  languages: string | null;
}

export async function findPerson(db: Kysely<Database>, id: number): Promise<Person | undefined> {
  return db
    .selectFrom('users')
    .select(['id', 'name', 'email', 'role', 'status', 'job_title', 'department_id', 'site_id', 'manager_id', 'phone', 'bio', 'photo_id', 'languages'])
    .where('id', '=', id)
    .executeTakeFirst();
}

export interface NamedRow {
  id: number;
  name: string;
}

/** Everything a profile page shows besides the person's row: the names behind the ids, reports, skills, fields. */
export interface ProfileDetails {
  department: string | null;
  site: string | null;
  manager: (NamedRow & { status: UserStatus }) | null;
  reports: Array<NamedRow & { job_title: string | null }>;
  skills: string[];
  fields: Array<{ label: string; type: ProfileFieldType; value: string }>;
}

export async function profileDetails(db: Kysely<Database>, person: Person): Promise<ProfileDetails> {
  const [department, site, manager, reports, skills, fields] = await Promise.all([
    person.department_id === null ? undefined : db.selectFrom('departments').select('name').where('id', '=', person.department_id).executeTakeFirst(),
    person.site_id === null ? undefined : db.selectFrom('sites').select('name').where('id', '=', person.site_id).executeTakeFirst(),
    person.manager_id === null ? undefined : db.selectFrom('users').select(['id', 'name', 'status']).where('id', '=', person.manager_id).executeTakeFirst(),
    db
      .selectFrom('users')
      .select(['id', 'name', 'job_title'])
      .where('manager_id', '=', person.id)
      .where('status', '=', 'active')
      .orderBy('sort_name')
      .orderBy('id')
      .execute(),
    listSkillsOf(db, person.id),
    db
      .selectFrom('profile_values as v')
      .innerJoin('profile_fields as f', 'f.id', 'v.field_id')
      .select(['f.label', 'f.type', 'v.value'])
      .where('v.user_id', '=', person.id)
      .orderBy('f.position')
      .orderBy('f.id')
      .execute(),
  ]);
  return {
    department: department?.name ?? null,
    site: site?.name ?? null,
    manager: manager ?? null,
    reports,
    skills,
    fields,
  };
}

export async function listSkillsOf(db: Kysely<Database>, userId: number): Promise<string[]> {
  const rows = await db
    .selectFrom('user_skills as us')
    .innerJoin('skills as s', 's.id', 'us.skill_id')
    .select('s.label')
    .where('us.user_id', '=', userId)
    .orderBy('s.slug')
    .execute();
  return rows.map((r) => r.label);
}

/** The values a person has for the extra fields, by field id. */
export async function fieldValuesOf(db: Kysely<Database>, userId: number): Promise<Map<number, string>> {
  const rows = await db.selectFrom('profile_values').select(['field_id', 'value']).where('user_id', '=', userId).execute();
  return new Map(rows.map((r) => [r.field_id, r.value]));
}

export async function listFields(db: Kysely<Database>): Promise<FieldDefinition[]> {
  const rows = await db.selectFrom('profile_fields').select(['id', 'label', 'type', 'options', 'in_directory', 'position']).orderBy('position').orderBy('id').execute();
  return rows.map((r) => ({ ...r, options: readOptions(r.options) }));
}

export async function findField(db: Kysely<Database>, id: number): Promise<FieldDefinition | undefined> {
  const row = await db.selectFrom('profile_fields').select(['id', 'label', 'type', 'options', 'in_directory', 'position']).where('id', '=', id).executeTakeFirst();
  return row && { ...row, options: readOptions(row.options) };
}

export type ListName = 'departments' | 'sites';

/** A department or site with how many people (active or not) it is set on. */
export interface ListEntry extends NamedRow {
  people: number;
}

export async function listEntries(db: Kysely<Database>, list: ListName): Promise<ListEntry[]> {
  return (await entriesQuery(list, null).execute(db)).rows;
}

export async function findEntry(db: Kysely<Database>, list: ListName, id: number): Promise<ListEntry | undefined> {
  return (await entriesQuery(list, id).execute(db)).rows[0];
}

function entriesQuery(list: ListName, id: number | null) {
  const table = sql.table(list);
  const column = sql.ref(list === 'departments' ? 'users.department_id' : 'users.site_id');
  return sql<ListEntry>`select l.id, l.name, (select count(*) from users where ${column} = l.id) as people
    from ${table} as l ${id === null ? sql`` : sql`where l.id = ${id}`} order by l.sort_name, l.id`;
}

/** Departments and sites in one query (the directory's filters and the profile form). */
export async function departmentsAndSites(db: Kysely<Database>): Promise<{ departments: NamedRow[]; sites: NamedRow[] }> {
  const rows = await sql<{ kind: 'd' | 's'; id: number; name: string }>`
    select 'd' as kind, id, name, sort_name from departments
    union all
    select 's' as kind, id, name, sort_name from sites
    order by kind, sort_name, id`.execute(db);
  const departments: NamedRow[] = [];
  const sites: NamedRow[] = [];
  for (const row of rows.rows) (row.kind === 'd' ? departments : sites).push({ id: row.id, name: row.name });
  return { departments, sites };
}

/** Active people, for choosing a manager. */
export async function activePeople(db: Kysely<Database>): Promise<NamedRow[]> {
  return db.selectFrom('users').select(['id', 'name']).where('status', '=', 'active').orderBy('sort_name').orderBy('id').execute();
}

/** Every person's manager (the manager links as they are now), for checking a new link makes no loop. */
export async function managerLinks(db: Kysely<Database>): Promise<Map<number, number | null>> {
  const rows = await db.selectFrom('users').select(['id', 'manager_id']).where('manager_id', 'is not', null).execute();
  return new Map(rows.map((r) => [r.id, r.manager_id]));
}

// ---------------------------------------------------------------------------------------------------
// Directory

export const DIRECTORY_PAGE_SIZE = 30;
/** Words of the search box used at most, and their length. */
const MAX_WORDS = 5;
const MAX_QUERY = 100;

export interface DirectoryQuery {
  q: string;
  departmentId: number | null;
  siteId: number | null;
  after: string | null;
}

export interface DirectoryRow {
  id: number;
  name: string;
  job_title: string | null;
  photo_id: string | null;
  department: string | null;
  site: string | null;
  /** The values of the fields shown in the directory, in the fields' order. */
  fields: Array<{ label: string; type: ProfileFieldType; value: string }>;
}

/** Escapes LIKE's wildcards, so that "50%" or "a_b" match themselves. */
const likeLiteral = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** The words of a search, folded like sort_name (accents and case aside). */
export function searchWords(q: string): string[] {
  return sortName(q.slice(0, MAX_QUERY))
    .split(/[\s,;]+/)
    .filter((w) => w !== '')
    .slice(0, MAX_WORDS);
}

/**
 * Active people sorted by name, a page at a time (keyset on sort_name and id), whose name, job title
 * or one of their skills holds every word searched, within a department and a site when chosen. One
 * query: the directory fields come as JSON from a correlated subquery.
 */
export async function listDirectory(db: Kysely<Database>, query: DirectoryQuery, limit = DIRECTORY_PAGE_SIZE): Promise<{ rows: DirectoryRow[]; next: string | null }> {
  let select = db
    .selectFrom('users as u')
    .leftJoin('departments as d', 'd.id', 'u.department_id')
    .leftJoin('sites as s', 's.id', 'u.site_id')
    .select(['u.id', 'u.name', 'u.sort_name', 'u.job_title', 'u.photo_id', 'd.name as department', 's.name as site'])
    .select(
      sql<string | null>`(select json_group_array(json_array(label, type, value)) from (
          select f.label as label, f.type as type, v.value as value from profile_values v join profile_fields f on f.id = v.field_id
          where v.user_id = u.id and f.in_directory = 1 order by f.position, f.id))`.as('fields_json'),
    )
    .where('u.status', '=', 'active');
  if (query.departmentId !== null) select = select.where('u.department_id', '=', query.departmentId);
  if (query.siteId !== null) select = select.where('u.site_id', '=', query.siteId);
  for (const word of searchWords(query.q)) {
    const pattern = `%${likeLiteral(word)}%`;
    select = select.where(
      sql<boolean>`(u.sort_name like ${pattern} escape '\\' or u.job_title_sort like ${pattern} escape '\\'
        or u.id in (select us.user_id from skills k join user_skills us on us.skill_id = k.id where k.slug like ${pattern} escape '\\'))`,
    );
  }
  const cursor = parseNameCursor(query.after);
  if (cursor) {
    select = select.where((eb) => eb.or([eb('u.sort_name', '>', cursor.name), eb.and([eb('u.sort_name', '=', cursor.name), eb('u.id', '>', cursor.id)])]));
  }
  const rows = await select.orderBy('u.sort_name').orderBy('u.id').limit(limit + 1).execute();
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    rows: page.map(({ sort_name: _s, fields_json, ...row }) => ({ ...row, fields: readDirectoryFields(fields_json) })),
    next: rows.length > limit && last ? encodeNameCursor({ name: last.sort_name, id: last.id }) : null,
  };
}

function readDirectoryFields(json: string | null): DirectoryRow['fields'] {
  if (!json) return [];
  try {
    const value = JSON.parse(json) as unknown;
    if (!Array.isArray(value)) return [];
    return value
      .filter((v): v is [string, ProfileFieldType, string] => Array.isArray(v) && v.length === 3 && v.every((x) => typeof x === 'string'))
      .map(([label, type, v]) => ({ label, type, value: v }));
  } catch {
    return [];
  }
}

/** True while a profile (of anyone, active or not) uses the stored photo `key`. */
export async function photoInUse(db: Kysely<Database>, key: string): Promise<boolean> {
  return (await db.selectFrom('users').select('id').where('photo_id', '=', key).executeTakeFirst()) !== undefined;
}

/** Active people with their manager link, sorted by name: the org chart's one query. */
export async function orgChartPeople(db: Kysely<Database>): Promise<OrgPerson[]> {
  return db.selectFrom('users').select(['id', 'name', 'job_title', 'manager_id']).where('status', '=', 'active').orderBy('sort_name').orderBy('id').execute();
}

// ---------------------------------------------------------------------------------------------------
// Suggestions

/** Names offered at most, and the fewest characters typed before any is. */
export const SUGGESTION_LIMIT = 8;
export const SUGGESTION_MIN_LENGTH = 2;

/**
 * Active people whose name starts with `query`, then those with a word starting with it, then those
 * containing it; accents and case do not matter (users.sort_name is folded). Deactivated people are
 * never offered: they cannot be mentioned.
 *
 * @example
 * await suggestPeople(db, 'emi') // Émilie Durand, Jean-Émile Roy, ...
 */
export async function suggestPeople(db: Kysely<Database>, query: string, limit = SUGGESTION_LIMIT): Promise<Array<{ id: number; name: string }>> {
  const folded = sortName(query).slice(0, 100);
  if (folded.length < SUGGESTION_MIN_LENGTH) return [];
  const literal = likeLiteral(folded);
  const rank = sql<number>`case when sort_name like ${`${literal}%`} escape '\\' then 0 when sort_name like ${`% ${literal}%`} escape '\\' or sort_name like ${`%-${literal}%`} escape '\\' then 1 else 2 end`;
  return db
    .selectFrom('users')
    .select(['id', 'name'])
    .where('status', '=', 'active')
    .where(sql<boolean>`sort_name like ${`%${literal}%`} escape '\\'`)
    .orderBy(rank)
    .orderBy('sort_name')
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** Skills already in use whose folded label holds `fragment` (those starting with it first). */
export async function suggestSkills(db: Kysely<Database>, fragment: string, limit = SUGGESTION_LIMIT): Promise<string[]> {
  const folded = sortName(fragment).replace(/\s+/g, ' ').slice(0, 50);
  if (folded.length < 1) return [];
  const literal = likeLiteral(folded);
  const rows = await db
    .selectFrom('skills')
    .select('label')
    .where(sql<boolean>`slug like ${`%${literal}%`} escape '\\'`)
    .where((eb) => eb.exists(eb.selectFrom('user_skills').select('user_id').whereRef('user_skills.skill_id', '=', 'skills.id')))
    .orderBy(sql`case when slug like ${`${literal}%`} escape '\\' then 0 else 1 end`)
    .orderBy('slug')
    .limit(limit)
    .execute();
  return rows.map((r) => r.label);
}
