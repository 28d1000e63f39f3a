// What makes a password acceptable: length, and not a well-known one. No composition rules (NIST SP 800-63B).
import { dictionary } from '@zxcvbn-ts/language-common';

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;

const common = new Set<string>(dictionary['passwords-common'].map((p: string) => p.toLowerCase()));

/** Who is choosing the password: their own name, email and organisation make poor passwords. */
export interface PasswordContext {
  email?: string | undefined;
  name?: string | undefined;
  organisation?: string | undefined;
}

/**
 * The locale key of the problem with `password`, or null when it is acceptable.
 *
 * @example
 * passwordProblem('hameau2026!!!', { organisation: 'Acme' }) // "validation.passwordPersonal"
 */
export function passwordProblem(raw: string, context: PasswordContext = {}): string | null {
  const password = raw.normalize('NFC');
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) return 'validation.passwordTooShort';
  if (length > PASSWORD_MAX_LENGTH) return 'validation.passwordTooLong';
  if (isCommon(password)) return 'validation.passwordCommon';
  if (isPersonal(password, context)) return 'validation.passwordPersonal';
  return null;
}

/**
 * The person's name or email, the organisation's name or the product's, possibly with digits or
 * punctuation around it ("alicemartin12", "Hameau2026!").
 */
function isPersonal(password: string, context: PasswordContext): boolean {
  const squash = (value: string) => value.normalize('NFC').toLowerCase().replace(/[\s._\-]+/g, '');
  const candidate = squash(password).replace(/^[^\p{L}]+|[^\p{L}]+$/gu, '');
  const personal = [context.email, context.email?.split('@')[0], context.name, context.organisation, 'hameau']
    .filter((v): v is string => Boolean(v))
    .map(squash);
  return candidate.length > 0 && personal.some((value) => value.length >= 3 && (value === candidate || value === squash(password)));
}

function isCommon(password: string): boolean {
  const lower = password.toLowerCase();
  if (common.has(lower)) return true;
  // One character repeated, or a short common word repeated ("passwordpassword").
  for (let size = 1; size <= lower.length / 2; size++) {
    if (lower.length % size === 0 && lower.slice(0, size).repeat(lower.length / size) === lower) {
      return size < 4 || common.has(lower.slice(0, size));
    }
  }
  // A common password padded with digits or punctuation: "password1234", "qwerty123456!".
  const core = lower.replace(/^[^\p{L}]+|[^\p{L}]+$/gu, '');
  if (core.length >= 4 && core !== lower && common.has(core)) return true;
  // Runs of consecutive keys or digits: "123456789012", "abcdefghijkl".
  return isSequence(lower);
}

function isSequence(value: string): boolean {
  const rows = ['0123456789012345678901234567890', 'abcdefghijklmnopqrstuvwxyz', 'qwertyuiopasdfghjklzxcvbnm', 'azertyuiopqsdfghjklmwxcvbn'];
  return rows.some((row) => row.includes(value) || [...row].reverse().join('').includes(value));
}
