// Until the organisation is set up, whoever reaches /setup first becomes its administrator. On a
// server reachable by others, that must be the person who installed it: they alone can read the
// code Hameau prints in its log at start. From the machine itself (a browser on localhost) no code
// is asked, so `npm install && npm start` and a browser are still all a newcomer needs.
import type { FastifyRequest } from 'fastify';
import { constantTimeEqual, generateSecureRandomString } from './tokens.js';

/** A fresh code, "abcd-efgh-jkmn" (12 characters, 60 bits): typed by hand, never guessed. */
export function createSetupCode(): string {
  const raw = generateSecureRandomString().slice(0, 12);
  return `${raw.slice(0, 4)}-${raw.slice(4, 8)}-${raw.slice(8, 12)}`;
}

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3})$/;

/**
 * True when the request comes straight from this machine: a loopback peer and no proxy header
 * (a reverse proxy on the same machine forwards other people's requests from loopback too).
 */
export function isFromThisMachine(request: FastifyRequest): boolean {
  const peer = request.raw.socket?.remoteAddress ?? '';
  const proxied = request.headers['x-forwarded-for'] !== undefined || request.headers.forwarded !== undefined;
  return LOOPBACK.test(peer) && !proxied;
}

/** Compares what was typed with the code, ignoring case, spaces and dashes. */
export function setupCodeMatches(typed: string, code: string): boolean {
  const clean = (value: string) => Buffer.from(value.toLowerCase().replace(/[\s-]+/g, ''));
  return constantTimeEqual(clean(typed), clean(code));
}
