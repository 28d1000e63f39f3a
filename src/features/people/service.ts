// The people feature's writes: a profile (by its owner or an admin), the departments and sites lists,
// the extra profile fields, and the CSV import. Admin actions are written to the audit log in the same
// transaction as the change.
import { randomBytes } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { changedFields, recordAudit } from '../../audit/audit-log.js';
import { sortName } from '../../auth/users.js';
import type { Database, ProfileFieldType } from '../../db/schema.js';
import type { FieldDefinition } from './fields.js';
import { checkImport, type CheckedImport, type RawRow } from './import-csv.js';
import { wouldCreateCycle } from './org.js';
import type { ListName } from './queries.js';

export interface ProfileInput {
  jobTitle: string | null;
  departmentId: number | null;
  siteId: number | null;
  managerId: number | null;
  phone: string | null;
  bio: string | null;
  skills: string[];
  languages: string[];
  /** Extra field id -> value (null: no value). Only the fields listed are touched. */
  fields: Map<number, string | null>;
}

export type ProfileProblem = 'ownManager' | 'managerCycle' | 'managerUnknown' | 'departmentUnknown' | 'siteUnknown';

/**
 * Saves a profile. The manager must be an active person other than the person, and the new link must
 * not close a loop (checked inside the transaction, against the links as they are then). An admin
 * editing someone else's profile is audited.
 */
export async function updateProfile(
  db: Kysely<Database>,
  actorId: number,
  personId: number,
  input: ProfileInput,
  now = Date.now(),
): Promise<{ ok: true } | { ok: false; problem: ProfileProblem }> {
  if (input.managerId === personId) return { ok: false, problem: 'ownManager' };
  return db.transaction().execute(async (trx) => {
    if (input.departmentId !== null && !(await trx.selectFrom('departments').select('id').where('id', '=', input.departmentId).executeTakeFirst())) {
      return { ok: false, problem: 'departmentUnknown' } as const;
    }
    if (input.siteId !== null && !(await trx.selectFrom('sites').select('id').where('id', '=', input.siteId).executeTakeFirst())) {
      return { ok: false, problem: 'siteUnknown' } as const;
    }
    const before = await trx.selectFrom('users').select(['manager_id']).where('id', '=', personId).executeTakeFirstOrThrow();
    const audited = actorId !== personId;
    const fieldIds = [...input.fields.keys()];
    const shownBefore = audited ? await profileSnapshot(trx, personId, fieldIds) : null;
    if (input.managerId !== null && input.managerId !== before.manager_id) {
      const manager = await trx.selectFrom('users').select(['id']).where('id', '=', input.managerId).where('status', '=', 'active').executeTakeFirst();
      if (!manager) return { ok: false, problem: 'managerUnknown' } as const;
    }
    if (input.managerId !== null) {
      const links = await trx.selectFrom('users').select(['id', 'manager_id']).where('manager_id', 'is not', null).execute();
      if (wouldCreateCycle(new Map(links.map((l) => [l.id, l.manager_id])), personId, input.managerId)) return { ok: false, problem: 'managerCycle' } as const;
    }
    await trx
      .updateTable('users')
      .set({
        job_title: input.jobTitle,
        job_title_sort: input.jobTitle === null ? null : sortName(input.jobTitle),
        department_id: input.departmentId,
        site_id: input.siteId,
        manager_id: input.managerId,
        phone: input.phone,
        bio: input.bio,
        languages: input.languages.length > 0 ? input.languages.join(', ') : null,
        updated_at: now,
      })
      .where('id', '=', personId)
      .execute();
    await setSkills(trx, personId, input.skills);
    for (const [fieldId, value] of input.fields) {
      if (value === null) await trx.deleteFrom('profile_values').where('user_id', '=', personId).where('field_id', '=', fieldId).execute();
      else {
        await trx
          .insertInto('profile_values')
          .values({ user_id: personId, field_id: fieldId, value })
          .onConflict((c) => c.columns(['user_id', 'field_id']).doUpdateSet({ value }))
          .execute();
      }
    }
    if (shownBefore) {
      // What changed, before and after (an admin editing someone else's profile); nothing when nothing did.
      const shownAfter = await profileSnapshot(trx, personId, fieldIds);
      const details = changedFields(shownBefore, shownAfter, Object.keys(shownAfter));
      // Free text about the person (phone, bio, the extra fields) is personal data, and the audit log is
      // never rewritten, not even by an erasure: it records that it changed, not what it says.
      const structured = new Set(['jobTitle', 'department', 'site', 'manager', 'skills', 'languages']);
      for (const [key, change] of Object.entries(details)) {
        if (structured.has(key) || !change) continue;
        details[key] = { before: change.before === null ? null : HIDDEN, after: change.after === null ? null : HIDDEN };
      }
      if (Object.keys(details).length > 0) await recordAudit(trx, { actorId, action: 'profile.edit', subjectType: 'user', subjectId: personId, details }, now);
    }
    return { ok: true } as const;
  });
}

/** Stands for a value the audit log does not keep. */
const HIDDEN = '•••';

/**
 * A profile as its audit entry shows it: department, site and manager by name (as they were called
 * then), skills as one line, the extra fields listed by their label (an id is added when a label is
 * already a key). Never the photo: its own entries say when it changed.
 */
async function profileSnapshot(trx: Transaction<Database>, personId: number, fieldIds: number[]): Promise<Record<string, string | null>> {
  const row = await trx
    .selectFrom('users as u')
    .leftJoin('departments as d', 'd.id', 'u.department_id')
    .leftJoin('sites as s', 's.id', 'u.site_id')
    .leftJoin('users as m', 'm.id', 'u.manager_id')
    .select(['u.job_title', 'd.name as department', 's.name as site', 'm.name as manager', 'u.phone', 'u.bio', 'u.languages'])
    .where('u.id', '=', personId)
    .executeTakeFirstOrThrow();
  const skills = await trx.selectFrom('user_skills as us').innerJoin('skills as k', 'k.id', 'us.skill_id').select('k.label').where('us.user_id', '=', personId).orderBy('k.slug').execute();
  const snapshot: Record<string, string | null> = {
    jobTitle: row.job_title,
    department: row.department,
    site: row.site,
    manager: row.manager,
    phone: row.phone,
    bio: row.bio,
    skills: skills.length > 0 ? skills.map((skill) => skill.label).join(', ') : null,
    languages: row.languages,
  };
  if (fieldIds.length > 0) {
    const fields = await trx
      .selectFrom('profile_fields as f')
      .leftJoin('profile_values as v', (join) => join.onRef('v.field_id', '=', 'f.id').on('v.user_id', '=', personId))
      .select(['f.id', 'f.label', 'v.value'])
      .where('f.id', 'in', fieldIds)
      .orderBy('f.position')
      .orderBy('f.id')
      .execute();
    for (const field of fields) snapshot[field.label in snapshot ? `${field.label} (#${field.id})` : field.label] = field.value;
  }
  return snapshot;
}

/** Replaces a person's skills; a skill nobody has any more is deleted (suggestions list only used ones). */
async function setSkills(trx: Transaction<Database>, userId: number, labels: string[]): Promise<void> {
  const previous = await trx.selectFrom('user_skills').select('skill_id').where('user_id', '=', userId).execute();
  await trx.deleteFrom('user_skills').where('user_id', '=', userId).execute();
  for (const label of labels) {
    const slug = sortName(label);
    await trx.insertInto('skills').values({ label, slug }).onConflict((c) => c.column('slug').doNothing()).execute();
    const skill = await trx.selectFrom('skills').select('id').where('slug', '=', slug).executeTakeFirstOrThrow();
    await trx.insertInto('user_skills').values({ user_id: userId, skill_id: skill.id }).onConflict((c) => c.doNothing()).execute();
  }
  const ids = previous.map((p) => p.skill_id);
  if (ids.length > 0) {
    await trx
      .deleteFrom('skills')
      .where('id', 'in', ids)
      .where((eb) => eb.not(eb.exists(eb.selectFrom('user_skills').select('user_id').whereRef('user_skills.skill_id', '=', 'skills.id'))))
      .execute();
  }
}

/** A new photo (its stored key) or none; returns the key it replaces, for the caller to delete the file. */
export async function setPhoto(db: Kysely<Database>, actorId: number, personId: number, key: string | null, now = Date.now()): Promise<string | null> {
  return db.transaction().execute(async (trx) => {
    const before = await trx.selectFrom('users').select('photo_id').where('id', '=', personId).executeTakeFirstOrThrow();
    await trx.updateTable('users').set({ photo_id: key, updated_at: now }).where('id', '=', personId).execute();
    if (actorId !== personId) await recordAudit(trx, { actorId, action: key ? 'profile.photo' : 'profile.photoRemove', subjectType: 'user', subjectId: personId }, now);
    return before.photo_id;
  });
}

// ---------------------------------------------------------------------------------------------------
// Departments and sites

const singular = (list: ListName) => (list === 'departments' ? 'department' : 'site');

/** Adds a department or site; refused when one with the same folded name exists. */
export async function addEntry(db: Kysely<Database>, actorId: number, list: ListName, name: string, now = Date.now()): Promise<{ ok: true; id: number } | { ok: false; problem: 'exists' }> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto(list)
      .values({ name, sort_name: sortName(name) })
      .onConflict((c) => c.column('sort_name').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!row) return { ok: false, problem: 'exists' } as const;
    await recordAudit(trx, { actorId, action: `${singular(list)}.create`, subjectType: singular(list), subjectId: row.id, details: { name } }, now);
    return { ok: true, id: row.id } as const;
  });
}

export async function renameEntry(
  db: Kysely<Database>,
  actorId: number,
  list: ListName,
  entry: { id: number; name: string },
  name: string,
  now = Date.now(),
): Promise<{ ok: true } | { ok: false; problem: 'exists' }> {
  return db.transaction().execute(async (trx) => {
    const clash = await trx.selectFrom(list).select('id').where('sort_name', '=', sortName(name)).where('id', '!=', entry.id).executeTakeFirst();
    if (clash) return { ok: false, problem: 'exists' } as const;
    await trx.updateTable(list).set({ name, sort_name: sortName(name) }).where('id', '=', entry.id).execute();
    await recordAudit(trx, { actorId, action: `${singular(list)}.rename`, subjectType: singular(list), subjectId: entry.id, details: { before: entry.name, after: name } }, now);
    return { ok: true } as const;
  });
}

/** Deletes a department or site and clears it on the people who had it; returns how many they were. */
export async function deleteEntry(db: Kysely<Database>, actorId: number, list: ListName, entry: { id: number; name: string }, now = Date.now()): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const cleared =
      list === 'departments'
        ? await trx.updateTable('users').set({ department_id: null }).where('department_id', '=', entry.id).executeTakeFirst()
        : await trx.updateTable('users').set({ site_id: null }).where('site_id', '=', entry.id).executeTakeFirst();
    await trx.deleteFrom(list).where('id', '=', entry.id).execute();
    const people = Number(cleared.numUpdatedRows);
    await recordAudit(trx, { actorId, action: `${singular(list)}.delete`, subjectType: singular(list), subjectId: entry.id, details: { name: entry.name, peopleCleared: people } }, now);
    return people;
  });
}

// ---------------------------------------------------------------------------------------------------
// Extra profile fields

export interface FieldInput {
  label: string;
  type: ProfileFieldType;
  options: string[];
  inDirectory: boolean;
  position: number | null;
}

export async function createField(db: Kysely<Database>, actorId: number, input: FieldInput, now = Date.now()): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const last = await trx.selectFrom('profile_fields').select((eb) => eb.fn.max('position').as('max')).executeTakeFirst();
    const row = await trx
      .insertInto('profile_fields')
      .values({
        label: input.label,
        type: input.type,
        options: JSON.stringify(input.type === 'choice' ? input.options : []),
        in_directory: input.inDirectory ? 1 : 0,
        position: input.position ?? Number(last?.max ?? 0) + 1,
        created_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(trx, { actorId, action: 'profileField.create', subjectType: 'profileField', subjectId: row.id, details: { label: input.label, type: input.type } }, now);
    return row.id;
  });
}

/**
 * Changes a field's label, options, directory flag and order (its type stays: values typed for it
 * would not fit another). A choice option removed is removed from the profiles that had it.
 */
export async function updateField(db: Kysely<Database>, actorId: number, field: FieldDefinition, input: FieldInput, now = Date.now()): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('profile_fields')
      .set({
        label: input.label,
        options: JSON.stringify(field.type === 'choice' ? input.options : []),
        in_directory: input.inDirectory ? 1 : 0,
        position: input.position ?? field.position,
      })
      .where('id', '=', field.id)
      .execute();
    if (field.type === 'choice') {
      const removed = field.options.filter((o) => !input.options.includes(o));
      if (removed.length > 0) await trx.deleteFrom('profile_values').where('field_id', '=', field.id).where('value', 'in', removed).execute();
    }
    await recordAudit(trx, { actorId, action: 'profileField.update', subjectType: 'profileField', subjectId: field.id, details: { before: field.label, after: input.label } }, now);
  });
}

export async function deleteField(db: Kysely<Database>, actorId: number, field: FieldDefinition, now = Date.now()): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('profile_values').where('field_id', '=', field.id).execute();
    await trx.deleteFrom('profile_fields').where('id', '=', field.id).execute();
    await recordAudit(trx, { actorId, action: 'profileField.delete', subjectType: 'profileField', subjectId: field.id, details: { label: field.label } }, now);
  });
}

// ---------------------------------------------------------------------------------------------------
// CSV import

/** How long a checked import waits for the admin's confirmation. */
export const IMPORT_VALIDITY_MS = 60 * 60_000;

/** What the organisation holds that an import is checked against, read now. */
export async function importContext(db: Kysely<Database>, now = Date.now()) {
  const [members, invited, departments, sites] = await Promise.all([
    db.selectFrom('users').select('email').execute(),
    db.selectFrom('invitations').select('email').where('accepted_at', 'is', null).where('revoked_at', 'is', null).where('expires_at', '>', now).execute(),
    db.selectFrom('departments').select(['id', 'sort_name']).execute(),
    db.selectFrom('sites').select(['id', 'sort_name']).execute(),
  ]);
  return {
    members: new Set(members.map((m) => m.email)),
    invited: new Set(invited.map((i) => i.email)),
    departments: new Map(departments.map((d) => [d.sort_name, d.id])),
    sites: new Map(sites.map((s) => [s.sort_name, s.id])),
  };
}

/**
 * Checks the rows and, when none has an error, keeps them server-side under a random id for the
 * confirmation (the browser only ever sends that id back). Nothing else is written.
 */
export async function prepareImport(db: Kysely<Database>, adminId: number, rows: RawRow[], now = Date.now()): Promise<{ checked: CheckedImport; importId: string | null }> {
  await db.deleteFrom('people_imports').where('expires_at', '<=', now).execute();
  const checked = checkImport(rows, await importContext(db, now));
  if (checked.errorCount > 0 || checked.rows.length === 0) return { checked, importId: null };
  const importId = randomBytes(16).toString('hex');
  await db
    .insertInto('people_imports')
    .values({ id: importId, created_by: adminId, data: JSON.stringify(rows), created_at: now, expires_at: now + IMPORT_VALIDITY_MS })
    .execute();
  return { checked, importId };
}

/** The rows kept for `importId`, when it is this admin's and has not expired. */
export async function loadImport(db: Kysely<Database>, adminId: number, importId: string, now = Date.now()): Promise<RawRow[] | null> {
  if (!/^[0-9a-f]{32}$/.test(importId)) return null;
  const row = await db
    .selectFrom('people_imports')
    .select('data')
    .where('id', '=', importId)
    .where('created_by', '=', adminId)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  if (!row) return null;
  try {
    return JSON.parse(row.data) as RawRow[];
  } catch {
    return null;
  }
}

/** Creates the missing departments and sites, forgets the kept import, and audits it; ids by folded name. */
export async function startImport(
  db: Kysely<Database>,
  adminId: number,
  importId: string,
  checked: CheckedImport,
  now = Date.now(),
): Promise<{ departments: Map<string, number>; sites: Map<string, number> } | null> {
  return db.transaction().execute(async (trx) => {
    const deleted = await trx.deleteFrom('people_imports').where('id', '=', importId).where('created_by', '=', adminId).executeTakeFirst();
    // Confirmed twice (a double click, two tabs): only the first goes on.
    if (Number(deleted.numDeletedRows) === 0) return null;
    for (const [list, names] of [['departments', checked.newDepartments], ['sites', checked.newSites]] as const) {
      for (const name of names) {
        const row = await trx.insertInto(list).values({ name, sort_name: sortName(name) }).onConflict((c) => c.column('sort_name').doNothing()).returning('id').executeTakeFirst();
        if (row) await recordAudit(trx, { actorId: adminId, action: `${singular(list)}.create`, subjectType: singular(list), subjectId: row.id, details: { name, import: true } }, now);
      }
    }
    await recordAudit(trx, { actorId: adminId, action: 'people.import', subjectType: 'import', subjectId: importId, details: { rows: checked.rows.length, newDepartments: checked.newDepartments.length, newSites: checked.newSites.length } }, now);
    const [departments, sites] = await Promise.all([
      trx.selectFrom('departments').select(['id', 'sort_name']).execute(),
      trx.selectFrom('sites').select(['id', 'sort_name']).execute(),
    ]);
    return { departments: new Map(departments.map((d) => [d.sort_name, d.id])), sites: new Map(sites.map((s) => [s.sort_name, s.id])) };
  });
}
