// The checks every "choose a password" form makes (setup, invitation, reset, change), reported
// together with the form's other problems so that one round trip shows them all.
import { withError, type FormResult } from '../http/form.js';
import type { Translate } from '../i18n/index.js';
import { passwordProblem } from './password-policy.js';

/**
 * Adds the password policy's verdict and the confirmation check to a parsed form.
 * Reads the passwords from the raw body, since parseForm never keeps them in `values`.
 */
export function checkNewPassword<T>(
  form: FormResult<T>,
  body: unknown,
  t: Translate,
  person: { email?: string | undefined; name?: string | undefined },
): FormResult<T> {
  const fields = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const password = typeof fields.password === 'string' ? fields.password : '';
  const confirmation = typeof fields.passwordConfirmation === 'string' ? fields.passwordConfirmation : '';
  const errors = form.ok ? {} : form.errors;
  let result = form;
  if (!errors.password && password !== '') {
    const problem = passwordProblem(password, person);
    if (problem) result = withError(result, 'password', t(problem));
  }
  if (!errors.passwordConfirmation && password !== '' && confirmation !== '' && password !== confirmation) {
    result = withError(result, 'passwordConfirmation', t('validation.passwordMismatch'));
  }
  return result;
}
