// Log settings: structured JSON (pino), a short list of request headers, secrets redacted, and
// link tokens cut out of every logged URL (the request's, the Referer, htmx's HX-Current-URL).
import type { FastifyServerOptions } from 'fastify';
import type { LogLevel } from '../config.js';

/** Path segments that are credentials: the token of invitation and password reset links. */
const TOKEN_IN_PATH = /(\/(?:invite|password\/reset)\/)[^/?#\s]+/g;

/**
 * Removes link tokens from a path or a full URL.
 *
 * @example
 * redactUrl('https://intranet.example.com/invite/abc…') // "https://intranet.example.com/invite/[redacted]"
 */
export function redactUrl(url: string): string {
  return url.replace(TOKEN_IN_PATH, '$1[redacted]');
}

/** Headers worth a line in the log; anything else (including unknown custom headers) is left out. */
const LOGGED_HEADERS = ['host', 'user-agent', 'accept-language', 'content-type', 'content-length', 'origin', 'sec-fetch-site', 'hx-request', 'hx-request-type', 'x-forwarded-for'];
/** Headers that may hold a URL with a token in it. */
const URL_HEADERS = ['referer', 'hx-current-url'];
/** Headers whose presence is worth knowing but whose value is a secret. */
const SECRET_HEADERS = ['cookie', 'authorization', 'proxy-authorization'];

type Headers = Record<string, string | string[] | undefined>;

/** The request headers worth logging, with URLs cleaned of link tokens and secrets replaced by a marker. */
export function loggedHeaders(headers: Headers): Record<string, string | string[]> {
  const logged: Record<string, string | string[]> = {};
  for (const name of LOGGED_HEADERS) {
    const value = headers[name];
    if (value !== undefined) logged[name] = value;
  }
  for (const name of URL_HEADERS) {
    const value = headers[name];
    if (typeof value === 'string') logged[name] = redactUrl(value);
  }
  for (const name of SECRET_HEADERS) {
    if (headers[name] !== undefined) logged[name] = '[redacted]';
  }
  return logged;
}

/** Fastify's logger settings: JSON lines (pino) at `level`, to `stream` when given (tests), else standard output. */
export function loggerOptions(level: LogLevel, stream?: NodeJS.WritableStream): FastifyServerOptions['logger'] {
  return {
    level,
    ...(stream ? { stream } : {}),
    // Belt and braces: should a header object ever be logged whole, these are still hidden.
    redact: {
      paths: ['req.headers.cookie', 'req.headers.authorization', 'req.headers["proxy-authorization"]', 'res.headers["set-cookie"]', 'headers.cookie', 'headers.authorization'],
      censor: '[redacted]',
    },
    serializers: {
      req(request) {
        return {
          method: request.method,
          url: redactUrl(request.url),
          headers: loggedHeaders(request.headers as Headers),
          remoteAddress: request.ip,
        };
      },
    },
  };
}
