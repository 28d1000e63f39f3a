// reply.render: a whole page in the layout, or only the fragment when htmx asked for a partial swap.
// reply.redirectTo: POST-then-redirect that also works for htmx requests. reply.flash: a one-time notice.
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Params } from '../i18n/index.js';

const FLASH_COOKIE = 'hameau_flash';

export interface Flash {
  key: string;
  params?: Params;
  kind: 'success' | 'info' | 'error';
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
      const locals = {
        ...request.viewLocals(),
        flash,
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
      return this.send(html);
    });

    app.decorateReply('redirectTo', function redirectTo(this: FastifyReply, url: string) {
      if (isPartialRequest(this.request)) {
        // A 303 would be followed by fetch and the whole next page swapped into a small target.
        return this.header('HX-Redirect', url).code(204).send();
      }
      return this.redirect(url, 303);
    });

    app.decorateReply('flash', function flash(this: FastifyReply, key: string, params?: Params, kind: Flash['kind'] = 'success') {
      const value: Flash = { key, kind, ...(params ? { params } : {}) };
      this.setCookie(FLASH_COOKIE, JSON.stringify(value), {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: app.config.secureCookies,
        signed: true,
        maxAge: 60,
      });
    });
  },
  { name: 'hameau-render', dependencies: ['@fastify/cookie', '@fastify/view'] },
);

function takeFlash(request: FastifyRequest, reply: FastifyReply): Flash | null {
  const raw = request.cookies[FLASH_COOKIE];
  if (!raw) return null;
  reply.clearCookie(FLASH_COOKIE, { path: '/' });
  const unsigned = request.unsignCookie(raw);
  if (!unsigned.valid || unsigned.value === null) return null;
  try {
    const parsed = JSON.parse(unsigned.value) as Flash;
    return typeof parsed.key === 'string' && parsed.key.startsWith('flash.') ? parsed : null;
  } catch {
    return null;
  }
}
