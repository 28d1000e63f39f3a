// The link through which someone outside a private space may ask to join it. Private spaces are
// invisible to non-members (every URL answers 404, as for an id that does not exist), so a person
// can only ask once a member has handed them this link: the space's id plus a key derived from it
// with a server secret, which nobody can guess. The managers of the space still approve each request.
import crypto from 'node:crypto';

export class RequestLinks {
  constructor(private readonly secret: Buffer) {}

  /** The key of a space's request link (22 URL-safe characters). */
  keyFor(spaceId: number): string {
    return crypto.createHmac('sha256', this.secret).update(`space-request:${spaceId}`).digest('base64url').slice(0, 22);
  }

  /** True when `key` is this space's key (compared in constant time). */
  matches(spaceId: number, key: unknown): boolean {
    if (typeof key !== 'string') return false;
    const given = Buffer.from(key);
    const expected = Buffer.from(this.keyFor(spaceId));
    return given.length === expected.length && crypto.timingSafeEqual(given, expected);
  }

  /** The path a member hands over: the space page, where the person sees its name and may ask. */
  pathFor(spaceId: number): string {
    return `/spaces/${spaceId}?key=${this.keyFor(spaceId)}`;
  }
}
