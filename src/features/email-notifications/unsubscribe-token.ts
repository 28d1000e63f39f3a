// Signed unsubscribe links: they work without signing in, so the link itself proves which person and
// which type of email it stops. HMAC-SHA256 with a secret kept in the database (appSecret), over the
// purpose, the user id and the type; compared in constant time.
import crypto from 'node:crypto';

const PURPOSE = 'unsubscribe';

export function unsubscribeToken(secret: Buffer, userId: number, type: string): string {
  return crypto.createHmac('sha256', secret).update(`${PURPOSE}\n${userId}\n${type}`).digest('base64url');
}

/** True when `token` is the one this person and type were given. Never throws. */
export function verifyUnsubscribeToken(secret: Buffer, userId: number, type: string, token: string): boolean {
  const expected = Buffer.from(unsubscribeToken(secret, userId, type));
  const given = Buffer.from(token);
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}

/** The absolute link of an email's footer (and of its List-Unsubscribe header). */
export function unsubscribeUrl(publicUrl: string, secret: Buffer, userId: number, type: string): string {
  return `${publicUrl}/email/unsubscribe/${userId}/${encodeURIComponent(type)}/${unsubscribeToken(secret, userId, type)}`;
}
