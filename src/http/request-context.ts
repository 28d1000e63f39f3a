// Per-request context: who is signed in (session cookie), which language to speak, and whether
// the organisation is set up yet. Every page and every error page read it from here.
import { setImmediate as onNextTurn } from 'node:timers';
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { INACTIVITY_TIMEOUT_MS, validateSessionToken } from '../auth/sessions.js';
import type { Organisation, Session } from '../db/schema.js';
import { cookieOptions, sessionCookieName } from './cookies.js';
import { formatDateTime } from './view-helpers.js';
import { can, type Action, type Subject, type Viewer } from '../policy/index.js';
import { loadViewer } from '../policy/viewer.js';
import type { CardContext } from '../content/cards.js';
import type { ContentItem } from '../content/items.js';
import { FALLBACK_LOCALE, isLocale, negotiateLocale, translator, type Locale, type Translate } from '../i18n/index.js';

export const LANGUAGE_COOKIE = 'hameau_lang';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in person, with their space roles: what the policy decides on. */
    user: Viewer | null;
    /**
     * What the layout shows on every page beyond the user (unread notifications, my spaces...):
     * features fill it from a global preHandler hook; templates read it as `it.layout`.
     */
    layout: Record<string, unknown>;
    session: Session | null;
    organisation: Organisation | null;
    locale: Locale;
    t: Translate;
    /** What every template may use: t, locale, user, organisation, the current path, can (the policy). */
    viewLocals(): Record<string, unknown>;
    /** What this request's content cards are rendered from (src/content/cards.ts). */
    cardContext(): CardContext;
  }
  interface FastifyReply {
    setSessionCookie(token: string): void;
    clearSessionCookie(): void;
  }
}

/**
 * Starts requests one per turn of the event loop, in the order they arrived.
 *
 * better-sqlite3 is synchronous: once started, a request runs to its answer without giving the event
 * loop back. Node reads every request that has arrived, then runs them one after another within the
 * same turn; and libuv accepts at most one new connection per turn (since libuv 1.45, Node 20). Under
 * load a turn ran every waiting request (50 connections × several ms), so a burst of new connections
 * was accepted one every few hundred milliseconds: the last ones waited over 10 s (docs/performance.md).
 * One request per turn keeps turns as short as one request: connections are accepted, timers fire
 * and requests are answered in the order they arrived, whatever the load (the same throughput,
 * measured). Requests of one person sent at once are handled in order too.
 */
export class RequestTurns {
  readonly #waiting: Array<() => void> = [];
  #scheduled = false;

  /** Resolves when it is this request's turn. */
  wait(): Promise<void> {
    return new Promise((resolve) => {
      this.#waiting.push(resolve);
      if (!this.#scheduled) {
        this.#scheduled = true;
        onNextTurn(this.#next);
      }
    });
  }

  readonly #next = (): void => {
    // The request resumes right after this callback; the next one waits for the next turn.
    this.#waiting.shift()?.();
    if (this.#waiting.length > 0) onNextTurn(this.#next);
    else this.#scheduled = false;
  };
}

/** Requests that need neither a session nor a language: static files and the health check. */
function isBareRequest(url: string): boolean {
  const path = url.split('?', 1)[0] ?? url;
  return path.startsWith('/static/') || path === '/healthz' || path === '/favicon.ico';
}

/** Paths that stay reachable before the organisation is set up. */
function isAllowedBeforeSetup(url: string): boolean {
  const path = url.split('?')[0] ?? url;
  return path === '/setup' || path === '/language' || isBareRequest(path);
}

/** The language to answer in: the member's choice, else (visitors) the footer switch, the browser's, the organisation's. */
export function resolveLocale(request: FastifyRequest): Locale {
  if (request.user?.locale) return request.user.locale;
  if (!request.user) {
    const chosen = request.cookies[LANGUAGE_COOKIE];
    if (isLocale(chosen)) return chosen;
    const negotiated = negotiateLocale(request.headers['accept-language']);
    if (negotiated) return negotiated;
  }
  return request.organisation?.default_locale ?? FALLBACK_LOCALE;
}

export default fp(
  async (app) => {
    const options = cookieOptions(app.config);
    const sessionCookie = sessionCookieName(app.config);

    app.decorateRequest('user', null);
    app.decorateRequest('session', null);
    app.decorateRequest('organisation', null);
    app.decorateRequest('layout', null as unknown as Record<string, unknown>);
    app.decorateRequest('locale', FALLBACK_LOCALE);
    // A working translator from the start, so that an error before the hook below still renders.
    app.decorateRequest('t', translator(FALLBACK_LOCALE));
    app.decorateRequest('viewLocals', function viewLocals(this: FastifyRequest) {
      return {
        t: this.t,
        locale: this.locale,
        user: this.user,
        organisation: this.organisation,
        currentPath: this.url.split('?')[0],
        currentUrl: this.url,
        layout: this.layout ?? {},
        /** The policy's answer for the viewer: templates show an action only to whoever may do it. */
        can: <A extends Action>(action: A, ...subject: Subject<A>) => can(this.user, action, ...subject),
        /** A date and time in the viewer's language and the organisation's time zone. */
        dateTime: (millis: number) => formatDateTime(this.locale, millis, this.organisation?.time_zone),
        /** A content item's card (views/content/card.eta), rendered from its inputs only and reused: src/content/cards.ts. */
        card: (item: ContentItem, headingLevel?: number) => app.cards.html(this.cardContext(), item, headingLevel),
      };
    });

    app.decorateRequest('cardContext', function cardContext(this: FastifyRequest): CardContext {
      return {
        viewer: this.user,
        locale: this.locale,
        t: this.t,
        timeZone: this.organisation?.time_zone,
        next: this.url,
        reactionSet: this.layout?.reactionSet,
      };
    });

    app.decorateReply('setSessionCookie', function setSessionCookie(this: FastifyReply, token: string) {
      this.setCookie(sessionCookie, token, { ...options, maxAge: INACTIVITY_TIMEOUT_MS / 1000 });
    });
    app.decorateReply('clearSessionCookie', function clearSessionCookie(this: FastifyReply) {
      // The same attributes as when it was set: browsers only replace a cookie that matches.
      this.clearCookie(sessionCookie, options);
    });

    const turns = new RequestTurns();
    app.addHook('onRequest', async (request, reply) => {
      request.layout = {};
      if (isBareRequest(request.url)) {
        // No database work for static files and the health check; a missing file still answers
        // in the browser's language.
        request.locale = negotiateLocale(request.headers['accept-language']) ?? FALLBACK_LOCALE;
        request.t = translator(request.locale);
        return;
      }
      await turns.wait();

      request.organisation = await app.organisation.get();

      const token = request.cookies[sessionCookie];
      if (token) {
        const result = await validateSessionToken(app.db, token);
        if (result) {
          request.user = await loadViewer(app.db, result.user, request.organisation);
          request.session = result.session;
          // The cookie's own expiry follows the session's: sent again when the session is renewed.
          if (result.renewed) reply.setSessionCookie(token);
        } else {
          reply.clearSessionCookie();
        }
      }

      request.locale = resolveLocale(request);
      request.t = translator(request.locale);

      if (!request.organisation && !isAllowedBeforeSetup(request.url)) {
        return reply.redirect('/setup', 303);
      }
    });
  },
  { name: 'hameau-request-context', dependencies: ['@fastify/cookie'] },
);
