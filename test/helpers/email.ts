// Notification emails under test: an app with a real SMTP server in process, wall-clock times of the
// organisation's zone (Europe/Paris, set by setupOrganisation) in the future, and helpers to read
// what was delivered. Nothing waits on real time: tests call app.jobs.runDue(time).
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { parseTimeOfDay, wallClockAt, zonedTime } from '../../src/features/email-notifications/quiet-hours.js';
import { createTestApp, login, setupOrganisation, type TestApp } from './app.js';
import { startSmtp, type TestSmtp } from './smtp.js';
import { createUser } from './app.js';
import type { Locale } from '../../src/db/schema.js';
import { NOTIFICATION_TYPES } from '../../src/features/email-notifications/preferences.js';

export const PUBLIC_URL = 'https://intranet.example.com';
const ZONE = 'Europe/Paris';
const DAY = 24 * 60 * 60 * 1000;
const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/**
 * A week of Paris wall-clock times, all in the future (notifications written now are older): the
 * `week` of a test starts on the Monday after next. `at('wednesday', '21:00')`, `at('thursday', '07:30', 1)` (next week).
 */
export function parisWeek(after = Date.now()) {
  let t = after + 7 * DAY;
  while (wallClockAt(t, ZONE).weekday !== 1) t += DAY;
  const monday = wallClockAt(t, ZONE);
  return {
    at(day: Weekday, time: string, weeksLater = 0): number {
      const date = new Date(Date.UTC(monday.year, monday.month - 1, monday.day + WEEKDAYS.indexOf(day) - 1 + 7 * weeksLater + (day === 'sunday' ? 7 : 0)));
      return zonedTime(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), parseTimeOfDay(time)!, ZONE);
    },
  };
}

export interface EmailWorld {
  t: TestApp;
  app: FastifyInstance;
  smtp: TestSmtp;
  week: ReturnType<typeof parisWeek>;
  admin: { id: number; cookie: string };
  close(): Promise<void>;
}

/** An organisation (admin Alice, English) with SMTP and PUBLIC_URL, and the digests first due on the week's Monday 07:30. */
export async function emailWorld(env: Record<string, string> = {}): Promise<EmailWorld> {
  const smtp = await startSmtp();
  const t = await createTestApp({ SMTP_URL: smtp.url, PUBLIC_URL, ...env });
  const cookie = await setupOrganisation(t.app);
  const week = parisWeek();
  // The digests were scheduled at the next real 07:30: move them into the test's week.
  await t.app.jobs.reschedule(t.app.db, 'email.digests', week.at('monday', '07:30'));
  return {
    t,
    app: t.app,
    smtp,
    week,
    admin: { id: 1, cookie },
    async close() {
      await t.close();
      await smtp.close();
    },
  };
}

export async function person(app: FastifyInstance, email: string, options: { name?: string; locale?: Locale } = {}): Promise<{ id: number; cookie: string; email: string }> {
  const id = await createUser(app, { email, name: options.name, locale: options.locale ?? null });
  return { id, cookie: await login(app, email), email };
}

/** Messages delivered to one address. */
export function mailsTo(smtp: TestSmtp, address: string): ParsedMail[] {
  return smtp.messages.filter((m) => m.to && !Array.isArray(m.to) && m.to.value.some((v) => v.address === address));
}

/** The email states of a person's notifications, oldest first. */
export async function emailStates(app: FastifyInstance, userId: number) {
  return app.db.selectFrom('notifications').select(['id', 'type', 'email_state', 'email_at']).where('user_id', '=', userId).orderBy('id').execute();
}

/** The unsubscribe link in an email's footer. */
export function unsubscribeLinkIn(mail: ParsedMail): string {
  const match = /https:\/\/\S+\/email\/unsubscribe\/\S+/.exec(mail.text ?? '');
  if (!match) throw new Error(`no unsubscribe link in: ${mail.text}`);
  return match[0];
}

/** An SMTP server on a given port (a mail server that comes back after being down), keeping what it receives. */
export async function startSmtpOn(port: number): Promise<TestSmtp> {
  return startSmtp(port);
}

/** A port nothing listens on (a mail server that is down). */
export async function closedPort(): Promise<number> {
  const server = new SMTPServer({ logger: false });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Every field of the preferences form as the built-in defaults give it (what a browser posts unchanged). */
export function defaultsForm(): Record<string, string> {
  const fields: Record<string, string> = { digestFrequency: 'organisation', quietHours: 'organisation' };
  for (const type of NOTIFICATION_TYPES) {
    fields[`inApp-${type}`] = '1';
    fields[`email-${type}`] = ['mention', 'must-read', 'must-read-reminder'].includes(type) ? 'immediate' : 'digest';
  }
  return fields;
}
