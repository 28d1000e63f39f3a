// Sessions, following Lucia's current design (lucia-auth.com/sessions): a token "<id>.<secret>",
// only a SHA-256 of the secret stored, an inactivity timeout, and renewal at most once an hour.
import type { Kysely } from 'kysely';
import { compiledQuery } from '../db/compiled-query.js';
import type { Database, Locale, Role, Session } from '../db/schema.js';
import { constantTimeEqual, generateSecureRandomString, hashSecret } from './tokens.js';

export const INACTIVITY_TIMEOUT_MS = 30 * 24 * 60 * 60 * 1000;
export const ACTIVITY_CHECK_INTERVAL_MS = 60 * 60 * 1000;

export interface CurrentUser {
  id: number;
  email: string;
  name: string;
  role: Role;
  locale: Locale | null;
}

export interface ValidSession {
  session: Session;
  user: CurrentUser;
  /** True when the session's expiry moved forward: the cookie must be sent again. */
  renewed: boolean;
}

/**
 * Creates a session for a user who just proved who they are, and returns the token for the cookie.
 */
export async function createSession(
  db: Kysely<Database>,
  userId: number,
  userAgent: string,
  now = Date.now(),
): Promise<{ token: string; session: Session }> {
  const id = generateSecureRandomString();
  const secret = generateSecureRandomString();
  const session: Session = {
    id,
    secret_hash: hashSecret(secret),
    user_id: userId,
    created_at: now,
    last_verified_at: now,
    user_agent: userAgent.slice(0, 512),
  };
  await db.insertInto('sessions').values(session).execute();
  return { token: `${id}.${secret}`, session };
}

/** A session and its user, by the session's id: run on every request, so compiled once. */
const findSession = compiledQuery((db, id: string) =>
  db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select([
      'sessions.id',
      'sessions.secret_hash',
      'sessions.user_id',
      'sessions.created_at',
      'sessions.last_verified_at',
      'sessions.user_agent',
      'users.email',
      'users.name',
      'users.role',
      'users.locale',
      'users.status',
    ])
    .where('sessions.id', '=', id),
);

/** Checks a token from a cookie; returns null (and forgets expired sessions) when it is not valid. */
export async function validateSessionToken(db: Kysely<Database>, token: string, now = Date.now()): Promise<ValidSession | null> {
  const parts = token.split('.');
  if (parts.length !== 2) return null;
  const [id, secret] = parts as [string, string];
  if (id.length !== 24 || secret.length !== 24) return null;

  const [row] = await findSession(db, id);
  if (!row) return null;
  if (!constantTimeEqual(hashSecret(secret), row.secret_hash)) return null;

  if (now - row.last_verified_at >= INACTIVITY_TIMEOUT_MS || row.status !== 'active') {
    await invalidateSession(db, id);
    return null;
  }

  let renewed = false;
  let lastVerifiedAt = row.last_verified_at;
  if (now - row.last_verified_at >= ACTIVITY_CHECK_INTERVAL_MS) {
    lastVerifiedAt = now;
    renewed = true;
    await db.updateTable('sessions').set({ last_verified_at: now }).where('id', '=', id).execute();
  }

  return {
    session: {
      id: row.id,
      secret_hash: row.secret_hash,
      user_id: row.user_id,
      created_at: row.created_at,
      last_verified_at: lastVerifiedAt,
      user_agent: row.user_agent,
    },
    user: { id: row.user_id, email: row.email, name: row.name, role: row.role, locale: row.locale },
    renewed,
  };
}

/** Ends one session (sign-out, or "sign out that device"). */
export async function invalidateSession(db: Kysely<Database>, sessionId: string): Promise<void> {
  await db.deleteFrom('sessions').where('id', '=', sessionId).execute();
}

/** Ends every session of a user, except `keepSessionId` when given (the one in use). Returns how many ended. */
export async function invalidateUserSessions(db: Kysely<Database>, userId: number, keepSessionId?: string): Promise<number> {
  let query = db.deleteFrom('sessions').where('user_id', '=', userId);
  if (keepSessionId) query = query.where('id', '!=', keepSessionId);
  const result = await query.executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** A member's sessions, most recently active first (the "signed-in devices" page). */
export async function listUserSessions(db: Kysely<Database>, userId: number): Promise<Session[]> {
  return db
    .selectFrom('sessions')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('last_verified_at', 'desc')
    .orderBy('id')
    .execute();
}

/** Deletes sessions past the inactivity timeout; run periodically. */
export async function deleteExpiredSessions(db: Kysely<Database>, now = Date.now()): Promise<number> {
  const result = await db
    .deleteFrom('sessions')
    .where('last_verified_at', '<=', now - INACTIVITY_TIMEOUT_MS)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
