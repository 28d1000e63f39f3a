// The users table: every read and write of a person's account goes through these functions.
import type { Kysely } from 'kysely';
import type { Database, Locale, Role, User, UserStatus } from '../db/schema.js';

/** Emails are compared and stored trimmed and lower-cased. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * The key members are sorted by: lower case, accents removed, so that "Émilie" sorts with "emilie".
 *
 * @example
 * sortName('Émilie Durand') // "emilie durand"
 */
export function sortName(name: string): string {
  return name.normalize('NFD').replace(/\p{M}/gu, '').toLocaleLowerCase('fr').trim();
}

/** The account with this email (any status), or undefined. */
export async function findUserByEmail(db: Kysely<Database>, email: string): Promise<User | undefined> {
  return db.selectFrom('users').selectAll().where('email', '=', normaliseEmail(email)).executeTakeFirst();
}

/** The account with this id (any status), or undefined. */
export async function findUserById(db: Kysely<Database>, id: number): Promise<User | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * Creates an account and returns its id. The password must already be hashed.
 *
 * @example
 * const id = await insertUser(db, { email, name, passwordHash: await hashPassword(pw), role: 'member', locale: null });
 */
export async function insertUser(
  db: Kysely<Database>,
  user: { email: string; name: string; passwordHash: string; role: Role; locale: Locale | null },
  now = Date.now(),
): Promise<number> {
  const row = await db
    .insertInto('users')
    .values({
      email: normaliseEmail(user.email),
      name: user.name,
      sort_name: sortName(user.name),
      password_hash: user.passwordHash,
      role: user.role,
      locale: user.locale,
      created_at: now,
      updated_at: now,
      password_changed_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** A new password chosen by the person (or through a reset link): records when it changed. */
export async function setUserPassword(db: Kysely<Database>, userId: number, passwordHash: string, now = Date.now()): Promise<void> {
  await db
    .updateTable('users')
    .set({ password_hash: passwordHash, password_changed_at: now, updated_at: now })
    .where('id', '=', userId)
    .execute();
}

/** The same password, hashed again with today's parameters (not a password change). */
export async function replacePasswordHash(db: Kysely<Database>, userId: number, passwordHash: string): Promise<void> {
  await db.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', userId).execute();
}

/** A member's own name and language; the sort key follows the name. */
export async function updateUserProfile(
  db: Kysely<Database>,
  userId: number,
  changes: { name: string; locale: Locale },
  now = Date.now(),
): Promise<void> {
  await db
    .updateTable('users')
    .set({ name: changes.name, sort_name: sortName(changes.name), locale: changes.locale, updated_at: now })
    .where('id', '=', userId)
    .execute();
}

/** The language a member chose (from the footer switch or the profile). */
export async function setUserLocale(db: Kysely<Database>, userId: number, locale: Locale, now = Date.now()): Promise<void> {
  await db.updateTable('users').set({ locale, updated_at: now }).where('id', '=', userId).execute();
}

/** Admin or member; the caller checks the policy and writes the audit entry. */
export async function setUserRole(db: Kysely<Database>, userId: number, role: Role, now = Date.now()): Promise<void> {
  await db.updateTable('users').set({ role, updated_at: now }).where('id', '=', userId).execute();
}

/** Deactivated people cannot sign in; their content stays. Sessions are ended by the caller. */
export async function setUserStatus(db: Kysely<Database>, userId: number, status: UserStatus, now = Date.now()): Promise<void> {
  await db
    .updateTable('users')
    .set({ status, deactivated_at: status === 'deactivated' ? now : null, updated_at: now })
    .where('id', '=', userId)
    .execute();
}
