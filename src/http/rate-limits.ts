// Rate limits on the endpoints an attacker would hammer: password checks, password reset,
// invitations, 404s.
import rateLimit, { normalizeIP } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { TooManyRequests } from './errors.js';
import { RateLimitCounters } from './rate-limit-counters.js';

export interface Limit {
  max: number;
  windowMs: number;
}

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
} as const satisfies Record<string, Limit>;

export type LimitName = keyof typeof RATE_LIMITS;
/** The limits counted in the database, through `app.limiters`. */
export type CountedLimitName = Exclude<LimitName, 'notFoundPerIp'>;

/** An attempt counted before its outcome is known. */
export interface Reservation {
  /** Takes the attempt back: it should not count after all (the password was right). Idempotent. */
  refund(): Promise<void>;
}

export interface Limiter {
  /** Counts one event for `key`; throws TooManyRequests, counting nothing, when the limit is reached. */
  consume(request: FastifyRequest, key: string): Promise<void>;
  /**
   * Counts an attempt for `key` before it is checked, so that attempts running at the same time
   * see each other; throws TooManyRequests, counting nothing, when the limit is reached.
   */
  reserve(request: FastifyRequest, key: string): Promise<Reservation>;
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

function createLimiter(name: CountedLimitName, limit: Limit, counters: RateLimitCounters): Limiter {
  const reserve = async (request: FastifyRequest, key: string): Promise<Reservation> => {
    const now = Date.now();
    const { count, windowEndsAt } = await counters.increment(name, key, limit.windowMs, now);
    if (count > limit.max) {
      await counters.decrement(name, key, windowEndsAt);
      request.log.info({ limit: name }, 'rate limit reached');
      throw new TooManyRequests(Math.max(1, Math.ceil((windowEndsAt - now) / 1000)));
    }
    let refunded = false;
    return {
      async refund() {
        if (refunded) return;
        refunded = true;
        await counters.decrement(name, key, windowEndsAt);
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
      if (name !== 'notFoundPerIp') limiters[name] = createLimiter(name, limit, counters);
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
