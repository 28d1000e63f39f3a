// The organisation's profile an admin sets in the administration: name, logo, brand colour, default
// language, time zone and quiet hours. Written with ONE audit entry (before/after of what changed)
// in the same transaction.
import type { Kysely } from 'kysely';
import { changedFields, recordAudit } from '../../audit/audit-log.js';
import type { Database, Locale, Millis, Organisation } from '../../db/schema.js';
import { organisationDelivery, quietHoursColumns } from '../email-notifications/preferences.js';
import { formatTimeOfDay, type QuietHours } from '../email-notifications/quiet-hours.js';

export interface OrganisationProfile {
  name: string;
  defaultLocale: Locale;
  timeZone: string;
  /** "#rrggbb", already checked for contrast; null: Hameau's own colours. */
  brandColour: string | null;
  /** The stored logo's file name under DATA_DIR/brand; null: no logo. */
  logoFile: string | null;
  quietHours: QuietHours;
  /** The privacy core's minimum group size k (3..10): see src/privacy. */
  privacyMinGroup: number;
}

/** The profile as the organisation row holds it. */
export function profileOf(row: Organisation): OrganisationProfile {
  return {
    name: row.name,
    defaultLocale: row.default_locale,
    timeZone: row.time_zone,
    brandColour: row.brand_colour,
    logoFile: row.logo_file,
    quietHours: organisationDelivery(row).quietHours,
    privacyMinGroup: row.privacy_min_group,
  };
}

/** The values compared and written to the audit log: quiet hours as they are typed ("20:00"). */
function auditedValues(profile: OrganisationProfile): Record<string, string | number | boolean | null> {
  return {
    name: profile.name,
    defaultLocale: profile.defaultLocale,
    timeZone: profile.timeZone,
    brandColour: profile.brandColour,
    logo: profile.logoFile,
    quietStart: formatTimeOfDay(profile.quietHours.start),
    quietEnd: formatTimeOfDay(profile.quietHours.end),
    quietWeekends: profile.quietHours.weekends,
    privacyMinGroup: profile.privacyMinGroup,
  };
}

export interface SaveOutcome {
  /** The names of what changed (the audit entry's keys); empty when nothing did. */
  changed: string[];
  /** The logo file no longer used (replaced or removed), for the caller to delete after the commit. */
  formerLogo: string | null;
}

/**
 * Saves the organisation's profile. Only what changed is written, with one `organisation.change`
 * audit entry holding `{ field: { before, after } }`. The caller then forgets the cached row
 * (`app.organisation.forget()`) and deletes `formerLogo`.
 *
 * @example
 * const { changed } = await saveOrganisation(app.db, admin.id, { ...profile, brandColour: '#0b5d1e' });
 */
export async function saveOrganisation(db: Kysely<Database>, actorId: number, next: OrganisationProfile, now: Millis = Date.now()): Promise<SaveOutcome> {
  return db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('organisation').selectAll().where('id', '=', 1).executeTakeFirstOrThrow();
    const before = auditedValues(profileOf(row));
    const after = auditedValues(next);
    const details = changedFields(before, after, Object.keys(after));
    const changed = Object.keys(details);
    if (changed.length === 0) return { changed, formerLogo: null };
    await trx
      .updateTable('organisation')
      .set({
        name: next.name,
        default_locale: next.defaultLocale,
        time_zone: next.timeZone,
        brand_colour: next.brandColour,
        logo_file: next.logoFile,
        ...quietHoursColumns(next.quietHours),
        privacy_min_group: next.privacyMinGroup,
        updated_at: now,
      })
      .where('id', '=', 1)
      .execute();
    await recordAudit(
      trx,
      {
        actorId,
        action: 'organisation.change',
        subjectType: 'organisation',
        subjectId: 1,
        details,
      },
      now,
    );
    return { changed, formerLogo: row.logo_file !== next.logoFile ? row.logo_file : null };
  });
}
