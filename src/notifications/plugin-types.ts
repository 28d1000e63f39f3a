// Plugins' notification types (the contract's `notifications`): registered when a plugin is loaded,
// then known to every notification path by their stored name "<plugin id>.<name>". Which of them are
// shown is decided at read time: `pluginNotificationIsOn` (the plugin on, everywhere or in the
// notification's space; not expired) joins the core's read rules in the list, the bell, the emails
// and the digests.
import { sql, type Kysely, type RawBuilder, type SqlBool, type Transaction } from 'kysely';
import type { Database, Millis } from '../db/schema.js';
import type { PluginNotificationType } from '../plugins/contract.js';
import { notify } from './notify.js';

interface Registered {
  pluginId: string;
  type: string;
  definition: PluginNotificationType;
}

// By stored name. The same plugin code gives the same types in every app of the process (tests start
// several apps): registering again replaces an entry with an equal one.
const registered = new Map<string, Registered>();

/** Called by the plugin loader for each loaded plugin. */
export function registerPluginNotificationTypes(pluginId: string, types: readonly PluginNotificationType[]): void {
  for (const definition of types) {
    if (!/^[a-z0-9-]+$/.test(definition.name)) throw new Error(`notification type "${definition.name}" of plugin "${pluginId}": letters, digits and dashes only`);
    const type = `${pluginId}.${definition.name}`;
    registered.set(type, { pluginId, type, definition });
  }
}

/** The plugin type stored as `type`, or undefined (a core type, or a plugin not loaded). */
export function pluginNotificationType(type: string): Registered | undefined {
  return registered.get(type);
}

/** Every registered plugin type, in the order they were registered. */
export function pluginNotificationTypes(): Registered[] {
  return [...registered.values()];
}

/** The types of the plugins on now (app.plugins.isEnabled): what the preference pages and the empty list offer. */
export function enabledPluginNotificationTypes(isEnabled: (pluginId: string) => boolean): Registered[] {
  return pluginNotificationTypes().filter((type) => isEnabled(type.pluginId));
}

export interface NewPluginNotification {
  userId: number;
  /** The plugin's object it is about (a survey's id): `describe` receives it. */
  subjectId?: number | null;
  /** Its content item, if any: hidden while the item is not visible to the person. */
  contentId?: number | null;
  /** Its space, if any: hidden while the plugin is off there or the space is not visible to the person. */
  spaceId?: number | null;
  actorId?: number | null;
  /** Not shown nor mailed after this time (a survey's end). */
  expiresAt?: Millis | null;
}

/**
 * Writes notifications of one of the plugin's types, as the core's are written (the bell hears of them
 * at once, the email dispatcher decides their email).
 *
 * @example
 * await notifyFromPlugin(db, 'polls', 'survey-reminder', pending.map((userId) => ({ userId, subjectId: survey.id })), now);
 */
export async function notifyFromPlugin(
  db: Kysely<Database> | Transaction<Database>,
  pluginId: string,
  name: string,
  notifications: readonly NewPluginNotification[],
  now: Millis,
): Promise<void> {
  const type = `${pluginId}.${name}` as const;
  if (!registered.has(type)) throw new Error(`unknown notification type "${type}": declare it in the plugin's notifications`);
  await notify(
    db,
    notifications.map((n) => ({
      userId: n.userId,
      type,
      actorId: n.actorId ?? null,
      contentId: n.contentId ?? null,
      spaceId: n.spaceId ?? null,
      createdAt: now,
      pluginId,
      subjectId: n.subjectId ?? null,
      expiresAt: n.expiresAt ?? null,
    })),
  );
}

/**
 * Removes a plugin's notifications about one of its objects (a deleted survey), or all of them (a
 * purge), with their email jobs (waiting, failed or done): nothing is left that would say who had
 * one, nor, by its absence among the others, who no longer has one.
 */
export async function forgetPluginNotifications(
  db: Kysely<Database> | Transaction<Database>,
  pluginId: string,
  about: { subjectId?: number; userId?: number; name?: string } = {},
): Promise<number> {
  let query = db.deleteFrom('notifications').where('plugin_id', '=', pluginId);
  if (about.subjectId !== undefined) query = query.where('subject_id', '=', about.subjectId);
  if (about.userId !== undefined) query = query.where('user_id', '=', about.userId);
  if (about.name !== undefined) query = query.where('type', '=', `${pluginId}.${about.name}`);
  const removed = await query.returning('id').execute();
  for (const { id } of removed) {
    // Its email job's key, and the keys of the same job held by quiet hours ("…:<id>:<until>").
    const key = `email.notification:${id}`;
    await db
      .deleteFrom('jobs')
      .where('type', '=', 'email.notification')
      .where('state', '!=', 'running')
      .where((eb) => eb.or([eb('key', '=', key), eb.and([eb('key', '>', `${key}:`), eb('key', '<', `${key};`)])]))
      .execute();
  }
  return removed.length;
}

/**
 * True when the notification `alias` is not a plugin's, or its plugin is on (everywhere and in its
 * space, `plugins_off` kept by the plugin runtime) and it has not expired at `now`.
 */
export function pluginNotificationIsOn(alias: string, now: RawBuilder<number> | number): RawBuilder<SqlBool> {
  const plugin = sql.ref(`${alias}.plugin_id`);
  const space = sql.ref(`${alias}.space_id`);
  const expires = sql.ref(`${alias}.expires_at`);
  return sql<SqlBool>`(${plugin} is null or (
    ${plugin} not in (select plugin_id from plugins_off where space_id = 0)
    and (${plugin}, ifnull(${space}, 0)) not in (select plugin_id, space_id from plugins_off where space_id <> 0)
    and (${expires} is null or ${expires} > ${now})))`;
}

/**
 * A path of this site, as the browser will read it: the list links to it, the email makes it absolute,
 * the read route redirects to it. Anything that would leave the site ("//host", "/\\host", a tab or
 * a line break that browsers drop, another scheme) is refused.
 */
function sitePath(href: string, type: string): string {
  const base = 'http://hameau.invalid';
  const url = /^\/(?![/\\])/.test(href) && !/[\s\x00-\x1f\x7f]/.test(href) ? new URL(href, base) : null;
  if (!url || url.origin !== base) throw new Error(`notification ${type} leads outside the site: ${JSON.stringify(href)}`);
  return `${url.pathname}${url.search}${url.hash}`;
}

/** What a plugin says of one of its notifications: its sentence and path, 'moot' (no longer concerns the person), or 'failed' (its code threw). */
export type PluginDescription = { text: string; href: string } | 'moot' | 'failed';

/**
 * The sentence and path of a plugin's notification, from its type's `describe`; undefined for a core
 * type. A throwing `describe` is 'failed' (the entry is left out, not marked read), logged by the caller.
 */
export async function describePluginNotification(
  db: Kysely<Database>,
  notification: { id: number; type: string; userId: number; subjectId: number | null; contentId: number | null; spaceId: number | null; actorId: number | null; createdAt: Millis },
  t: Parameters<PluginNotificationType['describe']>[1]['t'],
  now: Millis,
): Promise<{ description: PluginDescription; error?: unknown } | undefined> {
  const found = registered.get(notification.type);
  if (!found) return undefined;
  try {
    const { type: _type, ...rest } = notification;
    const described = await found.definition.describe(rest, { db, t, now });
    if (!described) return { description: 'moot' };
    return { description: { text: described.text, href: sitePath(described.href, notification.type) } };
  } catch (error) {
    return { description: 'failed', error };
  }
}

/** Marks read notifications that no longer concern their recipient (`describe` said so): the bell stops counting them. Returns how many were unread. */
export async function markMootRead(db: Kysely<Database>, ids: readonly number[], now: Millis): Promise<number> {
  if (ids.length === 0) return 0;
  const result = await db.updateTable('notifications').set({ read_at: now }).where('id', 'in', [...ids]).where('read_at', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows);
}
