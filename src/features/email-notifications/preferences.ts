// Notification preferences: per type and channel (in the app, by email), the digest frequency and
// quiet hours. A person's own choice wins; without one, the organisation's default; without that,
// the built-in default (immediate email for mentions and must-reads, the digest for the rest).
import type { Kysely, Transaction } from 'kysely';
import { recordAudit } from '../../audit/audit-log.js';
import type { Database, DigestFrequency, EmailChoice, Millis, Organisation } from '../../db/schema.js';
import { NOTIFICATION_TYPES, type NotificationType } from '../../notifications/notify.js';
import { pluginNotificationType, pluginNotificationTypes } from '../../notifications/plugin-types.js';
import type { QuietHours } from './quiet-hours.js';

export { NOTIFICATION_TYPES };

export const EMAIL_CHOICES: readonly EmailChoice[] = ['immediate', 'digest', 'off'];
export const DIGEST_FREQUENCIES: readonly DigestFrequency[] = ['daily', 'weekly', 'never'];

/** A core type, or a loaded plugin's. */
export function isNotificationType(value: string): value is NotificationType {
  return (NOTIFICATION_TYPES as readonly string[]).includes(value) || pluginNotificationType(value) !== undefined;
}

export interface ChannelChoice {
  inApp: boolean;
  email: EmailChoice;
}
/** Choices by type: every core type and every loaded plugin's. */
export type TypeChoices = Record<string, ChannelChoice>;

const IMMEDIATE: readonly NotificationType[] = ['mention', 'must-read', 'must-read-reminder'];

/** The built-in defaults, before an admin sets the organisation's. */
export function builtInDefaults(): TypeChoices {
  const choices: TypeChoices = Object.fromEntries(NOTIFICATION_TYPES.map((type) => [type, { inApp: true, email: IMMEDIATE.includes(type) ? 'immediate' : 'digest' }]));
  for (const registered of pluginNotificationTypes()) choices[registered.type] = { inApp: true, email: registered.definition.email };
  return choices;
}

/** The organisation's defaults per type (stored rows over the built-in ones). */
export async function organisationDefaults(db: Kysely<Database>): Promise<TypeChoices> {
  const choices = builtInDefaults();
  for (const row of await db.selectFrom('notification_defaults').selectAll().execute()) {
    if (isNotificationType(row.type)) choices[row.type] = { inApp: row.in_app === 1, email: row.email };
  }
  return choices;
}

/** What one person receives per type: their own rows over the organisation's defaults. */
export async function userChoices(db: Kysely<Database>, userId: number, defaults?: TypeChoices): Promise<{ choices: TypeChoices; own: boolean }> {
  const choices = { ...(defaults ?? (await organisationDefaults(db))) };
  const rows = await db.selectFrom('notification_preferences').selectAll().where('user_id', '=', userId).execute();
  for (const row of rows) {
    if (isNotificationType(row.type)) choices[row.type] = { inApp: row.in_app === 1, email: row.email };
  }
  return { choices, own: rows.length > 0 };
}

/** The organisation's quiet hours and digest frequency. */
export interface OrganisationDelivery {
  digestFrequency: DigestFrequency;
  quietHours: QuietHours;
  timeZone: string;
}

export function organisationDelivery(organisation: Organisation | null): OrganisationDelivery {
  return {
    digestFrequency: organisation?.digest_frequency ?? 'daily',
    quietHours: {
      start: organisation?.quiet_start ?? 20 * 60,
      end: organisation?.quiet_end ?? 7 * 60 + 30,
      weekends: (organisation?.quiet_weekends ?? 1) === 1,
    },
    timeZone: organisation?.time_zone ?? 'UTC',
  };
}

/** A person's digest frequency and quiet hours: null where they follow the organisation. */
export interface PersonalSettings {
  digestFrequency: DigestFrequency | null;
  quietHours: QuietHours | null;
}

export async function personalSettings(db: Kysely<Database>, userId: number): Promise<PersonalSettings> {
  const row = await db.selectFrom('notification_settings').selectAll().where('user_id', '=', userId).executeTakeFirst();
  return settingsOfRow(row);
}

export function settingsOfRow(
  row: { digest_frequency: DigestFrequency | null; quiet_start: number | null; quiet_end: number | null; quiet_weekends: number | null } | undefined,
): PersonalSettings {
  return {
    digestFrequency: row?.digest_frequency ?? null,
    quietHours:
      row && row.quiet_start !== null && row.quiet_end !== null
        ? { start: row.quiet_start, end: row.quiet_end, weekends: row.quiet_weekends === 1 }
        : null,
  };
}

/** Saves a person's whole form: a row for every type, their digest frequency, their quiet hours. */
export async function savePersonalPreferences(
  db: Kysely<Database>,
  userId: number,
  choices: TypeChoices,
  settings: PersonalSettings,
  now: Millis = Date.now(),
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await writeChoices(trx, userId, choices);
    await trx
      .insertInto('notification_settings')
      .values({ user_id: userId, ...settingsColumns(settings), updated_at: now })
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ ...settingsColumns(settings), updated_at: now }))
      .execute();
  });
}

function settingsColumns(settings: PersonalSettings) {
  return {
    digest_frequency: settings.digestFrequency,
    quiet_start: settings.quietHours?.start ?? null,
    quiet_end: settings.quietHours?.end ?? null,
    quiet_weekends: settings.quietHours ? (settings.quietHours.weekends ? 1 : 0) : null,
  };
}

async function writeChoices(trx: Transaction<Database>, userId: number, choices: Partial<TypeChoices>): Promise<void> {
  for (const [type, choice] of Object.entries(choices)) {
    if (!choice) continue;
    const values = { in_app: choice.inApp ? 1 : 0, email: choice.email };
    await trx
      .insertInto('notification_preferences')
      .values({ user_id: userId, type, ...values })
      .onConflict((oc) => oc.columns(['user_id', 'type']).doUpdateSet(values))
      .execute();
  }
}

/**
 * Stops one type of email for a person (the unsubscribe link); 'digest' stops the digest. Keeps their
 * in-app choice. Returns false when it was already stopped.
 */
export async function unsubscribe(db: Kysely<Database>, userId: number, type: NotificationType | 'digest', now: Millis = Date.now()): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    if (type === 'digest') {
      const current = await trx.selectFrom('notification_settings').select('digest_frequency').where('user_id', '=', userId).executeTakeFirst();
      if (current?.digest_frequency === 'never') return false;
      await trx
        .insertInto('notification_settings')
        .values({ user_id: userId, digest_frequency: 'never', quiet_start: null, quiet_end: null, quiet_weekends: null, updated_at: now })
        .onConflict((oc) => oc.column('user_id').doUpdateSet({ digest_frequency: 'never', updated_at: now }))
        .execute();
      return true;
    }
    const { choices } = await userChoices(trx, userId);
    const current = choices[type];
    if (!current || current.email === 'off') return false;
    await writeChoices(trx, userId, { [type]: { inApp: current.inApp, email: 'off' } });
    return true;
  });
}

/** The organisation row's columns for quiet hours (here and in the administration's organisation form). */
export function quietHoursColumns(hours: QuietHours): { quiet_start: number; quiet_end: number; quiet_weekends: number } {
  return { quiet_start: hours.start, quiet_end: hours.end, quiet_weekends: hours.weekends ? 1 : 0 };
}

export interface OrganisationNotificationSettings {
  choices: TypeChoices;
  digestFrequency: DigestFrequency;
  quietHours: QuietHours;
}

/** Saves the organisation's defaults and quiet hours, audited (before/after) in the same transaction. */
export async function saveOrganisationDefaults(
  db: Kysely<Database>,
  actorId: number,
  next: OrganisationNotificationSettings,
  now: Millis = Date.now(),
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const organisation = await trx.selectFrom('organisation').selectAll().where('id', '=', 1).executeTakeFirstOrThrow();
    const before = { ...organisationDelivery(organisation), choices: await organisationDefaults(trx) };
    // The types on the form: the core's and the enabled plugins' (a disabled plugin's defaults stay as they are).
    for (const [type, choice] of Object.entries(next.choices)) {
      const values = { in_app: choice.inApp ? 1 : 0, email: choice.email };
      await trx
        .insertInto('notification_defaults')
        .values({ type, ...values })
        .onConflict((oc) => oc.column('type').doUpdateSet(values))
        .execute();
    }
    await trx
      .updateTable('organisation')
      .set({
        digest_frequency: next.digestFrequency,
        ...quietHoursColumns(next.quietHours),
        updated_at: now,
      })
      .where('id', '=', 1)
      .execute();
    await recordAudit(
      trx,
      {
        actorId,
        action: 'notifications.defaults',
        subjectType: 'organisation',
        subjectId: 1,
        details: {
          before: { choices: before.choices, digestFrequency: before.digestFrequency, quietHours: before.quietHours },
          after: next,
        },
      },
      now,
    );
  });
}

/** How many people chose for themselves: what "apply to everyone" would overwrite. */
export async function ownChoiceCounts(db: Kysely<Database>): Promise<{ people: number; preferences: number; settings: number }> {
  const preferences = await db.selectFrom('notification_preferences').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const settings = await db.selectFrom('notification_settings').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const people = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where((eb) =>
      eb.or([
        eb.exists(eb.selectFrom('notification_preferences as p').select('p.user_id').whereRef('p.user_id', '=', 'users.id')),
        eb.exists(eb.selectFrom('notification_settings as s').select('s.user_id').whereRef('s.user_id', '=', 'users.id')),
      ]),
    )
    .executeTakeFirstOrThrow();
  return { people: Number(people.n), preferences: Number(preferences.n), settings: Number(settings.n) };
}

/**
 * Applies the organisation's defaults to everyone: every personal choice (per type, digest frequency,
 * own quiet hours) is removed. Audited with the counts before and after. Returns the counts before.
 */
export async function applyDefaultsToEveryone(db: Kysely<Database>, actorId: number, now: Millis = Date.now()) {
  return db.transaction().execute(async (trx) => {
    const before = await ownChoiceCounts(trx);
    await trx.deleteFrom('notification_preferences').execute();
    await trx.deleteFrom('notification_settings').execute();
    const after = await ownChoiceCounts(trx);
    await recordAudit(trx, { actorId, action: 'notifications.applyDefaults', subjectType: 'organisation', subjectId: 1, details: { before, after } }, now);
    return before;
  });
}
