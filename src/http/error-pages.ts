// One place turns every error into a page (or fragment) in the user's language. Users never see a
// stack trace: a 5xx says something went wrong, and the details go to the log with the request id.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { translate } from '../i18n/index.js';
import { HttpError, TooManyRequests, Unauthenticated } from './errors.js';
import { RATE_LIMITS } from './rate-limits.js';

interface ErrorView {
  status: number;
  titleKey: string;
  messageKey: string;
}

const TITLES: Record<number, string> = {
  400: 'errors.badRequest.title',
  403: 'errors.forbidden.title',
  404: 'errors.notFound.title',
  405: 'errors.notFound.title',
  413: 'errors.tooLarge.title',
  415: 'errors.badRequest.title',
  429: 'errors.tooManyRequests.title',
  503: 'errors.busy.title',
};

function describe(error: FastifyError | HttpError | Error): ErrorView {
  if (error instanceof HttpError) {
    return { status: error.statusCode, titleKey: TITLES[error.statusCode] ?? 'errors.server.title', messageKey: error.messageKey };
  }
  const status = 'statusCode' in error && typeof error.statusCode === 'number' ? error.statusCode : 500;
  if (status === 413) return { status, titleKey: TITLES[413]!, messageKey: 'errors.tooLarge.message' };
  if (status === 404 || status === 405) return { status: 404, titleKey: TITLES[404]!, messageKey: 'errors.notFound.message' };
  if (status === 429) return { status, titleKey: TITLES[429]!, messageKey: 'errors.tooManyRequests.message' };
  if (status >= 400 && status < 500) return { status, titleKey: 'errors.badRequest.title', messageKey: 'errors.badRequest.message' };
  return { status: status >= 500 && status < 600 ? status : 500, titleKey: 'errors.server.title', messageKey: 'errors.server.message' };
}

async function renderError(request: FastifyRequest, reply: FastifyReply, view: ErrorView, retryAfterSeconds?: number) {
  if (retryAfterSeconds !== undefined) reply.header('Retry-After', String(retryAfterSeconds));
  try {
    return await reply.render(
      'errors/error',
      {
        status: view.status,
        title: request.t(view.titleKey),
        message: request.t(view.messageKey, { count: Math.max(1, Math.ceil((retryAfterSeconds ?? 60) / 60)) }),
        requestId: view.status >= 500 ? request.id : null,
      },
      { status: view.status },
    );
  } catch (renderFailure) {
    // The error page itself failed (a broken template, a closed database): plain text, still no stack.
    request.log.error({ err: renderFailure }, 'error page could not be rendered');
    return reply.code(view.status).type('text/plain; charset=utf-8').send(`${view.status}`);
  }
}

/**
 * Requests Fastify cannot even route (a URL with broken %-encoding): no session, no language,
 * no template yet. A short text answer in both languages, that no browser will run or frame.
 */
export function answerUnroutable(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  request.log.info({ code: error.code }, 'request refused before routing');
  void reply
    .code(400)
    .headers({
      'content-type': 'text/plain; charset=utf-8',
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'cache-control': 'no-store',
    })
    .send(`${translate('fr', 'errors.unroutable')}\n${translate('en', 'errors.unroutable')}\n`);
}

export default fp(
  async (app: FastifyInstance) => {
    app.setErrorHandler(async (thrown: FastifyError | HttpError, request, reply) => {
      // Code may throw something that is not an Error (a string, null): still a 500 page, never its text.
      const error: FastifyError | HttpError | Error =
        thrown !== null && typeof thrown === 'object' ? thrown : new Error(`non-error thrown: ${String(thrown)}`);
      if (error instanceof Unauthenticated) {
        const next = request.method === 'GET' ? `?next=${encodeURIComponent(request.url)}` : '';
        return reply.redirectTo(`/login${next}`);
      }
      const view = describe(error);
      if (view.status >= 500) request.log.error({ err: error }, 'request failed');
      else request.log.info({ status: view.status, reason: error.message }, 'request refused');
      return renderError(request, reply, view, error instanceof TooManyRequests ? error.retryAfterSeconds : undefined);
    });

    const notFoundLimit = app.rateLimit({
      max: RATE_LIMITS.notFoundPerIp.max,
      timeWindow: RATE_LIMITS.notFoundPerIp.windowMs,
    });
    app.setNotFoundHandler({ preHandler: notFoundLimit }, async (request, reply) =>
      renderError(request, reply, { status: 404, titleKey: TITLES[404]!, messageKey: 'errors.notFound.message' }),
    );
  },
  { name: 'hameau-error-pages', dependencies: ['hameau-render', 'hameau-rate-limits'] },
);
