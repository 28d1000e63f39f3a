// The emails Hameau sends, written from the locale files in the recipient's language.
import { formatDateTime } from '../http/view-helpers.js';
import { translate, type Locale } from '../i18n/index.js';
import type { OutgoingMail } from './mailer.js';

/** The invitation email, in the invitation's language, with the link and its expiry in the organisation's time zone. */
export function invitationMail(options: {
  to: string;
  locale: Locale;
  organisationName: string;
  inviterName: string;
  link: string;
  expiresAt: number;
  /** The organisation's time zone: the expiry is written in it, with its name. */
  timeZone: string | undefined;
}): OutgoingMail {
  const t = (key: string, params: Record<string, string | number> = {}) => translate(options.locale, key, params);
  const params = {
    organisation: options.organisationName,
    inviter: options.inviterName,
    link: options.link,
    expiry: formatDateTime(options.locale, options.expiresAt, options.timeZone, true),
  };
  return { to: options.to, subject: t('emails.invitation.subject', params), text: t('emails.invitation.body', params) };
}

/** The password reset email, in the member's language, with the single-use link. */
export function passwordResetMail(options: {
  to: string;
  locale: Locale;
  organisationName: string;
  name: string;
  link: string;
}): OutgoingMail {
  const params = { organisation: options.organisationName, name: options.name, link: options.link };
  return {
    to: options.to,
    subject: translate(options.locale, 'emails.passwordReset.subject', params),
    text: translate(options.locale, 'emails.passwordReset.body', params),
  };
}
