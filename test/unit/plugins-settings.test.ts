// A plugin's settings form, checked against its schema (src/plugins/settings.ts): checkboxes,
// numbers with bounds, choices, text with a length limit, repeated fields; what was typed comes back;
// stored values that no longer fit the schema give way to its defaults.
import { describe, expect, it } from 'vitest';
import type { SettingsSchema } from '../../src/plugins/contract.js';
import { checkSettings, settingsWithDefaults } from '../../src/plugins/settings.js';

/** A translator that shows which message was chosen, with its parameters. */
const t = (key: string, params?: Record<string, string | number>) => (params ? `${key} ${JSON.stringify(params)}` : key);

const label = { fr: 'Champ', en: 'Field' };
const schema: SettingsSchema = {
  public: { type: 'boolean', label, default: true },
  title: { type: 'text', label, default: 'Links', maxLength: 10, required: true },
  footer: { type: 'text', label, default: '' },
  perPage: { type: 'number', label, default: 5, min: 1, max: 20, integer: true },
  ratio: { type: 'number', label, default: 0.5, min: 0, max: 1 },
  order: { type: 'choice', label, default: 'new', options: [{ value: 'new', label }, { value: 'old', label }] },
};

const valid = { public: 'on', title: 'Useful', footer: '', perPage: '10', ratio: '0.25', order: 'old' };

describe('checkSettings', () => {
  it('reads a complete form into typed values', () => {
    expect(checkSettings(schema, valid, t)).toEqual({
      ok: true,
      values: { public: true, title: 'Useful', footer: '', perPage: 10, ratio: 0.25, order: 'old' },
      typed: { public: 'on', title: 'Useful', footer: '', perPage: '10', ratio: '0.25', order: 'old' },
    });
  });

  it('reads an absent checkbox as false, and only "on", "1" or "true" as true', () => {
    const { public: _omitted, ...withoutCheckbox } = valid;
    const values = (body: Record<string, unknown>) => {
      const result = checkSettings(schema, body, t);
      return result.ok ? result.values.public : 'error';
    };
    expect(values(withoutCheckbox)).toBe(false);
    for (const on of ['on', '1', 'true']) expect(values({ ...valid, public: on }), on).toBe(true);
    for (const off of ['', 'off', 'no', '0', 'yes']) expect(values({ ...valid, public: off }), off).toBe(false);
  });

  it('checks numbers: required, a number, an integer when asked, within min and max; a decimal comma is read', () => {
    const error = (perPage: string, ratio = '0.5') => {
      const result = checkSettings(schema, { ...valid, perPage, ratio }, t);
      return result.ok ? null : result.errors;
    };
    expect(error('')).toEqual({ perPage: 'validation.required' });
    expect(error('   ')).toEqual({ perPage: 'validation.required' });
    expect(error('ten')).toEqual({ perPage: 'pluginsAdmin.settings.notANumber' });
    expect(error('2.5')).toEqual({ perPage: 'pluginsAdmin.settings.notANumber' });
    expect(error('0')).toEqual({ perPage: 'pluginsAdmin.settings.outOfRange {"min":1,"max":20}' });
    expect(error('21')).toEqual({ perPage: 'pluginsAdmin.settings.outOfRange {"min":1,"max":20}' });
    expect(error('Infinity')).toEqual({ perPage: 'pluginsAdmin.settings.notANumber' });
    expect(error('1', '1.5')).toEqual({ ratio: 'pluginsAdmin.settings.outOfRange {"min":0,"max":1}' });
    expect(error(' 20 ')).toBeNull();
    const comma = checkSettings(schema, { ...valid, ratio: '0,75' }, t);
    expect(comma.ok && comma.values.ratio).toBe(0.75);
  });

  it('accepts only plain decimal numbers, not hexadecimal or binary notations', () => {
    for (const odd of ['0x10', '0b101', '0o7']) {
      const result = checkSettings(schema, { ...valid, perPage: odd }, t);
      expect(result.ok, odd).toBe(false);
    }
  });

  it('checks text: trimmed, required when asked, at most maxLength characters; markup stays text', () => {
    const error = (title: string) => {
      const result = checkSettings(schema, { ...valid, title }, t);
      return result.ok ? result.values.title : result.errors;
    };
    expect(error('')).toEqual({ title: 'validation.required' });
    expect(error('   ')).toEqual({ title: 'validation.required' });
    expect(error('  Padded  ')).toBe('Padded');
    expect(error('0123456789')).toBe('0123456789');
    expect(error('01234567890')).toEqual({ title: 'validation.tooLong {"max":10}' });
    expect(error('<script>')).toBe('<script>');
    expect(error('Café 😀')).toBe('Café 😀');
    // Without maxLength, a text is still bounded.
    const long = checkSettings(schema, { ...valid, footer: 'x'.repeat(2001) }, t);
    expect(long.ok ? null : long.errors).toEqual({ footer: 'validation.tooLong {"max":2000}' });
  });

  it('accepts only the listed choices', () => {
    for (const order of ['', 'newest', 'NEW', '<b>']) {
      const result = checkSettings(schema, { ...valid, order }, t);
      expect(result.ok ? null : result.errors, order).toEqual({ order: 'validation.choice' });
    }
  });

  it('refuses a repeated field, and still gives back everything else that was typed', () => {
    const result = checkSettings(schema, { ...valid, title: ['One', 'Two'], perPage: 'abc' }, t);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual({ title: 'validation.repeated', perPage: 'pluginsAdmin.settings.notANumber' });
    expect(result.typed).toMatchObject({ perPage: 'abc', ratio: '0.25', order: 'old', footer: '' });
  });

  it('ignores fields the schema does not have, and an empty or missing body', () => {
    const result = checkSettings(schema, { ...valid, admin: 'yes', __proto__: 'x' }, t);
    expect(result.ok && Object.keys(result.values).sort()).toEqual(['footer', 'order', 'perPage', 'public', 'ratio', 'title']);
    expect(checkSettings(undefined, valid, t)).toEqual({ ok: true, values: {}, typed: {} });
    const missing = checkSettings(schema, null, t);
    expect(missing.ok ? null : Object.keys(missing.errors).sort()).toEqual(['order', 'perPage', 'ratio', 'title']);
  });
});

describe('settingsWithDefaults', () => {
  it('fills in the defaults of a plugin with nothing saved', () => {
    expect(settingsWithDefaults(schema, {})).toEqual({ public: true, title: 'Links', footer: '', perPage: 5, ratio: 0.5, order: 'new' });
    expect(settingsWithDefaults(undefined, { anything: 1 })).toEqual({});
  });

  it('keeps the saved values that fit, and gives way to the default for those that no longer do', () => {
    const stored = { public: false, title: 'Saved', perPage: 'seven', ratio: Number.NaN, order: 'removed-option', gone: 'old key' };
    expect(settingsWithDefaults(schema, stored)).toEqual({ public: false, title: 'Saved', footer: '', perPage: 5, ratio: 0.5, order: 'new' });
  });

  it('does not keep a saved number outside the bounds the schema now sets', () => {
    expect(settingsWithDefaults(schema, { perPage: 50 }).perPage).toBe(5);
    expect(settingsWithDefaults(schema, { perPage: 2.5 }).perPage).toBe(5);
  });
});
