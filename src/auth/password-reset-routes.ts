// "Forgot your password?": ask for a link by email, then choose a new password from the link.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Field, parseForm } from '../http/form.js';
import { clientAddress, reserveAll } from '../http/rate-limits.js';
import { takeFlash } from '../http/render.js';
import { passwordResetMail } from '../mail/messages.js';
import { passwordResetLink } from './links.js';
import { checkNewPassword } from './new-password.js';
import { completePasswordReset, createPasswordReset, inspectResetLink, type ResetState } from './password-reset.js';
import { normaliseEmail } from './users.js';

const RequestForm = Type.Object({ email: Field.email() });
const ResetForm = Type.Object({ password: Field.password(), passwordConfirmation: Field.password() });

type TokenParams = { Params: { token: string } };

export default async function passwordResetRoutes(app: FastifyInstance) {
  app.get('/password/forgot', async (request, reply) =>
    reply.render('auth/forgot-password', { title: request.t('forgot.title'), values: {}, errors: {}, mailEnabled: app.mailer.enabled }),
  );

  app.post('/password/forgot', async (request, reply) => {
    const form = parseForm(RequestForm, request.body, request.t);
    if (!form.ok) {
      return reply.render(
        'auth/forgot-password',
        { title: request.t('forgot.title'), values: form.values, errors: form.errors, mailEnabled: app.mailer.enabled },
        { status: 422 },
      );
    }
    const email = normaliseEmail(form.value.email);
    const { resetRequestsPerIp, resetRequestsPerEmail } = app.limiters;
    await reserveAll(request, [resetRequestsPerIp, clientAddress(request)], [resetRequestsPerEmail, email]);

    const reset = await createPasswordReset(app.db, email);
    if (reset && app.mailer.enabled) {
      const mail = passwordResetMail({
        to: reset.user.email,
        locale: reset.user.locale ?? request.organisation?.default_locale ?? request.locale,
        organisationName: request.organisation?.name ?? 'Hameau',
        name: reset.user.name,
        link: passwordResetLink(app.config.publicUrl, reset.token),
      });
      // Not awaited: waiting for the mail server only when the account exists would tell who has one.
      // Until the durable email queue (a later issue), a mail lost here is logged and not sent again.
      app.mailer.send(mail).catch((error: unknown) => request.log.error({ err: error }, 'password reset email failed'));
    }
    // The same answer whether or not the address belongs to someone. The address travels to the
    // next page in the signed flash cookie: never in the URL, where logs and history would keep it.
    reply.flash('flash.resetRequested', { email }, 'info');
    return reply.redirectTo('/password/forgot/sent');
  });

  app.get('/password/forgot/sent', async (request, reply) => {
    // Only right after a request (the flash set above): reloading, or coming back later, leads
    // to the form again.
    const notice = takeFlash(request, reply)?.notice;
    const email = notice?.key === 'flash.resetRequested' ? notice.params?.email : undefined;
    if (typeof email !== 'string') return reply.redirectTo('/password/forgot');
    return reply.render('auth/forgot-password-sent', {
      title: request.t('forgot.sentTitle'),
      email,
      mailEnabled: app.mailer.enabled,
      // The page itself is the notice.
      flash: null,
    });
  });

  app.get<TokenParams>('/password/reset/:token', async (request, reply) => {
    const link = await inspectResetLink(app.db, request.params.token);
    if (link.state !== 'valid') return renderInvalid(reply, link.state);
    return reply.render('auth/reset-password', { title: request.t('reset.title'), token: request.params.token, errors: {} });
  });

  app.post<TokenParams>('/password/reset/:token', async (request, reply) => {
    const { token } = request.params;
    const link = await inspectResetLink(app.db, token);
    if (link.state !== 'valid') return renderInvalid(reply, link.state);

    const form = checkNewPassword(parseForm(ResetForm, request.body, request.t), request.t, {
      ...link.owner,
      organisation: request.organisation?.name,
    });
    if (!form.ok) {
      return reply.render('auth/reset-password', { title: request.t('reset.title'), token, errors: form.errors }, { status: 422 });
    }
    const result = await completePasswordReset(app.db, token, form.value.password);
    if (!result.ok) return renderInvalid(reply, result.state);
    request.log.info({ userId: result.userId }, 'password reset');
    if (request.session?.user_id === result.userId) reply.clearSessionCookie();
    reply.flash('flash.passwordReset');
    return reply.redirectTo('/login');
  });
}

function renderInvalid(reply: FastifyReply, state: Exclude<ResetState, 'valid'>) {
  const t = reply.request.t;
  return reply.render(
    'auth/link-invalid',
    { title: t('reset.invalidTitle'), message: t(`reset.invalid.${state}`), action: { href: '/password/forgot', label: t('reset.askAgain') } },
    { status: state === 'unknown' ? 404 : 410 },
  );
}
