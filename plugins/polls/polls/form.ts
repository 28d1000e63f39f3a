// Reading the poll forms: every field checked, every problem a clear message in the viewer's
// language, and what was typed always kept (values) so the form comes back as it was.
import { zonedDateTimeToUtc } from '../../../src/features/news/zoned-time.js';
import type { FieldErrors } from '../../../src/http/form.js';
import type { Translate } from '../../../src/i18n/index.js';
import {
  DESCRIPTION_MAX,
  MODES,
  OPTION_MAX,
  OPTIONS_MAX,
  OPTIONS_MIN,
  POLL_TYPES,
  PURPOSE_OTHER_MAX,
  PURPOSES,
  QUESTION_MAX,
  RESULTS,
  type Mode,
  type PollType,
  type Purpose,
  type ResultsRule,
} from './kind.js';
import type { PollInput } from './service.js';

export const FORM_FIELDS = ['question', 'description', 'type', 'minChoices', 'maxChoices', 'scale', 'options', 'mode', 'results', 'closesAt', 'shuffle', 'purpose', 'purposeOther'] as const;

const DATE_OPTION = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}))?$/;

/** The form's values as typed (trimmed), one string per field; a repeated field counts as its first copy, marked as an error. */
export function readValues(body: unknown, fields: readonly string[]): { values: Record<string, string>; repeated: string[] } {
  const input = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const values: Record<string, string> = {};
  const repeated: string[] = [];
  for (const name of fields) {
    const raw = input[name];
    if (Array.isArray(raw)) {
      repeated.push(name);
      values[name] = String(raw[0] ?? '').trim();
    } else if (typeof raw === 'string') values[name] = raw.trim();
  }
  return { values, repeated };
}

const oneOf = <T extends string>(list: readonly T[], value: string | undefined): value is T => value !== undefined && (list as readonly string[]).includes(value);

/** Options typed one per line: blank lines dropped. */
export function optionLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

function isIntegerText(value: string | undefined): boolean {
  return value !== undefined && /^\d{1,2}$/.test(value);
}

/** A date option ("2026-12-03" or "2026-12-03 18:30") that exists. */
export function isDateOption(label: string): boolean {
  const match = DATE_OPTION.exec(label);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return false;
  return match[4] === undefined || (Number(match[4]) <= 23 && Number(match[5]) <= 59);
}

export type ReadPoll = { ok: true; input: PollInput; values: Record<string, string> } | { ok: false; errors: FieldErrors; values: Record<string, string> };

/** Reads the new poll form. `now` and the organisation's time zone decide whether the closing date is in the future. */
export function readPollForm(body: unknown, t: Translate, now: number, timeZone: string): ReadPoll {
  const { values, repeated } = readValues(body, FORM_FIELDS);
  const errors: FieldErrors = {};
  const e = (field: string, key: string, params?: Record<string, string | number>) => {
    errors[field] ??= t(`plugins.polls.poll.errors.${key}`, params);
  };
  for (const name of repeated) errors[name] = t('validation.repeated');

  const question = values.question ?? '';
  if (question === '') e('question', 'questionRequired');
  else if (question.length > QUESTION_MAX) e('question', 'questionTooLong', { max: QUESTION_MAX });
  const description = values.description ?? '';
  if (description.length > DESCRIPTION_MAX) e('description', 'descriptionTooLong', { max: DESCRIPTION_MAX });

  const type = values.type;
  if (!oneOf(POLL_TYPES, type)) e('type', 'typeRequired');
  const mode = values.mode;
  if (!oneOf(MODES, mode)) e('mode', 'modeRequired');
  const results = values.results;
  if (!oneOf(RESULTS, results)) e('results', 'resultsRequired');
  const purpose = values.purpose;
  if (!oneOf(PURPOSES, purpose)) e('purpose', 'purposeRequired');
  const purposeOther = values.purposeOther ?? '';
  if (purpose === 'other' && purposeOther === '') e('purposeOther', 'purposeOtherRequired');
  else if (purposeOther.length > PURPOSE_OTHER_MAX) e('purposeOther', 'purposeOtherTooLong', { max: PURPOSE_OTHER_MAX });

  // Options: none for a rating scale; 2 to 20, each at most 200 characters, no duplicates (case and spaces ignored).
  const options = type === 'rating' ? [] : optionLines(values.options ?? '');
  if (type !== undefined && type !== 'rating' && oneOf(POLL_TYPES, type)) {
    const folded = options.map((o) => o.toLocaleLowerCase().replace(/\s+/g, ' '));
    const tooLong = options.find((o) => o.length > OPTION_MAX);
    if (options.length < OPTIONS_MIN) e('options', 'optionsTooFew', { min: OPTIONS_MIN });
    else if (options.length > OPTIONS_MAX) e('options', 'optionsTooMany', { max: OPTIONS_MAX });
    else if (tooLong !== undefined) e('options', 'optionTooLong', { max: OPTION_MAX, option: tooLong.slice(0, 40) });
    else if (new Set(folded).size !== folded.length) e('options', 'optionsDuplicate', { option: options[folded.findIndex((f, i) => folded.indexOf(f) !== i)] ?? '' });
    else if (type === 'dates') {
      const bad = options.find((o) => !isDateOption(o));
      if (bad !== undefined) e('options', 'optionNotDate', { option: bad.slice(0, 40) });
    }
  }

  // Multiple choice: 1 ≤ min ≤ max ≤ number of options.
  let minChoices = 1;
  let maxChoices = 1;
  if (type === 'multiple') {
    const minText = values.minChoices === undefined || values.minChoices === '' ? '1' : values.minChoices;
    const maxText = values.maxChoices === undefined || values.maxChoices === '' ? String(Math.max(options.length, 1)) : values.maxChoices;
    if (!isIntegerText(minText) || Number(minText) < 1) e('minChoices', 'minChoicesInvalid');
    if (!isIntegerText(maxText) || Number(maxText) < 1) e('maxChoices', 'maxChoicesInvalid');
    minChoices = Number(minText);
    maxChoices = Number(maxText);
    if (!errors.minChoices && !errors.maxChoices) {
      if (minChoices > maxChoices) e('maxChoices', 'maxBelowMin');
      else if (options.length >= OPTIONS_MIN && maxChoices > options.length) e('maxChoices', 'maxAboveOptions', { count: options.length });
    }
  }
  let scaleMin = 1;
  let scaleMax = 5;
  if (type === 'rating') {
    if (values.scale === '10') [scaleMin, scaleMax] = [0, 10];
    else if (values.scale !== '5') e('scale', 'scaleRequired');
  }

  const closesAt = readClosesAt(values.closesAt, now, timeZone, e);
  if (Object.keys(errors).length > 0) return { ok: false, errors, values };
  return {
    ok: true,
    values,
    input: {
      question,
      description,
      type: type as PollType,
      minChoices,
      maxChoices,
      scaleMin,
      scaleMax,
      mode: mode as Mode,
      results: results as ResultsRule,
      closesAt,
      shuffle: values.shuffle === 'on' || values.shuffle === '1',
      purpose: purpose as Purpose,
      purposeOther: purpose === 'other' ? purposeOther : '',
      options,
    },
  };
}

/** The closing date typed (organisation's time zone), in the future; empty: none. */
export function readClosesAt(value: string | undefined, now: number, timeZone: string, e: (field: string, key: string) => void): number | null {
  if (value === undefined || value === '') return null;
  const at = zonedDateTimeToUtc(value, timeZone);
  if (at === null) {
    e('closesAt', 'closesAtInvalid');
    return null;
  }
  if (at <= now) e('closesAt', 'closesAtPast');
  return at;
}
