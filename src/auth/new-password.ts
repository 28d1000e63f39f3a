// The checks every "choose a password" form makes (setup, invitation, reset, change), reported
// together with the form's other problems so that one round trip shows them all.
import { withError, type FormResult } from '../http/form.js';
import type { Translate } from '../i18n/index.js';
import { passwordProblem, type PasswordContext } from './password-policy.js';

/**
 * Adds the password policy's verdict and the confirmation check to a parsed form. Works only on
 * what parseForm accepted (its `secrets`): a password field it refused, for instance one sent
 * twice, is already an error and is never checked or used.
 *
 * @example
 * const form = checkNewPassword(parseForm(ResetForm, request.body, request.t), request.t, owner);
 */
export function checkNewPassword<T>(
  form: FormResult<T>,
  t: Translate,
  person: PasswordContext,
): FormResult<T> {
  const password = form.secrets.password ?? '';
  const confirmation = form.secrets.passwordConfirmation ?? '';
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
