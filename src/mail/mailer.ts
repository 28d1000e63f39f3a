// Sending email through SMTP (nodemailer). Without SMTP_URL, Hameau sends nothing and says so where it matters.
import nodemailer from 'nodemailer';
import type { FastifyBaseLogger } from 'fastify';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  /** An HTML alternative of `text` (built from escaped text only). */
  html?: string;
  /**
   * Where the recipient stops this kind of email: sent as List-Unsubscribe, with
   * List-Unsubscribe-Post for one-click unsubscribing (RFC 8058); the URL must accept a POST.
   */
  unsubscribeUrl?: string;
}

export interface Mailer {
  /** False when no SMTP server is configured: callers show links to copy instead. */
  readonly enabled: boolean;
  /** Sends one message; resolves to false (and logs why) when it could not be sent. */
  send(mail: OutgoingMail): Promise<boolean>;
  /** Sends one message; rejects when it could not be sent (for the job queue, which retries). */
  deliver(mail: OutgoingMail): Promise<void>;
  close(): void;
}

export interface SmtpTimeouts {
  /** To open the connection (DNS lookup included). */
  connectionTimeout: number;
  /** For the server's greeting once connected. */
  greetingTimeout: number;
  /** Of silence at any later step. */
  socketTimeout: number;
}

/**
 * How long to wait for a mail server that does not answer. Nodemailer's own defaults (up to two
 * minutes to connect, ten of silence) would keep each send, and what waits on it, hanging.
 */
export const SMTP_TIMEOUTS: SmtpTimeouts = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 10_000 };

/**
 * The mailer for SMTP_URL, or a disabled one without it (callers then show links to copy).
 *
 * @example
 * const mailer = createMailer({ smtpUrl: config.smtpUrl, from: config.smtpFrom, logger: app.log });
 * if (mailer.enabled) await mailer.send({ to, subject, text });
 */
export function createMailer(options: {
  smtpUrl: string | null;
  from: string;
  logger: FastifyBaseLogger;
  /** Shorter waits for tests; SMTP_TIMEOUTS otherwise. */
  timeouts?: SmtpTimeouts;
}): Mailer {
  if (!options.smtpUrl) {
    return {
      enabled: false,
      send: async () => false,
      deliver: async () => {
        throw new Error('no mail server is configured (SMTP_URL)');
      },
      close: () => {},
    };
  }
  // Options given in SMTP_URL's query string (?socketTimeout=…) still win over these.
  const transport = nodemailer.createTransport({ url: options.smtpUrl, ...(options.timeouts ?? SMTP_TIMEOUTS) });
  const deliver = async (mail: OutgoingMail) => {
    await transport.sendMail({
      from: options.from,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      ...(mail.html ? { html: mail.html } : {}),
      ...(mail.unsubscribeUrl
        ? { list: { unsubscribe: mail.unsubscribeUrl }, headers: { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } }
        : {}),
    });
  };
  return {
    enabled: true,
    deliver,
    async send(mail) {
      try {
        await deliver(mail);
        return true;
      } catch (error) {
        // The address is logged, the content is not: it may hold a sign-in link.
        options.logger.error({ err: error, to: mail.to }, 'email could not be sent');
        return false;
      }
    },
    close: () => transport.close(),
  };
}
