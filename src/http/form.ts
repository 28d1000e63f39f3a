// Form input: read a urlencoded body against a TypeBox schema and report problems per field, in the
// user's language, keeping what they typed so the form can be shown again (status 422).
import { Type, type Static, type TObject, type TSchema, type StringOptions } from '@sinclair/typebox';
import { ValueErrorType } from '@sinclair/typebox/errors';
import { Value } from '@sinclair/typebox/value';
import { LOCALES, type Translate } from '../i18n/index.js';

/** Field name -> message already translated for the user. */
export type FieldErrors = Record<string, string>;

/**
 * `values` go back into the page when the form is shown again, so they never hold a secret field.
 * `secrets` holds the secret fields (passwords) that passed the schema, for checks that need them
 * even when another field is wrong (the password policy); they are never shown.
 */
export type FormResult<T> =
  | { ok: true; value: T; values: Record<string, string>; secrets: Record<string, string> }
  | { ok: false; errors: FieldErrors; values: Record<string, string>; secrets: Record<string, string> };

/** Schema option naming the locale key shown when a pattern or format does not match. */
const MESSAGE = 'x-message';

const EMAIL_PATTERN = "^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$";

/** Field types used by Hameau's forms; each carries the message for its own mistakes. */
export const Field = {
  text: (options: { min?: number; max: number }) =>
    Type.String({ minLength: options.min ?? 1, maxLength: options.max } satisfies StringOptions),
  email: () => Type.String({ minLength: 1, maxLength: 254, pattern: EMAIL_PATTERN, [MESSAGE]: 'validation.email' }),
  /** Length and strength are checked by the password policy, which knows the person. */
  password: () => Type.String({ minLength: 1, maxLength: 1024, [MESSAGE]: 'validation.passwordTooLong' }),
  locale: () => Type.Union(LOCALES.map((l) => Type.Literal(l)), { [MESSAGE]: 'validation.choice' }),
  choice: <T extends string>(values: readonly T[]) =>
    Type.Union(values.map((v) => Type.Literal(v)), { [MESSAGE]: 'validation.choice' }),
  optional: <S extends TSchema>(schema: S) => Type.Optional(schema),
};

/** Names of fields that are never sent back to the browser. */
const SECRET_FIELD = /password/i;

/**
 * Characters that show nothing: white space, and the zero-width ones trim() keeps (zero-width space,
 * non-joiner, joiner, word joiner; the byte order mark is white space already). A field holding only
 * these is empty: "\u200B" must not pass for a comment.
 */
const INVISIBLE = /^[\s\u200B-\u200D\u2060\uFEFF]*$/;

/**
 * Validates `body` against `schema`. Strings are trimmed (passwords excepted), a field of only white
 * space or zero-width characters counts as empty, empty optional fields are dropped, and unknown
 * fields are ignored. A field sent more than once is refused:
 * which copy counts must never be a guess (one copy could pass the checks, the other be used).
 *
 * @example
 * const form = parseForm(Type.Object({ email: Field.email() }), request.body, request.t);
 * if (!form.ok) return reply.render('auth/login', { values: form.values, errors: form.errors }, { status: 422 });
 */
export function parseForm<S extends TObject>(schema: S, body: unknown, t: Translate): FormResult<Static<S>> {
  const input = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const candidate: Record<string, string> = {};
  const values: Record<string, string> = {};
  const errors: FieldErrors = {};
  for (const name of Object.keys(schema.properties)) {
    const raw = Object.hasOwn(input, name) ? input[name] : undefined;
    if (Array.isArray(raw)) {
      errors[name] = t('validation.repeated');
      continue;
    }
    // Anything else that is not text (a JSON number or object) counts as missing.
    if (typeof raw !== 'string') continue;
    const secret = SECRET_FIELD.test(name);
    const trimmed = secret ? raw : raw.trim();
    if (!secret) values[name] = trimmed;
    const value = !secret && INVISIBLE.test(trimmed) ? '' : trimmed;
    const optional = !(schema.required ?? []).includes(name);
    if (value === '' && optional) continue;
    candidate[name] = value;
  }

  for (const error of Value.Errors(schema, candidate)) {
    const field = fieldOf(error.path, error.type === ValueErrorType.ObjectRequiredProperty ? error.path : undefined);
    if (!field || errors[field]) continue;
    errors[field] = message(error.type, error.schema, t);
  }
  const secrets: Record<string, string> = {};
  for (const [name, value] of Object.entries(candidate)) {
    if (SECRET_FIELD.test(name) && !errors[name]) secrets[name] = value;
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors, values, secrets };
  return { ok: true, value: candidate as Static<S>, values, secrets };
}

function fieldOf(path: string, fallback?: string): string | undefined {
  const name = path.split('/')[1] ?? fallback?.split('/')[1];
  return name || undefined;
}

function message(type: ValueErrorType, schema: TSchema, t: Translate): string {
  const options = schema as TSchema & { minLength?: number; maxLength?: number; [MESSAGE]?: string };
  switch (type) {
    case ValueErrorType.ObjectRequiredProperty:
      return t('validation.required');
    case ValueErrorType.StringMinLength:
      return options.minLength === 1 ? t('validation.required') : t('validation.tooShort', { min: options.minLength ?? 0 });
    case ValueErrorType.StringMaxLength:
      return t(options[MESSAGE] === 'validation.passwordTooLong' ? 'validation.passwordTooLong' : 'validation.tooLong', {
        max: options.maxLength ?? 0,
      });
    default:
      return t(options[MESSAGE] ?? 'validation.invalid');
  }
}

/** Adds one problem found after the schema check (a business rule), keeping the others. */
export function withError<T>(result: FormResult<T>, field: string, text: string): FormResult<T> {
  const errors = result.ok ? {} : { ...result.errors };
  errors[field] = text;
  return { ok: false, errors, values: result.values, secrets: result.secrets };
}
