// The rules of spaces and their membership: creating and editing a space, joining, leaving, requests,
// invitations, removal and roles. Every write is conditional (checked in the statement that makes it),
// so two requests at once never give a double membership, a private space joined by guessing its id,
// or a space without an admin. Creation, edits, removals and role changes are audited.
import { sql, type Kysely, type SqlBool, type Transaction } from 'kysely';
import { recordAudit } from '../../audit/audit-log.js';
import { sortName } from '../../auth/users.js';
import type { Database, SpaceRole } from '../../db/schema.js';
import { attachAll, detachAttachments } from '../attachments/service.js';
import { notify } from '../../notifications/notify.js';
import type { SpaceRow } from './queries.js';

type Db = Kysely<Database> | Transaction<Database>;

/** Names are one line: runs of spaces, tabs and line breaks become one space. */
export function cleanName(name: string): string {
  return name.replace(/\s+/g, ' ').trim();
}

/** Descriptions are plain text: line breaks are kept (as \n), the ends trimmed. */
export function cleanDescription(description: string | undefined): string {
  return (description ?? '').replace(/\r\n?/g, '\n').trim();
}

const changed = (result: { numDeletedRows?: bigint; numUpdatedRows?: bigint; numInsertedOrUpdatedRows?: bigint }) =>
  (result.numDeletedRows ?? result.numUpdatedRows ?? result.numInsertedOrUpdatedRows ?? 0n) > 0n;

/** Another active admin of the space than `userId`: the condition that keeps every space administered. */
const otherActiveAdmin = (spaceId: number, userId: number) =>
  sql<SqlBool>`exists (select 1 from space_members o join users u on u.id = o.user_id
    where o.space_id = ${spaceId} and o.role = 'admin' and o.user_id != ${userId} and u.status = 'active')`;

export interface SpaceInput {
  name: string;
  description: string;
  visibility: 'open' | 'private';
  /** Pending image attachments of the actor, already checked (pendingAttachmentIds). */
  imageIds: readonly number[];
}

/**
 * Creates a space; its creator becomes its admin. Audited. Throws AttachmentsTaken (nothing saved)
 * when the image was claimed meanwhile by another request.
 *
 * @example
 * const id = await createSpace(db, viewer.id, { name, description, visibility: 'open', imageIds: [] });
 */
export async function createSpace(db: Kysely<Database>, actorId: number, input: SpaceInput, now = Date.now()): Promise<number> {
  const name = cleanName(input.name);
  return db.transaction().execute(async (trx) => {
    const space = await trx
      .insertInto('spaces')
      .values({
        name,
        sort_name: sortName(name),
        description: cleanDescription(input.description),
        visibility: input.visibility,
        created_by: actorId,
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx.insertInto('space_members').values({ space_id: space.id, user_id: actorId, role: 'admin', joined_at: now }).execute();
    await attachAll(trx, input.imageIds, { spaceId: space.id }, actorId);
    await recordAudit(trx, { actorId, action: 'space.create', subjectType: 'space', subjectId: space.id, details: { name, visibility: input.visibility } }, now);
    return space.id;
  });
}

/**
 * Saves a space's name, description, image and (except for the company space) visibility. Audited:
 * `space.edit` with what changed, and `space.changeVisibility` when the visibility changed. A new
 * image replaces the old one: returns the storage keys of the files to remove once committed.
 */
export async function updateSpace(
  db: Kysely<Database>,
  actorId: number,
  space: SpaceRow,
  input: Omit<SpaceInput, 'visibility'> & { visibility?: 'open' | 'private' },
  now = Date.now(),
): Promise<string[]> {
  const name = cleanName(input.name);
  const description = cleanDescription(input.description);
  const visibility = space.visibility === 'company' ? 'company' : (input.visibility ?? space.visibility);
  const before: Record<string, unknown> = {};
  const after: Record<string, unknown> = {};
  if (name !== space.name) [before.name, after.name] = [space.name, name];
  if (description !== space.description) [before.description, after.description] = [space.description, description];
  if (input.imageIds.length > 0) [before.imageId, after.imageId] = [space.imageId, input.imageIds[0]];
  return db.transaction().execute(async (trx) => {
    await trx
      .updateTable('spaces')
      .set({ name, sort_name: sortName(name), description, visibility, updated_at: now })
      .where('id', '=', space.id)
      .execute();
    const replaced = input.imageIds.length > 0 ? await detachAttachments(trx, { spaceId: space.id }, { purpose: 'space-image' }) : [];
    await attachAll(trx, input.imageIds, { spaceId: space.id }, actorId);
    if (Object.keys(after).length > 0) {
      await recordAudit(trx, { actorId, action: 'space.edit', subjectType: 'space', subjectId: space.id, details: { before, after } }, now);
    }
    if (visibility !== space.visibility) {
      await recordAudit(
        trx,
        { actorId, action: 'space.changeVisibility', subjectType: 'space', subjectId: space.id, details: { before: space.visibility, after: visibility } },
        now,
      );
    }
    return replaced;
  });
}

/** Inserts a membership unless there is one already (the primary key decides); true when inserted. */
async function addMember(db: Db, spaceId: number, userId: number, role: SpaceRole, now: number): Promise<boolean> {
  const result = await db
    .insertInto('space_members')
    .values({ space_id: spaceId, user_id: userId, role, joined_at: now })
    .onConflict((oc) => oc.doNothing())
    .executeTakeFirst();
  return changed(result);
}

async function clearPending(db: Db, spaceId: number, userId: number, kind?: 'request' | 'invitation'): Promise<boolean> {
  let query = db.deleteFrom('space_requests').where('space_id', '=', spaceId).where('user_id', '=', userId);
  if (kind) query = query.where('kind', '=', kind);
  return changed(await query.executeTakeFirst());
}

/**
 * Joins an open space. The visibility is checked in the insert itself: a space made private a moment
 * ago, or a private space's id guessed, is never joined. Any request or invitation is answered by it.
 */
export async function joinOpenSpace(db: Kysely<Database>, spaceId: number, userId: number, now = Date.now()): Promise<'joined' | 'already' | 'notOpen'> {
  return db.transaction().execute(async (trx) => {
    const result = await trx
      .insertInto('space_members')
      .columns(['space_id', 'user_id', 'role', 'joined_at'])
      .expression((eb) =>
        eb
          .selectFrom('spaces')
          .select([sql.val(spaceId).as('space_id'), sql.val(userId).as('user_id'), sql.val('member').as('role'), sql.val(now).as('joined_at')])
          .where('id', '=', spaceId)
          .where('visibility', '=', 'open'),
      )
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    if (changed(result)) {
      await clearPending(trx, spaceId, userId);
      return 'joined';
    }
    const member = await trx.selectFrom('space_members').select('role').where('space_id', '=', spaceId).where('user_id', '=', userId).executeTakeFirst();
    return member ? 'already' : 'notOpen';
  });
}

export type DepartureResult = 'done' | 'lastAdmin' | 'notMember';

/**
 * Ends a membership, unless it is the space's last active admin's (checked in the delete itself, so
 * two admins leaving at once cannot both succeed).
 */
async function endMembership(
  db: Kysely<Database>,
  spaceId: number,
  userId: number,
  then?: (trx: Transaction<Database>) => Promise<void>,
): Promise<DepartureResult> {
  return db.transaction().execute(async (trx) => {
    const result = await trx
      .deleteFrom('space_members')
      .where('space_id', '=', spaceId)
      .where('user_id', '=', userId)
      .where((eb) => eb.or([eb('role', '=', 'member'), otherActiveAdmin(spaceId, userId)]))
      .executeTakeFirst();
    if (changed(result)) {
      await then?.(trx);
      return 'done';
    }
    const still = await trx.selectFrom('space_members').select('role').where('space_id', '=', spaceId).where('user_id', '=', userId).executeTakeFirst();
    return still ? 'lastAdmin' : 'notMember';
  });
}

/** The viewer leaves a space (never the last admin). */
export async function leaveSpace(db: Kysely<Database>, spaceId: number, userId: number): Promise<DepartureResult> {
  return endMembership(db, spaceId, userId);
}

/** A manager removes someone from a space (never the last admin). Audited. */
export async function removeMember(
  db: Kysely<Database>,
  actorId: number,
  spaceId: number,
  member: { id: number; role: SpaceRole },
  now = Date.now(),
): Promise<DepartureResult> {
  return endMembership(db, spaceId, member.id, (trx) =>
    recordAudit(trx, { actorId, action: 'space.removeMember', subjectType: 'space', subjectId: spaceId, details: { userId: member.id, role: member.role } }, now),
  );
}

/** Makes a member an admin or a member again; the last active admin is never demoted. Audited. */
export async function changeMemberRole(
  db: Kysely<Database>,
  actorId: number,
  spaceId: number,
  member: { id: number; role: SpaceRole },
  role: SpaceRole,
  now = Date.now(),
): Promise<'done' | 'unchanged' | 'lastAdmin' | 'notMember'> {
  if (member.role === role) return 'unchanged';
  return db.transaction().execute(async (trx) => {
    let query = trx.updateTable('space_members').set({ role }).where('space_id', '=', spaceId).where('user_id', '=', member.id).where('role', '=', member.role);
    if (role === 'member') query = query.where(otherActiveAdmin(spaceId, member.id));
    if (changed(await query.executeTakeFirst())) {
      await recordAudit(
        trx,
        { actorId, action: 'space.changeRole', subjectType: 'space', subjectId: spaceId, details: { userId: member.id, before: member.role, after: role } },
        now,
      );
      return 'done';
    }
    const current = await trx.selectFrom('space_members').select('role').where('space_id', '=', spaceId).where('user_id', '=', member.id).executeTakeFirst();
    if (!current) return 'notMember';
    return current.role === role ? 'unchanged' : 'lastAdmin';
  });
}

/** Who hears of a request: the space's active admins, or the organisation's when the space has none. */
async function requestRecipients(db: Db, spaceId: number): Promise<number[]> {
  const spaceAdmins = await db
    .selectFrom('space_members as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select('u.id')
    .where('m.space_id', '=', spaceId)
    .where('m.role', '=', 'admin')
    .where('u.status', '=', 'active')
    .execute();
  if (spaceAdmins.length > 0) return spaceAdmins.map((r) => r.id);
  const admins = await db.selectFrom('users').select('id').where('role', '=', 'admin').where('status', '=', 'active').execute();
  return admins.map((r) => r.id);
}

/**
 * Asks to join a private space. Nothing happens for a member, or when a request or an invitation is
 * already waiting (an invitation is accepted instead, from the space page). Notifies the space admins.
 */
export async function requestToJoin(db: Kysely<Database>, spaceId: number, userId: number, now = Date.now()): Promise<'requested' | 'pending' | 'member' | 'notPrivate'> {
  return db.transaction().execute(async (trx) => {
    const space = await trx.selectFrom('spaces').select('visibility').where('id', '=', spaceId).executeTakeFirst();
    if (space?.visibility !== 'private') return 'notPrivate';
    const member = await trx.selectFrom('space_members').select('role').where('space_id', '=', spaceId).where('user_id', '=', userId).executeTakeFirst();
    if (member) return 'member';
    const inserted = await trx
      .insertInto('space_requests')
      .values({ space_id: spaceId, user_id: userId, kind: 'request', created_by: userId, created_at: now })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    if (!changed(inserted)) return 'pending';
    const recipients = (await requestRecipients(trx, spaceId)).filter((id) => id !== userId);
    await notify(trx, recipients.map((recipient) => ({ userId: recipient, type: 'space-request', actorId: userId, spaceId, createdAt: now })));
    return 'requested';
  });
}

/** The person withdraws their own request. */
export async function cancelRequest(db: Kysely<Database>, spaceId: number, userId: number): Promise<boolean> {
  return clearPending(db, spaceId, userId, 'request');
}

/** A manager lets a requester in; the requester is told. False when no request (of an active person) is waiting. */
export async function approveRequest(db: Kysely<Database>, actorId: number, spaceId: number, userId: number, now = Date.now()): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const active = await trx.selectFrom('users').select('id').where('id', '=', userId).where('status', '=', 'active').executeTakeFirst();
    if (!active || !(await clearPending(trx, spaceId, userId, 'request'))) return false;
    await admitRequester(trx, actorId, spaceId, userId, now);
    return true;
  });
}

async function admitRequester(trx: Transaction<Database>, actorId: number, spaceId: number, userId: number, now: number) {
  await addMember(trx, spaceId, userId, 'member', now);
  await notify(trx, [{ userId, type: 'space-request-approved', actorId, spaceId, createdAt: now }]);
}

/** A manager turns a request down (the requester may ask again). */
export async function denyRequest(db: Kysely<Database>, spaceId: number, userId: number): Promise<boolean> {
  return clearPending(db, spaceId, userId, 'request');
}

export type InviteResult = 'invited' | 'approved' | 'alreadyMember' | 'alreadyInvited';

/**
 * A manager invites an active person; they are notified and accept or decline. Someone who had asked
 * to join is simply let in (their request is approved).
 */
export async function invite(db: Kysely<Database>, actorId: number, spaceId: number, userId: number, now = Date.now()): Promise<InviteResult> {
  return db.transaction().execute(async (trx) => {
    const member = await trx.selectFrom('space_members').select('role').where('space_id', '=', spaceId).where('user_id', '=', userId).executeTakeFirst();
    if (member) return 'alreadyMember';
    if (await clearPending(trx, spaceId, userId, 'request')) {
      await admitRequester(trx, actorId, spaceId, userId, now);
      return 'approved';
    }
    const inserted = await trx
      .insertInto('space_requests')
      .values({ space_id: spaceId, user_id: userId, kind: 'invitation', created_by: actorId, created_at: now })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    if (!changed(inserted)) return 'alreadyInvited';
    await notify(trx, [{ userId, type: 'space-invitation', actorId, spaceId, createdAt: now }]);
    return 'invited';
  });
}

/** A manager withdraws an invitation. */
export async function cancelInvitation(db: Kysely<Database>, spaceId: number, userId: number): Promise<boolean> {
  return clearPending(db, spaceId, userId, 'invitation');
}

/** The invited person joins: the invitation is spent in the same transaction. False when there is none. */
export async function acceptInvitation(db: Kysely<Database>, spaceId: number, userId: number, now = Date.now()): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    if (!(await clearPending(trx, spaceId, userId, 'invitation'))) return false;
    await addMember(trx, spaceId, userId, 'member', now);
    return true;
  });
}

/** The invited person says no. */
export async function declineInvitation(db: Kysely<Database>, spaceId: number, userId: number): Promise<boolean> {
  return clearPending(db, spaceId, userId, 'invitation');
}
