// What makes a password acceptable: length, and not a well-known one. No composition rules (NIST SP 800-63B).
import { dictionary } from '@zxcvbn-ts/language-common';

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;

const common = new Set<string>(dictionary['passwords-common'].map((p: string) => p.toLowerCase()));

/** The locale key of the problem with `password`, or null when it is acceptable. */
export function passwordProblem(password: string, context: { email?: string; name?: string } = {}): string | null {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) return 'validation.passwordTooShort';
  if (length > PASSWORD_MAX_LENGTH) return 'validation.passwordTooLong';
  if (isCommon(password)) return 'validation.passwordCommon';
  const lower = password.toLowerCase();
  const email = context.email?.toLowerCase();
  if (email && (lower === email || lower === email.split('@')[0])) return 'validation.passwordPersonal';
  if (context.name && lower.replace(/\s+/g, '') === context.name.toLowerCase().replace(/\s+/g, '')) {
    return 'validation.passwordPersonal';
  }
  return null;
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
  const core = lower.replace(/^[\d\W_]+|[\d\W_]+$/g, '');
  if (core.length >= 4 && core !== lower && common.has(core)) return true;
  // Runs of consecutive keys or digits: "123456789012", "abcdefghijkl".
  return isSequence(lower);
}

function isSequence(value: string): boolean {
  const rows = ['0123456789012345678901234567890', 'abcdefghijklmnopqrstuvwxyz', 'qwertyuiopasdfghjklzxcvbnm', 'azertyuiopqsdfghjklmwxcvbn'];
  return rows.some((row) => row.includes(value) || [...row].reverse().join('').includes(value));
}
