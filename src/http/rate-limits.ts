// Rate limits on the endpoints an attacker would hammer: login, password reset, invitations, 404s.
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { TooManyRequests } from './errors.js';

export interface Limit {
  max: number;
  windowMs: number;
}

export const RATE_LIMITS = {
  /** Failed sign-ins from one address (an office behind one NAT signs in together: successes do not count). */
  loginFailuresPerIp: { max: 30, windowMs: 15 * 60_000 },
  /** Failed sign-ins for one account, whatever the address. */
  loginFailuresPerEmail: { max: 10, windowMs: 15 * 60_000 },
  resetRequestsPerIp: { max: 10, windowMs: 15 * 60_000 },
  resetRequestsPerEmail: { max: 3, windowMs: 60 * 60_000 },
  /** Invitations created or sent again by one admin. */
  invitationsPerAdmin: { max: 100, windowMs: 60 * 60_000 },
  notFoundPerIp: { max: 120, windowMs: 60_000 },
} as const satisfies Record<string, Limit>;

export type LimitName = keyof typeof RATE_LIMITS;

export interface Limiter {
  /** Throws TooManyRequests when the limit is reached, without counting this request. */
  check(request: FastifyRequest, key: string): Promise<void>;
  /** Counts one more event for `key`. */
  hit(request: FastifyRequest, key: string): Promise<void>;
  /** Counts this request and throws TooManyRequests when it goes over the limit. */
  consume(request: FastifyRequest, key: string): Promise<void>;
}

declare module 'fastify' {
  interface FastifyInstance {
    limiters: Record<LimitName, Limiter>;
  }
  interface FastifyRequest {
    rateLimitKey?: string;
  }
}

export default fp(
  async (app: FastifyInstance) => {
    await app.register(rateLimit, {
      global: false,
      errorResponseBuilder: (_request, context) => new TooManyRequests(Math.ceil(context.ttl / 1000)),
    });
    app.decorateRequest('rateLimitKey', undefined);

    const limiters = {} as Record<LimitName, Limiter>;
    for (const [name, limit] of Object.entries(RATE_LIMITS) as [LimitName, Limit][]) {
      const counter = app.createRateLimit({
        max: limit.max,
        timeWindow: limit.windowMs,
        keyGenerator: (request) => `${name}:${request.rateLimitKey ?? request.ip}`,
      });
      const run = async (request: FastifyRequest, key: string, increment: boolean) => {
        request.rateLimitKey = key;
        try {
          const result = await counter(request, { increment });
          if (result.isAllowed) return;
          const over = increment ? result.isExceeded : result.remaining === 0;
          if (over) throw new TooManyRequests(Math.max(1, result.ttlInSeconds));
        } finally {
          request.rateLimitKey = undefined;
        }
      };
      limiters[name] = {
        check: (request, key) => run(request, key, false),
        hit: async (request, key) => {
          request.rateLimitKey = key;
          try {
            await counter(request);
          } finally {
            request.rateLimitKey = undefined;
          }
        },
        consume: (request, key) => run(request, key, true),
      };
    }
    app.decorate('limiters', limiters);
  },
  { name: 'hameau-rate-limits' },
);
