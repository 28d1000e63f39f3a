// The preference forms (a person's and the organisation's): the table of choices per type and
// channel, the digest frequency and quiet hours, read from the posted fields and written back.
import { Type, type TObject, type TSchema } from '@sinclair/typebox';
import type { DigestFrequency, EmailChoice } from '../../db/schema.js';
import { Field, parseForm, type FieldErrors } from '../../http/form.js';
import type { Translate } from '../../i18n/index.js';
import { DIGEST_FREQUENCIES, EMAIL_CHOICES, type TypeChoices } from './preferences.js';
import { formatTimeOfDay, parseTimeOfDay, type QuietHours } from './quiet-hours.js';

/** A time typed as HH:MM: checked by parseTimeOfDay, which gives the message. */
const timeField = () => Field.optional(Type.String({ maxLength: 100 }));

/** The fields of the choice table, for the types it shows (the core's and the enabled plugins'). */
function choiceFields(types: readonly string[]): Record<string, TSchema> {
  const fields: Record<string, TSchema> = {};
  for (const type of types) {
    fields[`inApp-${type}`] = Field.optional(Field.choice(['1'] as const));
    fields[`email-${type}`] = Field.choice(EMAIL_CHOICES);
  }
  return fields;
}

/** The quiet hours' fields (views/email-notifications/quiet-fields.eta), in every form that sets them. */
export const quietFields = { quietStart: timeField(), quietEnd: timeField(), quietWeekends: Field.optional(Field.choice(['1'] as const)) };

function personalForm(types: readonly string[]): TObject {
  return Type.Object({
    ...choiceFields(types),
    digestFrequency: Field.choice(['organisation', ...DIGEST_FREQUENCIES] as const),
    quietHours: Field.choice(['organisation', 'own'] as const),
    ...quietFields,
  });
}

function organisationForm(types: readonly string[]): TObject {
  return Type.Object({
    ...choiceFields(types),
    digestFrequency: Field.choice(DIGEST_FREQUENCIES),
    ...quietFields,
  });
}

/** The form's fields from stored choices (to show the form), for the types it shows. */
export function choiceValues(choices: TypeChoices, types: readonly string[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (const type of types) {
    const choice = choices[type];
    if (!choice) continue;
    if (choice.inApp) values[`inApp-${type}`] = '1';
    values[`email-${type}`] = choice.email;
  }
  return values;
}

export function quietValues(hours: QuietHours): Record<string, string> {
  return { quietStart: formatTimeOfDay(hours.start), quietEnd: formatTimeOfDay(hours.end), ...(hours.weekends ? { quietWeekends: '1' } : {}) };
}

function choicesOf(value: Record<string, string | undefined>, types: readonly string[]): TypeChoices {
  return Object.fromEntries(types.map((type) => [type, { inApp: value[`inApp-${type}`] === '1', email: value[`email-${type}`] as EmailChoice }]));
}

/**
 * The quiet hours typed in `quietFields` (both times required), or null with the problems added to
 * `errors`. Used by the notification forms and the administration's organisation form.
 */
export function quietHoursOf(value: Record<string, string | undefined>, errors: FieldErrors, t: Translate): QuietHours | null {
  const read = (name: 'quietStart' | 'quietEnd') => {
    // Already refused by the schema (too long): that message stays.
    if (errors[name]) return null;
    const raw = value[name];
    if (raw === undefined || raw === '') {
      errors[name] = t('emailNotifications.errors.timeRequired');
      return null;
    }
    const minutes = parseTimeOfDay(raw);
    if (minutes === null) errors[name] = t('emailNotifications.errors.time');
    return minutes;
  };
  const start = read('quietStart');
  const end = read('quietEnd');
  return start === null || end === null ? null : { start, end, weekends: value.quietWeekends === '1' };
}

export type ParsedForm<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors; values: Record<string, string> };

/** A person's form: own quiet hours are read only when they chose them. */
export function parsePersonalForm(
  body: unknown,
  t: Translate,
  types: readonly string[],
): ParsedForm<{ choices: TypeChoices; digestFrequency: DigestFrequency | null; quietHours: QuietHours | null }> {
  const form = parseForm(personalForm(types), body, t);
  const errors: FieldErrors = form.ok ? {} : { ...form.errors };
  const value = form.values;
  let quietHours: QuietHours | null = null;
  if (value.quietHours === 'own') quietHours = quietHoursOf(value, errors, t);
  if (!form.ok || Object.keys(errors).length > 0) return { ok: false, errors, values: form.values };
  return {
    ok: true,
    value: {
      choices: choicesOf(value, types),
      digestFrequency: value.digestFrequency === 'organisation' ? null : (value.digestFrequency as DigestFrequency),
      quietHours,
    },
  };
}

/** The organisation's form: quiet hours are required. */
export function parseOrganisationForm(
  body: unknown,
  t: Translate,
  types: readonly string[],
): ParsedForm<{ choices: TypeChoices; digestFrequency: DigestFrequency; quietHours: QuietHours }> {
  const form = parseForm(organisationForm(types), body, t);
  const errors: FieldErrors = form.ok ? {} : { ...form.errors };
  const quietHours = quietHoursOf(form.values, errors, t);
  if (!form.ok || !quietHours || Object.keys(errors).length > 0) return { ok: false, errors, values: form.values };
  return { ok: true, value: { choices: choicesOf(form.values, types), digestFrequency: form.values.digestFrequency as DigestFrequency, quietHours } };
}
