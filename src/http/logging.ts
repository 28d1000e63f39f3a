// Log settings: structured JSON (pino), secrets redacted, and link tokens cut out of logged URLs.
import type { FastifyServerOptions } from 'fastify';
import type { LogLevel } from '../config.js';

/** Paths whose last segment is a credential (invitation and reset links). */
const TOKEN_IN_PATH = /^(\/(?:invite|password\/reset)\/)[^/?#]+/;

export function redactUrl(url: string): string {
  return url.replace(TOKEN_IN_PATH, '$1[redacted]');
}

export function loggerOptions(level: LogLevel, stream?: NodeJS.WritableStream): FastifyServerOptions['logger'] {
  return {
    level,
    ...(stream ? { stream } : {}),
    redact: {
      paths: [
        'req.headers.cookie',
        'req.headers.authorization',
        'req.headers["proxy-authorization"]',
        'res.headers["set-cookie"]',
        'headers.cookie',
        'headers.authorization',
      ],
      censor: '[redacted]',
    },
    serializers: {
      req(request) {
        return {
          method: request.method,
          url: redactUrl(request.url),
          headers: request.headers,
          remoteAddress: request.ip,
        };
      },
    },
  };
}
