// The extra profile fields an admin defines (text, choice, date, link): what a value must look like.
// Pure functions; the service reads and writes the rows.
import type { ProfileFieldType } from '../../db/schema.js';

export const FIELD_TYPES: readonly ProfileFieldType[] = ['text', 'choice', 'date', 'link'];
export const MAX_FIELD_LABEL = 60;
export const MAX_FIELD_OPTIONS = 30;
export const MAX_OPTION_LENGTH = 60;
export const MAX_TEXT_VALUE = 200;
export const MAX_LINK_VALUE = 500;
/** Fields an admin may define. */
export const MAX_FIELDS = 30;

export interface FieldDefinition {
  id: number;
  label: string;
  type: ProfileFieldType;
  options: string[];
  in_directory: number;
  position: number;
}

export type FieldProblem = 'tooLong' | 'choice' | 'date' | 'link';

export type FieldCheck = { ok: true; value: string } | { ok: false; problem: FieldProblem };

/**
 * Checks one value typed for a field (already trimmed; empty means "no value", handled by the caller).
 * Dates are YYYY-MM-DD and must exist; links are absolute http or https URLs (never javascript: or
 * data:, which a link would run); choices must be one of the field's options.
 *
 * @example
 * checkFieldValue({ type: 'link', options: [] }, 'javascript:alert(1)') // { ok: false, problem: 'link' }
 */
export function checkFieldValue(field: Pick<FieldDefinition, 'type' | 'options'>, value: string): FieldCheck {
  switch (field.type) {
    case 'text':
      return [...value].length > MAX_TEXT_VALUE ? { ok: false, problem: 'tooLong' } : { ok: true, value };
    case 'choice':
      return field.options.includes(value) ? { ok: true, value } : { ok: false, problem: 'choice' };
    case 'date':
      return isDate(value) ? { ok: true, value } : { ok: false, problem: 'date' };
    case 'link': {
      if (value.length > MAX_LINK_VALUE) return { ok: false, problem: 'tooLong' };
      const url = safeLink(value);
      return url ? { ok: true, value: url } : { ok: false, problem: 'link' };
    }
  }
}

/** A real calendar date written YYYY-MM-DD (2025-02-30 is not one). */
export function isDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** The URL normalised when it is an absolute http(s) URL with a host, otherwise null. */
export function safeLink(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') return null;
  return url.href;
}

/**
 * The options of a choice field as typed by the admin: one per line, trimmed, empty lines and
 * duplicates dropped. Null when there are too many or one is too long.
 */
export function parseOptions(text: string): string[] | null {
  const options: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const option = line.trim();
    if (option === '' || options.includes(option)) continue;
    if ([...option].length > MAX_OPTION_LENGTH) return null;
    options.push(option);
  }
  return options.length > MAX_FIELD_OPTIONS ? null : options;
}

/** A stored options column read back; anything unexpected is no options. */
export function readOptions(json: string): string[] {
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}
