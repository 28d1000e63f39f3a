// A plugin's settings: defaults from its schema, and the admin's form checked against it (every
// problem reported per field, in the admin's language; what was typed comes back with the form).
import type { FieldErrors } from '../http/form.js';
import type { Translate } from '../i18n/index.js';
import type { SettingField, SettingValues, SettingsSchema } from './contract.js';

const TEXT_MAX = 2000;
const DECIMAL = /^[+-]?(\d+([.,]\d*)?|[.,]\d+)$/;

/** The schema's defaults, overlaid with the stored values that still fit it (a setting may have changed type). */
export function settingsWithDefaults(schema: SettingsSchema | undefined, stored: Record<string, unknown>): SettingValues {
  const values: SettingValues = {};
  for (const [key, field] of Object.entries(schema ?? {})) {
    const value = stored[key];
    values[key] = fits(field, value) ? (value as SettingValues[string]) : field.default;
  }
  return values;
}

function fits(field: SettingField, value: unknown): boolean {
  switch (field.type) {
    case 'boolean':
      return typeof value === 'boolean';
    case 'text':
      return typeof value === 'string' && value.length <= Math.min(field.maxLength ?? TEXT_MAX, TEXT_MAX) && (!field.required || value !== '');
    case 'number':
      return (
        typeof value === 'number' &&
        Number.isFinite(value) &&
        (!field.integer || Number.isInteger(value)) &&
        (field.min === undefined || value >= field.min) &&
        (field.max === undefined || value <= field.max)
      );
    case 'choice':
      return typeof value === 'string' && field.options.some((option) => option.value === value);
  }
}

export type SettingsCheck =
  | { ok: true; values: SettingValues; typed: Record<string, string> }
  | { ok: false; errors: FieldErrors; typed: Record<string, string> };

/**
 * Reads the settings form (urlencoded: field names are the schema's keys; a checkbox absent means
 * false). Returns the values, or an error per field; `typed` is what the admin sent, to show again.
 *
 * @example
 * const check = checkSettings(plugin.settings, request.body, request.t);
 * if (check.ok) await app.plugins.saveSettings(id, admin.id, check.values);
 */
export function checkSettings(schema: SettingsSchema | undefined, body: unknown, t: Translate): SettingsCheck {
  const input = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const values: SettingValues = {};
  const errors: FieldErrors = {};
  const typed: Record<string, string> = {};
  for (const [key, field] of Object.entries(schema ?? {})) {
    const raw = input[key];
    if (Array.isArray(raw)) {
      errors[key] = t('validation.repeated');
      continue;
    }
    const text = typeof raw === 'string' ? raw.trim() : '';
    typed[key] = text;
    switch (field.type) {
      case 'boolean':
        values[key] = text === 'on' || text === '1' || text === 'true';
        break;
      case 'text': {
        const max = Math.min(field.maxLength ?? TEXT_MAX, TEXT_MAX);
        if (field.required && text === '') errors[key] = t('validation.required');
        else if (text.length > max) errors[key] = t('validation.tooLong', { max });
        else values[key] = text;
        break;
      }
      case 'number': {
        // Plain decimals only ("12", "-3", "2,5"): Number() would also read "0x10" or "1e3".
        const number = DECIMAL.test(text) ? Number(text.replace(',', '.')) : Number.NaN;
        if (text === '') errors[key] = t('validation.required');
        else if (!Number.isFinite(number) || (field.integer && !Number.isInteger(number))) errors[key] = t('pluginsAdmin.settings.notANumber');
        else if ((field.min !== undefined && number < field.min) || (field.max !== undefined && number > field.max)) {
          errors[key] = t('pluginsAdmin.settings.outOfRange', { min: field.min ?? '−∞', max: field.max ?? '∞' });
        } else values[key] = number;
        break;
      }
      case 'choice':
        if (!field.options.some((option) => option.value === text)) errors[key] = t('validation.choice');
        else values[key] = text;
        break;
    }
  }
  return Object.keys(errors).length > 0 ? { ok: false, errors, typed } : { ok: true, values, typed };
}
