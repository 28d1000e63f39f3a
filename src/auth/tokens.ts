// Random identifiers and secrets, and their hashes (Lucia's session design, lucia-auth.com/sessions/basic).
import crypto from 'node:crypto';

// Human-readable alphabet (no l, o, 0, 1); 24 characters of 5 bits each give 120 bits of entropy.
const ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';

/** 24 characters of a readable alphabet from a secure random source (120 bits), as Lucia recommends. */
export function generateSecureRandomString(): string {
  const bytes = crypto.randomBytes(24);
  let out = '';
  for (const byte of bytes) out += ALPHABET[byte >> 3];
  return out;
}

/** SHA-256 of a secret: enough for high-entropy random secrets (never for passwords). */
export function hashSecret(secret: string): Buffer {
  return crypto.createHash('sha256').update(secret).digest();
}

/** Compares two byte strings in a time that does not depend on where they differ. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && crypto.timingSafeEqual(a, b);
}

/** A single-use link token (invitation, password reset): the token goes in the link, only its hash is stored. */
export function createLinkToken(): { token: string; tokenHash: Buffer } {
  const token = `${generateSecureRandomString()}${generateSecureRandomString()}`;
  return { token, tokenHash: hashSecret(token) };
}

/** Cheap shape check before any database work: link tokens are 48 characters of the alphabet above. */
export function looksLikeLinkToken(value: string): boolean {
  return /^[a-km-np-z2-9]{48}$/.test(value);
}
