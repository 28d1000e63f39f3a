// Rate limits on the endpoints an attacker would hammer (password checks, password reset,
// invitations, 404s) and on what one person may write or upload in a while (posts and comments,
// reports, join requests, new spaces, upload bytes), so that one account cannot flood the others or
// fill the disk.
import rateLimit, { normalizeIP } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import { TooManyRequests } from './errors.js';
import { RateLimitCounters } from './rate-limit-counters.js';

export interface Limit {
  /**
   * How much one key may count in a window: events, or for a weighed limit (reserve with an amount)
   * units such as bytes. A function when it follows the configuration (UPLOAD_MAX_MB).
   */
  max: number | ((config: Pick<Config, 'uploadMaxBytes'>) => number);
  windowMs: number;
  /** What the "too many" page says (a plural message given `count`, the minutes to wait); a generic one otherwise. */
  messageKey?: string;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export const RATE_LIMITS = {
  /** Failed sign-ins from one address (an office behind one NAT signs in together: successes do not count). */
  loginFailuresPerIp: { max: 30, windowMs: 15 * 60_000 },
  /**
   * Wrong passwords for one account, whatever the address: at sign-in, and as the current
   * password of a password change (a stolen session must not become a way to guess it).
   */
  passwordFailuresPerAccount: { max: 10, windowMs: 15 * 60_000 },
  resetRequestsPerIp: { max: 10, windowMs: 15 * 60_000 },
  resetRequestsPerEmail: { max: 3, windowMs: 60 * 60_000 },
  /** Invitations created or sent again by one admin. */
  invitationsPerAdmin: { max: 100, windowMs: 60 * 60_000 },
  /** Applied by @fastify/rate-limit's own hook on the 404 handler (src/http/error-pages.ts). */
  notFoundPerIp: { max: 120, windowMs: 60_000 },
  /** Posts and comments one person publishes (edits do not count). */
  contentWritesPerUser: { max: 60, windowMs: 10 * MINUTE, messageKey: 'errors.tooManyRequests.writes' },
  /** Reports one person files about content or comments. */
  reportsPerUser: { max: 20, windowMs: HOUR, messageKey: 'errors.tooManyRequests.reports' },
  /** Requests to join private spaces one person sends. */
  joinRequestsPerUser: { max: 10, windowMs: HOUR, messageKey: 'errors.tooManyRequests.joinRequests' },
  /** Spaces one person creates. */
  spaceCreationsPerUser: { max: 10, windowMs: 24 * HOUR, messageKey: 'errors.tooManyRequests.spaceCreations' },
  /** Downloads of one person's whole data export (GDPR): each reads everything about them. */
  dataExportsPerUser: { max: 10, windowMs: HOUR, messageKey: 'gdpr.export.tooMany' },
  /**
   * Bytes one person uploads (files stored, whether the form is then sent or not): as much as ten
   * full forms an hour. Counted with `reserve(request, key, bytes)` by the attachments feature, which
   * turns a refusal into a message on the form rather than this page.
   */
  uploadBytesPerUser: { max: (config) => 10 * config.uploadMaxBytes, windowMs: HOUR, messageKey: 'errors.tooManyRequests.uploads' },
} as const satisfies Record<string, Limit>;

export type LimitName = keyof typeof RATE_LIMITS;
/** The limits counted in the database, through `app.limiters`. */
export type CountedLimitName = Exclude<LimitName, 'notFoundPerIp'>;

/** An attempt counted before its outcome is known. */
export interface Reservation {
  /** Takes the attempt back: it should not count after all (the password was right). Idempotent. */
  refund(): Promise<void>;
}

/** What a limiter needs of the request: somewhere to log that a limit was reached (app.log will do). */
export type LimitedRequest = Pick<FastifyRequest, 'log'>;

export interface Limiter {
  /** Counts one event for `key`; throws TooManyRequests, counting nothing, when the limit is reached. */
  consume(request: LimitedRequest, key: string): Promise<void>;
  /**
   * Counts an attempt for `key` (`amount` units of a weighed limit, 1 by default) before it is
   * checked, so that attempts running at the same time see each other; throws TooManyRequests,
   * counting nothing, when the limit would be passed.
   */
  reserve(request: LimitedRequest, key: string, amount?: number): Promise<Reservation>;
}

declare module 'fastify' {
  interface FastifyInstance {
    limiters: Record<CountedLimitName, Limiter>;
  }
}

/**
 * The client's address as the per-address limits count it: IPv6 by its /64 block (what one
 * machine or household is usually given whole), IPv4 as it is. Behind a reverse proxy this is
 * the address the proxy saw, as far as TRUST_PROXY allows.
 */
export function clientAddress(request: FastifyRequest): string {
  return normalizeIP(request.ip);
}

/**
 * Reserves one attempt under each limit in turn. When one refuses, those already counted are
 * given back, so a refused request counts nowhere.
 *
 * @example
 * const attempt = await reserveAll(request, [limiters.loginFailuresPerIp, clientAddress(request)], [limiters.passwordFailuresPerAccount, email]);
 * if (passwordIsRight) await attempt.refund();
 */
export async function reserveAll(request: FastifyRequest, ...limits: [Limiter, string][]): Promise<Reservation> {
  const taken: Reservation[] = [];
  const refundAll = async () => {
    await Promise.all(taken.map((reservation) => reservation.refund()));
  };
  try {
    for (const [limiter, key] of limits) taken.push(await limiter.reserve(request, key));
  } catch (error) {
    await refundAll();
    throw error;
  }
  return { refund: refundAll };
}

/**
 * Waits for the check an attempt was reserved for. When it throws, nothing was checked (hashing
 * queue full, database error), so the attempt is given back before the error goes on.
 */
export async function refundIfThrows<T>(attempt: Reservation, check: Promise<T>): Promise<T> {
  try {
    return await check;
  } catch (error) {
    await attempt.refund();
    throw error;
  }
}

function createLimiter(name: CountedLimitName, limit: Limit, max: number, counters: RateLimitCounters): Limiter {
  const reserve = async (request: LimitedRequest, key: string, amount = 1): Promise<Reservation> => {
    const now = Date.now();
    const { count, windowEndsAt } = await counters.increment(name, key, limit.windowMs, now, amount);
    if (count > max) {
      await counters.decrement(name, key, windowEndsAt, amount);
      request.log.info({ limit: name }, 'rate limit reached');
      throw new TooManyRequests(Math.max(1, Math.ceil((windowEndsAt - now) / 1000)), limit.messageKey);
    }
    let refunded = false;
    return {
      async refund() {
        if (refunded) return;
        refunded = true;
        await counters.decrement(name, key, windowEndsAt, amount);
      },
    };
  };
  return {
    reserve,
    consume: async (request, key) => {
      await reserve(request, key);
    },
  };
}

/** A limit's maximum under this configuration. */
export function limitMax(limit: Limit, config: Pick<Config, 'uploadMaxBytes'>): number {
  return typeof limit.max === 'function' ? limit.max(config) : limit.max;
}

const CLEANUP_INTERVAL_MS = 10 * 60_000;

export default fp(
  async (app: FastifyInstance) => {
    // @fastify/rate-limit stays for the 404 handler's hook: scanners flood it, and its in-memory
    // count is enough there. Every other limit is counted in the database (see RateLimitCounters).
    await app.register(rateLimit, {
      global: false,
      errorResponseBuilder: (_request, context) => new TooManyRequests(Math.ceil(context.ttl / 1000)),
    });

    const counters = new RateLimitCounters(app.db);
    const limiters = {} as Record<CountedLimitName, Limiter>;
    for (const [name, limit] of Object.entries(RATE_LIMITS) as [LimitName, Limit][]) {
      if (name !== 'notFoundPerIp') limiters[name] = createLimiter(name, limit, limitMax(limit, app.config), counters);
    }
    app.decorate('limiters', limiters);

    await counters.deleteEnded();
    const cleanup = setInterval(() => {
      counters.deleteEnded().catch((error: unknown) => app.log.error({ err: error }, 'rate limit cleanup failed'));
    }, CLEANUP_INTERVAL_MS);
    cleanup.unref();
    app.addHook('onClose', async () => clearInterval(cleanup));
  },
  { name: 'hameau-rate-limits' },
);
