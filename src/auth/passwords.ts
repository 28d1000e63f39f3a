// Password hashing with argon2id (OWASP parameters), with a bounded number of hashes at a time.
import argon2 from 'argon2';
import pLimit from 'p-limit';
import { ServiceUnavailable } from '../http/errors.js';

// OWASP Password Storage Cheat Sheet: argon2id, m=19 MiB, t=2, p=1.
const HASH_OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

// Each hash holds 19 MiB for about 30 ms: at most 4 at once (76 MiB), the rest wait in line,
// and past 200 waiting the request is refused rather than letting memory and latency grow.
const MAX_CONCURRENT = 4;
const MAX_WAITING = 200;
const limit = pLimit(MAX_CONCURRENT);

function bounded<T>(work: () => Promise<T>): Promise<T> {
  if (limit.pendingCount >= MAX_WAITING) return Promise.reject(new ServiceUnavailable());
  return limit(work);
}

/**
 * Unicode normalisation (NFC), so that "é" typed as one character or as e + accent is the same
 * password whatever the keyboard or device (NIST SP 800-63B, 5.1.1.2).
 */
export function normalisePassword(password: string): string {
  return password.normalize('NFC');
}

/** argon2id hash of a (normalised) password; waits its turn when many are being hashed. */
export function hashPassword(password: string): Promise<string> {
  return bounded(() => argon2.hash(normalisePassword(password), HASH_OPTIONS));
}

/** True when `password` matches `hash`; false for a wrong password or a malformed hash. */
export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  return bounded(async () => {
    try {
      return await argon2.verify(hash, normalisePassword(password));
    } catch {
      return false;
    }
  });
}

let dummyHash: Promise<string> | null = null;

/**
 * Spends the same effort as a real check, for a login with an unknown email,
 * so that the answer time does not reveal whether the account exists.
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummyHash ??= argon2.hash('hameau-dummy-password-never-matches', HASH_OPTIONS);
  await verifyPassword(await dummyHash, password);
  return false;
}

/** True when a stored hash was made with weaker parameters than today's and should be replaced. */
export function needsRehash(hash: string): boolean {
  return argon2.needsRehash(hash, HASH_OPTIONS);
}
