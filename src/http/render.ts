// reply.render: a whole page in the layout, or only the fragment when htmx asked for a partial swap.
// reply.redirectTo: POST-then-redirect that also works for htmx requests. reply.flash: a one-time notice;
// reply.flashOutcome: a one-time result for the page redirected to (a link to copy).
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { PageCards } from '../content/cards.js';
import { cookieOptions } from './cookies.js';
import type { Params } from '../i18n/index.js';

const FLASH_COOKIE = 'hameau_flash';

/** A one-time notice: a sentence from the locale files (only `flash.*` and `<feature>.flash.*` keys). */
export interface Flash {
  key: string;
  params?: Params;
  kind: 'success' | 'info' | 'error';
}

/**
 * A one-time result that needs more than a sentence, such as a link to copy: a flat record of
 * plain values with a `kind`, shown by the template that knows that kind (`it.outcome`).
 */
export type FlashOutcome = { kind: string } & { [field: string]: string | number | boolean | null };

/** What the flash cookie holds between a POST and the page it redirects to. */
export interface FlashContent {
  notice?: Flash;
  outcome?: FlashOutcome;
}

export interface RenderOptions {
  status?: number;
  /** Template rendered alone for an htmx partial request; defaults to the page template without the layout. */
  fragment?: string;
  /** Keep the browser's address as it is after this response (a form answer that has no page of its own). */
  keepUrl?: boolean;
}

declare module 'fastify' {
  interface FastifyReply {
    render(template: string, data?: Record<string, unknown>, options?: RenderOptions): Promise<FastifyReply>;
    redirectTo(url: string): FastifyReply;
    flash(key: string, params?: Params, kind?: Flash['kind']): void;
    /** Carries `outcome` to the next page rendered (POST-then-redirect), once, within 60 seconds. */
    flashOutcome(outcome: FlashOutcome): void;
  }
}

/** An htmx request that will swap a part of the page (not boosted navigation, not a history restore). */
export function isPartialRequest(request: FastifyRequest): boolean {
  return (
    request.headers['hx-request'] === 'true' &&
    request.headers['hx-request-type'] === 'partial' &&
    request.headers['hx-history-restore-request'] !== 'true'
  );
}

export default fp(
  async (app) => {
    app.decorateReply('render', async function render(this: FastifyReply, template, data = {}, options = {}) {
      const request = this.request;
      const partial = isPartialRequest(request);
      const flash = partial ? null : takeFlash(request, this);
      // Cards go into the page as marks, and their kept bytes are copied into the answer (src/content/cards.ts).
      const cards = new PageCards(app.cards, () => request.cardContext());
      const locals = {
        ...request.viewLocals(),
        card: cards.mark,
        flash: flash?.notice ?? null,
        outcome: flash?.outcome ?? null,
        ...data,
      };
      this.header('Vary', 'HX-Request, HX-Request-Type');
      this.header('Cache-Control', 'no-store');
      if (options.keepUrl) this.header('HX-Replace-Url', 'false');
      this.code(options.status ?? 200);
      this.type('text/html; charset=utf-8');
      const html = partial
        ? await this.viewAsync(options.fragment ?? template, locals)
        : await this.viewAsync(template, locals, { layout: 'layout' });
      return this.send(cards.bytes(html));
    });

    app.decorateReply('redirectTo', function redirectTo(this: FastifyReply, url: string) {
      if (isPartialRequest(this.request)) {
        // A 303 would be followed by fetch and the whole next page swapped into a small target.
        return this.header('HX-Redirect', url).code(204).send();
      }
      return this.redirect(url, 303);
    });

    // Both parts may be set while answering one request; the cookie holds what was set so far.
    const pending = new WeakMap<FastifyReply, FlashContent>();
    function setFlash(reply: FastifyReply, part: FlashContent) {
      const content = { ...pending.get(reply), ...part };
      pending.set(reply, content);
      // Signed, so that nothing but Hameau writes what a page shows as Hameau's own message.
      reply.setCookie(FLASH_COOKIE, JSON.stringify(content), { ...cookieOptions(app.config), signed: true, maxAge: 60 });
    }

    app.decorateReply('flash', function flash(this: FastifyReply, key: string, params?: Params, kind: Flash['kind'] = 'success') {
      setFlash(this, { notice: { key, kind, ...(params ? { params } : {}) } });
    });

    app.decorateReply('flashOutcome', function flashOutcome(this: FastifyReply, outcome: FlashOutcome) {
      setFlash(this, { outcome });
    });
  },
  { name: 'hameau-render', dependencies: ['@fastify/cookie', '@fastify/view'] },
);

/** Reads the one-time message a redirect left, and clears it. Unsigned or malformed content is ignored. */
export function takeFlash(request: FastifyRequest, reply: FastifyReply): FlashContent | null {
  const raw = request.cookies[FLASH_COOKIE];
  if (!raw) return null;
  reply.clearCookie(FLASH_COOKIE, cookieOptions(reply.server.config));
  const unsigned = request.unsignCookie(raw);
  if (!unsigned.valid || unsigned.value === null) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(unsigned.value);
  } catch {
    return null;
  }
  if (!isRecord(parsed)) return null;
  const notice = asNotice(parsed.notice);
  const outcome = asOutcome(parsed.outcome);
  if (!notice && !outcome) return null;
  return { ...(notice ? { notice } : {}), ...(outcome ? { outcome } : {}) };
}

const KINDS: readonly string[] = ['success', 'info', 'error'] satisfies Flash['kind'][];
const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isPlain = (value: unknown) => value === null || ['string', 'number', 'boolean'].includes(typeof value);

/** A flash message's key: `flash.*`, a feature's own `<feature>.flash.*`, a plugin's `plugins.<id>.flash.*` or `plugins.<id>.<part>.flash.*`. */
const FLASH_KEY = /^(?:plugins\.[a-z][a-z0-9-]*\.(?:[a-zA-Z][\w-]*\.)?|[a-zA-Z][\w-]*\.)?flash\.[\w.-]+$/;

/** Only a flash message: a flash never makes a page say an arbitrary key. */
function asNotice(value: unknown): Flash | undefined {
  if (!isRecord(value) || typeof value.key !== 'string' || !FLASH_KEY.test(value.key)) return undefined;
  if (typeof value.kind !== 'string' || !KINDS.includes(value.kind)) return undefined;
  const params = value.params;
  if (params !== undefined && !(isRecord(params) && Object.values(params).every((p) => typeof p === 'string' || typeof p === 'number'))) {
    return undefined;
  }
  return value as unknown as Flash;
}

/** Only the outcome shape: a `kind` and plain values, nothing nested. */
function asOutcome(value: unknown): FlashOutcome | undefined {
  if (!isRecord(value) || typeof value.kind !== 'string') return undefined;
  return Object.values(value).every(isPlain) ? (value as FlashOutcome) : undefined;
}
