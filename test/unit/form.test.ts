// parseForm: what a form handler gets from a urlencoded body. A field sent twice is refused (one copy
// could pass the checks while the other is used), and secret fields never go back into the page.
import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { checkNewPassword } from '../../src/auth/new-password.js';
import { Field, parseForm, withError } from '../../src/http/form.js';
import { translator } from '../../src/i18n/index.js';

const t = translator('en');
const PASSWORD = 'a long enough pass phrase';

const SignUp = Type.Object({
  name: Field.text({ max: 20 }),
  email: Field.email(),
  nickname: Field.optional(Field.text({ max: 20 })),
  password: Field.password(),
  passwordConfirmation: Field.password(),
});

describe('parseForm', () => {
  it('accepts a well-formed body: trimmed values, passwords kept apart and untrimmed', () => {
    const form = parseForm(SignUp, { name: '  Chloé ', email: 'chloe@example.com', password: ` ${PASSWORD} `, passwordConfirmation: ` ${PASSWORD} ` }, t);
    expect(form.ok).toBe(true);
    if (!form.ok) return;
    expect(form.value).toEqual({ name: 'Chloé', email: 'chloe@example.com', password: ` ${PASSWORD} `, passwordConfirmation: ` ${PASSWORD} ` });
    expect(form.values).toEqual({ name: 'Chloé', email: 'chloe@example.com' });
    expect(form.secrets).toEqual({ password: ` ${PASSWORD} `, passwordConfirmation: ` ${PASSWORD} ` });
  });

  it('refuses a field sent more than once, with a message on that field', () => {
    const form = parseForm(SignUp, { name: ['Chloé', 'Mallory'], email: 'chloe@example.com', password: PASSWORD, passwordConfirmation: PASSWORD }, t);
    expect(form.ok).toBe(false);
    if (form.ok) return;
    expect(form.errors).toEqual({ name: 'This field was sent more than once. Fill it in again.' });
    // Neither copy is taken: the page shows the field empty rather than guess.
    expect(form.values).toEqual({ email: 'chloe@example.com' });
  });

  it('refuses a repeated password, and gives neither copy to the caller', () => {
    const form = parseForm(SignUp, { name: 'Chloé', email: 'chloe@example.com', password: ['a', 'x'], passwordConfirmation: 'zzz' }, t);
    expect(form.ok).toBe(false);
    if (form.ok) return;
    expect(form.errors.password).toBe('This field was sent more than once. Fill it in again.');
    expect(form.secrets).toEqual({ passwordConfirmation: 'zzz' });
    expect(JSON.stringify(form.values)).not.toMatch(/"a"|"x"|zzz/);
  });

  it('refuses a repeated optional field too', () => {
    const form = parseForm(SignUp, { name: 'Chloé', email: 'chloe@example.com', nickname: ['', ''], password: PASSWORD, passwordConfirmation: PASSWORD }, t);
    expect(form.ok).toBe(false);
    if (!form.ok) expect(Object.keys(form.errors)).toEqual(['nickname']);
  });

  it('says in the user’s language what is wrong', () => {
    const form = parseForm(SignUp, { name: ['a', 'b'], email: 'chloe@example.com', password: PASSWORD, passwordConfirmation: PASSWORD }, translator('fr'));
    expect(form.ok ? null : form.errors.name).toBe('Ce champ a été envoyé plusieurs fois. Remplissez-le de nouveau.');
  });

  it('takes a value that is not text (a JSON object or number) as missing', () => {
    const form = parseForm(SignUp, { name: { first: 'Chloé' }, email: 42, password: PASSWORD, passwordConfirmation: PASSWORD }, t);
    expect(form.ok ? null : form.errors).toEqual({ name: 'This field is required.', email: 'This field is required.' });
    // A JSON array is a repeated field.
    const list = parseForm(SignUp, { name: ['Chloé'], email: 'chloe@example.com', password: PASSWORD, passwordConfirmation: PASSWORD }, t);
    expect(list.ok ? null : list.errors).toEqual({ name: 'This field was sent more than once. Fill it in again.' });
  });

  it('reports missing and malformed fields, drops empty optional ones, ignores unknown ones', () => {
    const form = parseForm(SignUp, { email: 'nope', nickname: '  ', extra: ['x', 'y'], password: PASSWORD }, t);
    expect(form.ok).toBe(false);
    if (form.ok) return;
    expect(form.errors).toEqual({
      name: 'This field is required.',
      email: 'Enter an email address like name@example.com.',
      passwordConfirmation: 'This field is required.',
    });
    expect(form.values).toEqual({ email: 'nope', nickname: '' });
    expect(form.secrets).toEqual({ password: PASSWORD });
  });

  it('keeps a secret that failed its own check out of `secrets`', () => {
    const form = parseForm(SignUp, { name: 'Chloé', email: 'chloe@example.com', password: 'x'.repeat(1025), passwordConfirmation: '' }, t);
    expect(form.ok).toBe(false);
    if (form.ok) return;
    expect(form.errors.password).toBe('The password must have no more than 256 characters.');
    expect(form.secrets).toEqual({});
  });

  it('reads nothing from a body that is not an object', () => {
    for (const body of [undefined, null, 'name=Chloé', 42]) {
      const form = parseForm(SignUp, body, t);
      expect(form.ok).toBe(false);
      expect(form.values).toEqual({});
      expect(form.secrets).toEqual({});
    }
  });

  it('keeps secrets through withError', () => {
    const form = withError(parseForm(SignUp, { name: 'Chloé', email: 'chloe@example.com', password: PASSWORD, passwordConfirmation: PASSWORD }, t), 'email', 'taken');
    expect(form).toMatchObject({ ok: false, errors: { email: 'taken' }, secrets: { password: PASSWORD } });
  });
});

describe('parseForm and invisible text', () => {
  const Comment = Type.Object({ body: Field.text({ max: 50 }), note: Field.optional(Field.text({ max: 50 })) });

  it.each([
    ['zero-width space', '\u200B'],
    ['zero-width non-joiner and joiner', '\u200C\u200D'],
    ['word joiner', '\u2060'],
    ['byte order mark', '\uFEFF'],
    ['a mix with white space', ' \u200B\n\u200D\t\uFEFF '],
  ])('counts a required field of only %s as empty', (_name, value) => {
    const form = parseForm(Comment, { body: value }, t);
    expect(form.ok).toBe(false);
    if (form.ok) return;
    expect(form.errors).toEqual({ body: 'This field is required.' });
  });

  it('drops an optional field of only invisible characters, and keeps text around them as typed', () => {
    const form = parseForm(Comment, { body: '\u200BHello\u200D', note: '\u200B\u200B' }, t);
    expect(form.ok).toBe(true);
    if (!form.ok) return;
    expect(form.value).toEqual({ body: '\u200BHello\u200D' });
  });

  it('leaves passwords alone: any character may be part of one', () => {
    const Login = Type.Object({ password: Field.password() });
    const form = parseForm(Login, { password: '\u200B' }, t);
    expect(form.ok).toBe(true);
  });
});

describe('checkNewPassword', () => {
  const parse = (body: Record<string, unknown>) => parseForm(SignUp, { name: 'Chloé', email: 'chloe@example.com', ...body }, t);

  it('applies the password policy and the confirmation check to what parseForm accepted', () => {
    expect(checkNewPassword(parse({ password: PASSWORD, passwordConfirmation: PASSWORD }), t, {}).ok).toBe(true);
    const short = checkNewPassword(parse({ password: 'short', passwordConfirmation: 'short' }), t, {});
    expect(short.ok ? null : short.errors.password).toContain('at least 12 characters');
    const mismatch = checkNewPassword(parse({ password: PASSWORD, passwordConfirmation: `${PASSWORD}!` }), t, {});
    expect(mismatch.ok ? null : mismatch.errors).toEqual({ passwordConfirmation: 'The two passwords are not the same.' });
  });

  it('never passes a form whose password was sent twice, whatever the copies', () => {
    for (const password of [['a', 'x'], [PASSWORD, PASSWORD], ['a', PASSWORD]]) {
      const form = checkNewPassword(parse({ password, passwordConfirmation: PASSWORD }), t, {});
      expect(form.ok, JSON.stringify(password)).toBe(false);
      if (!form.ok) expect(form.errors.password).toBe('This field was sent more than once. Fill it in again.');
    }
  });

  it('keeps the other fields’ problems when it adds its own', () => {
    const form = checkNewPassword(parse({ email: 'nope', password: 'short', passwordConfirmation: 'other' }), t, {});
    expect(form.ok ? null : Object.keys(form.errors).sort()).toEqual(['email', 'password', 'passwordConfirmation']);
  });
});
