// The attributes every Hameau cookie shares, and the session cookie's name.
import type { CookieSerializeOptions } from '@fastify/cookie';
import type { Config } from '../config.js';

/** HttpOnly, SameSite=Lax, whole site, and Secure whenever Hameau is served over https. */
export function cookieOptions(config: Pick<Config, 'secureCookies'>): CookieSerializeOptions {
  return { path: '/', httpOnly: true, sameSite: 'lax', secure: config.secureCookies };
}

/**
 * Over https the session cookie takes the `__Host-` prefix: browsers then refuse it unless it is
 * Secure, for the whole site and for this host only, so no sibling subdomain can plant or shadow it.
 */
export function sessionCookieName(config: Pick<Config, 'secureCookies'>): string {
  return config.secureCookies ? '__Host-hameau_session' : 'hameau_session';
}
