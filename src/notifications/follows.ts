// Following content items and spaces. Authors follow what they publish and people follow what they
// comment on (automatic follows: `autoFollowContent`); anyone may follow or unfollow an item or a
// space they see. An explicit unfollow of an item is a row in the 'unfollowed' state that automatic
// follows never overwrite, and that also mutes the item when its whole space is followed.
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.js';

type Db = Kysely<Database> | Transaction<Database>;

/** An automatic follow (publishing, commenting): does nothing when the person already chose. */
export async function autoFollowContent(db: Db, contentId: number, userId: number, now = Date.now()): Promise<void> {
  await db
    .insertInto('content_follows')
    .values({ content_id: contentId, user_id: userId, state: 'following', updated_at: now })
    .onConflict((oc) => oc.columns(['content_id', 'user_id']).doNothing())
    .execute();
}

/** The person's explicit choice about an item: it overrides any earlier one. */
export async function setContentFollow(db: Db, contentId: number, userId: number, following: boolean, now = Date.now()): Promise<void> {
  const state = following ? ('following' as const) : ('unfollowed' as const);
  await db
    .insertInto('content_follows')
    .values({ content_id: contentId, user_id: userId, state, updated_at: now })
    .onConflict((oc) => oc.columns(['content_id', 'user_id']).doUpdateSet({ state, updated_at: now }))
    .execute();
}

export async function setSpaceFollow(db: Db, spaceId: number, userId: number, following: boolean, now = Date.now()): Promise<void> {
  if (following) {
    await db
      .insertInto('space_follows')
      .values({ space_id: spaceId, user_id: userId, created_at: now })
      .onConflict((oc) => oc.columns(['space_id', 'user_id']).doNothing())
      .execute();
  } else {
    await db.deleteFrom('space_follows').where('space_id', '=', spaceId).where('user_id', '=', userId).execute();
  }
}

/**
 * Whether the person hears about new comments on the item: they follow it, or they follow its space
 * and did not unfollow the item.
 */
export async function followsContent(db: Db, item: { id: number; spaceId: number }, userId: number): Promise<boolean> {
  const row = await db
    .selectFrom('content_follows')
    .select('state')
    .where('content_id', '=', item.id)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  if (row) return row.state === 'following';
  return followsSpace(db, item.spaceId, userId);
}

export async function followsSpace(db: Db, spaceId: number, userId: number): Promise<boolean> {
  const row = await db.selectFrom('space_follows').select('user_id').where('space_id', '=', spaceId).where('user_id', '=', userId).executeTakeFirst();
  return row !== undefined;
}

/** True when the person explicitly unfollowed the item. */
export async function unfollowedContent(db: Db, contentId: number, userId: number): Promise<boolean> {
  const row = await db
    .selectFrom('content_follows')
    .select('state')
    .where('content_id', '=', contentId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row?.state === 'unfollowed';
}
