// Sending email through SMTP (nodemailer). Without SMTP_URL, Hameau sends nothing and says so where it matters.
import nodemailer from 'nodemailer';
import type { FastifyBaseLogger } from 'fastify';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  /** False when no SMTP server is configured: callers show links to copy instead. */
  readonly enabled: boolean;
  /** Sends one message; resolves to false (and logs why) when it could not be sent. */
  send(mail: OutgoingMail): Promise<boolean>;
  close(): void;
}

export function createMailer(options: { smtpUrl: string | null; from: string; logger: FastifyBaseLogger }): Mailer {
  if (!options.smtpUrl) {
    return { enabled: false, send: async () => false, close: () => {} };
  }
  const transport = nodemailer.createTransport(options.smtpUrl);
  return {
    enabled: true,
    async send(mail) {
      try {
        await transport.sendMail({ from: options.from, to: mail.to, subject: mail.subject, text: mail.text });
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
