// Checking an email and password. Unknown emails cost the same work as known ones.
import type { Kysely } from 'kysely';
import type { Database, User } from '../db/schema.js';
import { hashPassword, needsRehash, verifyAgainstDummy, verifyPassword } from './passwords.js';
import { findUserByEmail, replacePasswordHash } from './users.js';

export type LoginResult = { ok: true; user: User } | { ok: false; reason: 'invalid' | 'deactivated' };

/**
 * Checks an email and password. Unknown emails cost the same argon2 work as known ones.
 *
 * @example
 * const result = await authenticate(db, 'alice@example.com', password);
 * if (result.ok) await createSession(db, result.user.id, userAgent);
 */
export async function authenticate(db: Kysely<Database>, email: string, password: string): Promise<LoginResult> {
  const user = await findUserByEmail(db, email);
  if (!user) {
    await verifyAgainstDummy(password);
    return { ok: false, reason: 'invalid' };
  }
  if (!(await verifyPassword(user.password_hash, password))) return { ok: false, reason: 'invalid' };
  // Only someone who knows the password learns that the account was deactivated.
  if (user.status !== 'active') return { ok: false, reason: 'deactivated' };
  if (needsRehash(user.password_hash)) {
    await replacePasswordHash(db, user.id, await hashPassword(password));
  }
  return { ok: true, user };
}

