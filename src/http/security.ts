// Security headers (a strict Content-Security-Policy) and cross-site request refusal.
import helmet from '@fastify/helmet';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { Forbidden } from './errors.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Decides whether an unsafe request (POST, PUT, PATCH, DELETE) may have come from another site.
 * Same algorithm as Go's net/http CrossOriginProtection: browsers tell us with Sec-Fetch-Site,
 * older ones with Origin; a request with neither did not come from a browser page and cannot be
 * a cross-site forgery.
 */
export function isCrossSiteRequest(request: FastifyRequest, trustedOrigin: string): boolean {
  if (SAFE_METHODS.has(request.method)) return false;
  const origin = header(request, 'origin');
  if (origin !== undefined && origin === trustedOrigin) return false;
  const fetchSite = header(request, 'sec-fetch-site');
  if (fetchSite !== undefined) return fetchSite !== 'same-origin' && fetchSite !== 'none';
  if (origin === undefined || origin === 'null') return origin === 'null';
  try {
    return new URL(origin).host !== request.headers.host;
  } catch {
    return true;
  }
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export default fp(
  async (app: FastifyInstance) => {
    await app.register(helmet, {
      // No inline script or style anywhere, no third-party origin: everything is served by Hameau.
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          fontSrc: ["'self'"],
          connectSrc: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          baseUri: ["'none'"],
          objectSrc: ["'none'"],
          ...(app.config.secureCookies ? { upgradeInsecureRequests: [] } : {}),
        },
      },
      // HSTS only makes sense when Hameau is served over https.
      strictTransportSecurity: app.config.secureCookies ? { maxAge: 31_536_000, includeSubDomains: false } : false,
      crossOriginEmbedderPolicy: false,
      // No Referer at all: some pages carry a link token in their address.
      referrerPolicy: { policy: 'no-referrer' },
      frameguard: { action: 'deny' },
    });
    app.addHook('onSend', async (_request, reply, payload) => {
      reply.header('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), payment=(), usb=()');
      return payload;
    });

    const trustedOrigin = new URL(app.config.publicUrl).origin;
    // preParsing: after the request context (language, user) is known, so the refusal is a page in the
    // user's language, and before the body is read or any handler runs.
    app.addHook('preParsing', async (request) => {
      if (isCrossSiteRequest(request, trustedOrigin)) {
        request.log.warn({ origin: request.headers.origin, fetchSite: request.headers['sec-fetch-site'] }, 'cross-site request refused');
        throw new Forbidden('errors.crossSite.message');
      }
    });
  },
  { name: 'hameau-security' },
);
