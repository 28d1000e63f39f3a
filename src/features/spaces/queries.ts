// The spaces feature's reads: a space, the directory (keyset-paged by sort_name, id), members (active
// people only, keyset-paged by name), pending requests and invitations. Only what the pages show.
import { sql, type Kysely } from 'kysely';
import { normaliseEmail, sortName } from '../../auth/users.js';
import type { Database, Millis, SpaceRole, SpaceVisibility } from '../../db/schema.js';
import { encodeNameCursor, encodeTimeCursor, parseNameCursor, parseTimeCursor } from '../../http/cursor.js';
import { spaceIsVisible } from '../../policy/visible-content.js';
import type { Viewer } from '../../policy/viewer.js';

/** A space as its pages show it; also the policy's `SpaceSubject` (id, visibility). */
export interface SpaceRow {
  id: number;
  name: string;
  description: string;
  visibility: SpaceVisibility;
  /** The newest 'space-image' attachment, shown at /files/<id>/preview; null when there is none. */
  imageId: number | null;
}

/** A space in the directory, with what its card shows. */
export interface SpaceSummary extends SpaceRow {
  memberCount: number;
  /** The viewer's role in it, or null. */
  role: SpaceRole | null;
  /** The viewer's request or invitation waiting for an answer, if any. */
  pending: PendingKind | null;
}

export type PendingKind = 'request' | 'invitation';

/** Parts of the directory: the spaces I belong to, the open ones I may join, the private ones I may see. */
export const DIRECTORY_SECTIONS = ['mine', 'open', 'private'] as const;
export type DirectorySection = (typeof DIRECTORY_SECTIONS)[number];

export const DIRECTORY_PAGE_SIZE = 24;
export const MEMBERS_PAGE_SIZE = 50;
/** Pending requests, and invitations, shown at once to managers (and to a person, theirs); "more" shows the next ones. */
export const PENDING_PAGE_SIZE = 50;

const newestImage = (spaceColumn: string) =>
  sql<number | null>`(select max(a.id) from attachments a where a.space_id = ${sql.ref(spaceColumn)} and a.purpose = 'space-image')`;

/** The space with this id, or undefined. The caller asks the policy whether the viewer may see it. */
export async function findSpace(db: Kysely<Database>, id: number): Promise<SpaceRow | undefined> {
  return db
    .selectFrom('spaces as s')
    .select(['s.id', 's.name', 's.description', 's.visibility', newestImage('s.id').as('imageId')])
    .where('s.id', '=', id)
    .executeTakeFirst();
}

/** The company space (every active member belongs to it). */
export async function findCompanySpace(db: Kysely<Database>): Promise<SpaceRow | undefined> {
  return db
    .selectFrom('spaces as s')
    .select(['s.id', 's.name', 's.description', 's.visibility', newestImage('s.id').as('imageId')])
    .where('s.visibility', '=', 'company')
    .executeTakeFirst();
}

const cursorOf = (row: { sort_name: string; id: number }) => encodeNameCursor({ name: row.sort_name, id: row.id });

export interface Page<T> {
  rows: T[];
  /** Cursor of the next page (`?after=`), or null on the last page. */
  next: string | null;
}

/**
 * One page of a directory section, sorted by name (keyset on spaces_by_sort_name). Private spaces
 * appear only where the policy lets the viewer see them (`spaceIsVisible`): their members and admins.
 *
 * @example
 * const page = await listSpaces(db, viewer, 'open', request.query.after);
 */
export async function listSpaces(db: Kysely<Database>, viewer: Viewer, section: DirectorySection, after?: string | null): Promise<Page<SpaceSummary>> {
  const mine = db.selectFrom('space_members').select('space_id').where('user_id', '=', viewer.id);
  let query = db
    .selectFrom('spaces as s')
    .select(['s.id', 's.name', 's.sort_name', 's.description', 's.visibility', newestImage('s.id').as('imageId')])
    .where(spaceIsVisible(viewer, 's.id'))
    .orderBy('s.sort_name')
    .orderBy('s.id')
    .limit(DIRECTORY_PAGE_SIZE + 1);
  if (section === 'mine') {
    query = query.where('s.id', 'in', mine).where('s.visibility', '!=', 'company');
  } else {
    query = query.where('s.visibility', '=', section).where('s.id', 'not in', mine);
  }
  const from = parseNameCursor(after);
  if (from) query = query.where((eb) => eb(eb.refTuple('s.sort_name', 's.id'), '>', eb.tuple(from.name, from.id)));
  const rows = await query.execute();
  const page = rows.slice(0, DIRECTORY_PAGE_SIZE);
  const ids = page.map((r) => r.id);
  const [counts, pending] = await Promise.all([countActiveMembers(db, ids), pendingOf(db, viewer.id, ids)]);
  return {
    rows: page.map(({ sort_name: _sortName, ...space }) => ({
      ...space,
      memberCount: counts.get(space.id) ?? 0,
      role: viewer.spaceRoles.get(space.id) ?? null,
      pending: pending.get(space.id) ?? null,
    })),
    next: rows.length > DIRECTORY_PAGE_SIZE ? cursorOf(page.at(-1)!) : null,
  };
}

/** Active members of each space (deactivated people are not counted); the company space counts every active person. */
export async function countActiveMembers(db: Kysely<Database>, spaceIds: readonly number[]): Promise<Map<number, number>> {
  if (spaceIds.length === 0) return new Map();
  const [rows, company] = await Promise.all([
    db
      .selectFrom('space_members as m')
      .innerJoin('users as u', 'u.id', 'm.user_id')
      .select(['m.space_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('m.space_id', 'in', [...spaceIds])
      .where('u.status', '=', 'active')
      .groupBy('m.space_id')
      .execute(),
    db.selectFrom('spaces').select('id').where('id', 'in', [...spaceIds]).where('visibility', '=', 'company').executeTakeFirst(),
  ]);
  const counts = new Map(rows.map((r) => [r.space_id, Number(r.n)]));
  if (company) {
    const everyone = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'active').executeTakeFirstOrThrow();
    counts.set(company.id, Number(everyone.n));
  }
  return counts;
}

/** The viewer's own requests and invitations among these spaces. */
async function pendingOf(db: Kysely<Database>, userId: number, spaceIds: readonly number[]): Promise<Map<number, PendingKind>> {
  if (spaceIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('space_requests')
    .select(['space_id', 'kind'])
    .where('user_id', '=', userId)
    .where('space_id', 'in', [...spaceIds])
    .execute();
  return new Map(rows.map((r) => [r.space_id, r.kind]));
}

/** The request or invitation waiting between this person and this space, if any. */
export async function findPending(db: Kysely<Database>, spaceId: number, userId: number): Promise<PendingKind | null> {
  const row = await db.selectFrom('space_requests').select('kind').where('space_id', '=', spaceId).where('user_id', '=', userId).executeTakeFirst();
  return row?.kind ?? null;
}

export interface MyPending {
  kind: PendingKind;
  createdAt: Millis;
  space: { id: number; name: string; visibility: SpaceVisibility };
}

/**
 * The person's invitations (or requests) waiting for an answer, newest first, a page at a time (keyset
 * on created_at, space id: `after` is the "at|id" cursor of the page before). An invitation or a
 * request is how someone outside a private space may know its name.
 */
export async function listMyPending(db: Kysely<Database>, userId: number, kind: PendingKind, after?: string | null): Promise<Page<MyPending>> {
  let query = db
    .selectFrom('space_requests as r')
    .innerJoin('spaces as s', 's.id', 'r.space_id')
    .select(['r.kind', 'r.created_at', 's.id', 's.name', 's.visibility'])
    .where('r.user_id', '=', userId)
    .where('r.kind', '=', kind)
    .orderBy('r.created_at', 'desc')
    .orderBy('r.space_id', 'desc')
    .limit(PENDING_PAGE_SIZE + 1);
  const from = parseTimeCursor(after);
  if (from) query = query.where((eb) => eb(eb.refTuple('r.created_at', 'r.space_id'), '<', eb.tuple(from.at, from.id)));
  const rows = await query.execute();
  const page = rows.slice(0, PENDING_PAGE_SIZE);
  const last = page.at(-1);
  return {
    rows: page.map((r) => ({ kind: r.kind, createdAt: r.created_at, space: { id: r.id, name: r.name, visibility: r.visibility } })),
    next: rows.length > PENDING_PAGE_SIZE && last ? encodeTimeCursor({ at: last.created_at, id: last.id }) : null,
  };
}

export interface SpaceMember {
  id: number;
  name: string;
  role: SpaceRole;
}

/**
 * Active members of a space sorted by name, a page at a time (keyset on the folded name and id).
 * For the company space: every active person, organisation admins being its admins.
 */
export async function listSpaceMembers(db: Kysely<Database>, space: Pick<SpaceRow, 'id' | 'visibility'>, after?: string | null): Promise<Page<SpaceMember>> {
  const from = parseNameCursor(after);
  let rows: Array<SpaceMember & { sort_name: string }>;
  if (space.visibility === 'company') {
    let query = db
      .selectFrom('users as u')
      .select(['u.id', 'u.name', 'u.sort_name', 'u.role'])
      .where('u.status', '=', 'active')
      .orderBy('u.sort_name')
      .orderBy('u.id')
      .limit(MEMBERS_PAGE_SIZE + 1);
    if (from) query = query.where((eb) => eb(eb.refTuple('u.sort_name', 'u.id'), '>', eb.tuple(from.name, from.id)));
    rows = (await query.execute()).map((r) => ({ id: r.id, name: r.name, sort_name: r.sort_name, role: r.role === 'admin' ? 'admin' : 'member' }));
  } else {
    let query = db
      .selectFrom('space_members as m')
      .innerJoin('users as u', 'u.id', 'm.user_id')
      .select(['u.id', 'u.name', 'u.sort_name', 'm.role'])
      .where('m.space_id', '=', space.id)
      .where('u.status', '=', 'active')
      .orderBy('u.sort_name')
      .orderBy('u.id')
      .limit(MEMBERS_PAGE_SIZE + 1);
    if (from) query = query.where((eb) => eb(eb.refTuple('u.sort_name', 'u.id'), '>', eb.tuple(from.name, from.id)));
    rows = await query.execute();
  }
  const page = rows.slice(0, MEMBERS_PAGE_SIZE);
  return {
    rows: page.map(({ sort_name: _sortName, ...member }) => member),
    next: rows.length > MEMBERS_PAGE_SIZE ? cursorOf(page.at(-1)!) : null,
  };
}

/** A member of a space (active or not: an admin may tidy up after a deactivation), or undefined. */
export async function findSpaceMember(
  db: Kysely<Database>,
  spaceId: number,
  userId: number,
): Promise<{ id: number; name: string; role: SpaceRole } | undefined> {
  return db
    .selectFrom('space_members as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['u.id', 'u.name', 'm.role'])
    .where('m.space_id', '=', spaceId)
    .where('m.user_id', '=', userId)
    .executeTakeFirst();
}

export interface PendingPerson {
  userId: number;
  name: string;
  email: string;
  kind: PendingKind;
  createdAt: Millis;
}

/**
 * A space's requests (or invitations) waiting for an answer, oldest first, active people only, a page
 * at a time (keyset on created_at, user id: `after` is the "at|id" cursor of the page before).
 */
export async function listSpacePending(db: Kysely<Database>, spaceId: number, kind: PendingKind, after?: string | null): Promise<Page<PendingPerson>> {
  let query = db
    .selectFrom('space_requests as r')
    .innerJoin('users as u', 'u.id', 'r.user_id')
    .select(['r.user_id', 'u.name', 'u.email', 'r.kind', 'r.created_at'])
    .where('r.space_id', '=', spaceId)
    .where('r.kind', '=', kind)
    .where('u.status', '=', 'active')
    .orderBy('r.created_at')
    .orderBy('r.user_id')
    .limit(PENDING_PAGE_SIZE + 1);
  const from = parseTimeCursor(after);
  if (from) query = query.where((eb) => eb(eb.refTuple('r.created_at', 'r.user_id'), '>', eb.tuple(from.at, from.id)));
  const rows = await query.execute();
  const page = rows.slice(0, PENDING_PAGE_SIZE);
  const last = page.at(-1);
  return {
    rows: page.map((r) => ({ userId: r.user_id, name: r.name, email: r.email, kind: r.kind, createdAt: r.created_at })),
    next: rows.length > PENDING_PAGE_SIZE && last ? encodeTimeCursor({ at: last.created_at, id: last.user_id }) : null,
  };
}

/** An active person's name, or undefined (unknown or deactivated). */
export async function findActivePerson(db: Kysely<Database>, userId: number): Promise<{ id: number; name: string } | undefined> {
  return db.selectFrom('users').select(['id', 'name']).where('id', '=', userId).where('status', '=', 'active').executeTakeFirst();
}

export type InviteeLookup = { ok: true; person: { id: number; name: string } } | { ok: false; problem: 'notFound' | 'ambiguous' };

/**
 * The active person a manager means by an email address or a full name (accents and case do not
 * matter). Two people with the same name: the manager is asked for the email address.
 */
export async function findInvitee(db: Kysely<Database>, text: string): Promise<InviteeLookup> {
  const byEmail = text.includes('@');
  const rows = await db
    .selectFrom('users')
    .select(['id', 'name'])
    .where('status', '=', 'active')
    .where(byEmail ? 'email' : 'sort_name', '=', byEmail ? normaliseEmail(text) : sortName(text.replace(/\s+/g, ' ')))
    .orderBy('id')
    .limit(2)
    .execute();
  if (rows.length === 0) return { ok: false, problem: 'notFound' };
  if (rows.length > 1) return { ok: false, problem: 'ambiguous' };
  return { ok: true, person: rows[0]! };
}
