// What notification emails say: each notification as a sentence and an absolute link in the
// recipient's language, the single email, and the digest grouped by item. Text first; the HTML part
// is built from the same escaped text.
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database, Locale, Millis } from '../../db/schema.js';
import { translator, type Translate } from '../../i18n/index.js';
import type { OutgoingMail } from '../../mail/mailer.js';
import type { Viewer } from '../../policy/index.js';
import { visibilityOf } from '../../policy/visible-content.js';
import { stillConcerns } from '../../notifications/still-concerns.js';
import { describePluginNotification, pluginNotificationType } from '../../notifications/plugin-types.js';

/** A notification as the emails need it. */
export interface MailNotification {
  id: number;
  type: string;
  userId: number;
  actorId: number | null;
  /** A plugin's notification: the plugin's object it is about. */
  subjectId: number | null;
  actorName: string | null;
  contentId: number | null;
  contentKind: string | null;
  commentId: number | null;
  spaceId: number | null;
  spaceName: string | null;
  createdAt: Millis;
}

/** The notifications (by id) with what their sentences need. */
export async function loadMailNotifications(db: Kysely<Database>, ids: readonly number[]): Promise<MailNotification[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('notifications as n')
    .leftJoin('users as a', 'a.id', 'n.actor_id')
    .leftJoin('spaces as s', 's.id', 'n.space_id')
    .leftJoin('content as c', 'c.id', 'n.content_id')
    .select([
      'n.id',
      'n.type',
      'n.user_id',
      'n.actor_id',
      'n.subject_id',
      'a.name as actor_name',
      'n.content_id',
      'c.kind',
      'n.comment_id',
      'n.space_id',
      's.name as space_name',
      'n.created_at',
    ])
    .where('n.id', 'in', ids)
    .orderBy('n.created_at')
    .orderBy('n.id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    type: r.type,
    userId: r.user_id,
    actorId: r.actor_id,
    subjectId: r.subject_id,
    actorName: r.actor_name,
    contentId: r.content_id,
    contentKind: r.kind,
    commentId: r.comment_id,
    spaceId: r.space_id,
    spaceName: r.space_name,
    createdAt: r.created_at,
  }));
}

/**
 * The ids among `ids` (the viewer's notifications) that still concern the viewer now, by the rule the
 * in-app list applies (src/notifications/still-concerns.ts): the item one they may see, a must-read
 * still a must-read, the space one they may see, the comment not deleted or hidden, a plugin's on.
 */
export async function stillVisible(db: Kysely<Database>, viewer: Viewer, ids: readonly number[], now: Millis): Promise<Set<number>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .selectFrom('notifications as n')
    .select('n.id')
    .where('n.id', 'in', ids)
    .where('n.user_id', '=', viewer.id)
    // What it is about is still there for the person (the bell applies the same rule).
    .where((eb) => stillConcerns(eb, db, visibilityOf(viewer), now))
    .execute();
  return new Set(rows.map((r) => r.id));
}

/** Where a notification leads, as an absolute link. */
export function linkOf(publicUrl: string, n: Pick<MailNotification, 'type' | 'contentId' | 'commentId' | 'spaceId'>): string {
  if (n.type === 'content-reported') return `${publicUrl}/admin/moderation`;
  // Where the request is answered, as the in-app entry (src/features/notifications/describe.ts hrefOf).
  if (n.type === 'space-request' && n.spaceId !== null) return `${publicUrl}/spaces/${n.spaceId}/members`;
  if (n.contentId !== null) return `${publicUrl}/content/${n.contentId}${n.commentId !== null ? `#comment-${n.commentId}` : ''}`;
  if (n.spaceId !== null) return `${publicUrl}/spaces/${n.spaceId}`;
  return `${publicUrl}/notifications`;
}

/** Titles of the items, by content id, in the recipient's language. */
async function titlesOf(app: FastifyInstance, rows: readonly MailNotification[], t: Translate): Promise<Map<number, string>> {
  const items = rows.flatMap((r) => (r.contentId !== null && r.contentKind !== null ? [{ id: r.contentId, kind: r.contentKind }] : []));
  const loaded = await app.contentKinds.loadMany(app.db, items);
  return new Map([...loaded].map(([id, { kind, data }]) => [id, kind.title(data, t)]));
}

const SENTENCE_KEYS: Record<string, string> = {
  mention: 'mention',
  reply: 'reply',
  comment: 'comment',
  reaction: 'reaction',
  'must-read': 'mustRead',
  'must-read-reminder': 'mustReadReminder',
  'space-invitation': 'spaceInvitation',
  'space-request': 'spaceRequest',
  'space-request-approved': 'spaceRequestApproved',
  'content-reported': 'contentReported',
};

/** The locale key part of a type ('must-read' -> 'mustRead'), 'other' for an unknown one. */
function typeKey(type: string): string {
  return SENTENCE_KEYS[type] ?? 'other';
}

/** A type's line on the preference pages and in the outbox ("Mentions"; a plugin's from its definition). */
export function typeLabel(type: string, t: Translate): string {
  const registered = pluginNotificationType(type);
  return registered ? registered.definition.label(t) : t(`emailNotifications.typeLabels.${typeKey(type)}`);
}

/** A type as a sentence names it ("Stop emails about mentions"). */
export function typeNameOf(type: string, t: Translate): string {
  const registered = pluginNotificationType(type);
  if (!registered) return t(`emailNotifications.typeNames.${typeKey(type)}`);
  const label = registered.definition.label(t);
  return label.charAt(0).toLocaleLowerCase() + label.slice(1);
}

/** "Alice, Bruno and 2 others" from the distinct actors of a group. */
function actorList(names: readonly string[], t: Translate): string {
  const distinct = [...new Set(names)];
  if (distinct.length <= 1) return distinct[0] ?? t('emailNotifications.someone');
  if (distinct.length === 2) return t('emailNotifications.actors.two', { first: distinct[0]!, second: distinct[1]! });
  return t('emailNotifications.actors.many', { first: distinct[0]!, count: distinct.length - 1 });
}

function sentence(type: string, params: { actor: string; title: string; space: string; count: number }, t: Translate): string {
  const key = SENTENCE_KEYS[type];
  return key ? t(`emailNotifications.sentences.${key}`, params) : t('emailNotifications.sentences.other', params);
}

export interface Recipient {
  id: number;
  email: string;
  name: string;
  locale: Locale;
}

interface Common {
  app: FastifyInstance;
  recipient: Recipient;
  organisationName: string;
  /** The unsubscribe link for this email (its type, or the digest). */
  unsubscribeUrl: string;
}

/**
 * What plugins say of their notifications among `rows`, in the recipient's language: the sentence and
 * path of each, by id; those that no longer concern the person are left out of `kept`, and so are
 * those whose plugin's `describe` threw (`failed`, with the first error).
 */
async function pluginSentences(app: FastifyInstance, rows: readonly MailNotification[], t: Translate, now: Millis) {
  const described = new Map<number, { text: string; href: string }>();
  const kept: MailNotification[] = [];
  const failed: number[] = [];
  let error: unknown;
  for (const n of rows) {
    const own = await describePluginNotification(app.db, n, t, now);
    if (own === undefined) {
      kept.push(n);
    } else if (own.description === 'failed') {
      failed.push(n.id);
      error ??= own.error;
    } else if (own.description !== 'moot') {
      described.set(n.id, own.description);
      kept.push(n);
    }
  }
  return { described, kept, failed, error };
}

/** The email about one notification, in the recipient's language; null when a plugin says it no longer concerns them. */
export async function singleMail(options: Common & { notification: MailNotification; urgent: boolean; now: Millis }): Promise<OutgoingMail | null> {
  const { app, recipient, notification: n } = options;
  const t = translator(recipient.locale);
  const { described, failed, error } = await pluginSentences(app, [n], t, options.now);
  // Its plugin's code threw: the email fails, and the queue tries again later.
  if (failed.length > 0) throw error instanceof Error ? error : new Error(`notification ${n.type} could not be described`);
  const own = described.get(n.id);
  if (pluginNotificationType(n.type) && !own) return null;
  const titles = await titlesOf(app, [n], t);
  const title = (n.contentId !== null ? titles.get(n.contentId) : undefined) || t('emailNotifications.untitled');
  const text = own?.text ?? sentence(n.type, { actor: n.actorName ?? t('emailNotifications.someone'), title, space: n.spaceName ?? '', count: 1 }, t);
  const link = own ? `${app.config.publicUrl}${own.href}` : linkOf(app.config.publicUrl, n);
  const subjectKey = options.urgent ? 'emailNotifications.single.urgentSubject' : 'emailNotifications.single.subject';
  const subject = t(subjectKey, { text, organisation: options.organisationName });
  const typeName = typeNameOf(n.type, t);
  const body = [
    t('emailNotifications.hello', { name: recipient.name }),
    '',
    `${text}.`,
    '',
    t('emailNotifications.single.open', { link }),
    '',
    '-- ',
    t('emailNotifications.footer.why', { organisation: options.organisationName }),
    t('emailNotifications.footer.unsubscribeType', { type: typeName, link: options.unsubscribeUrl }),
    t('emailNotifications.footer.preferences', { link: `${app.config.publicUrl}/account/notifications` }),
  ].join('\n');
  return { to: recipient.email, subject, text: body, html: htmlOf(body, recipient.locale), unsubscribeUrl: options.unsubscribeUrl };
}

export interface DigestGroup {
  title: string;
  link: string;
  lines: string[];
}

/**
 * The notifications grouped by item (in order of their first notification), each type's actors together.
 * A plugin's notification is a group of its own, under its type's label, with its plugin's sentence.
 */
export async function digestGroups(
  app: FastifyInstance,
  rows: readonly MailNotification[],
  t: Translate,
  described: ReadonlyMap<number, { text: string; href: string }> = new Map(),
): Promise<DigestGroup[]> {
  const titles = await titlesOf(app, rows, t);
  const groups = new Map<string, { title: string; link: string; byType: Map<string, MailNotification[]>; lines?: string[] }>();
  for (const n of rows) {
    const own = described.get(n.id);
    if (own) {
      groups.set(`p${n.id}`, { title: typeLabel(n.type, t), link: `${app.config.publicUrl}${own.href}`, byType: new Map(), lines: [own.text] });
      continue;
    }
    const key = n.contentId !== null ? `c${n.contentId}` : n.spaceId !== null ? `s${n.spaceId}` : `n${n.id}`;
    let group = groups.get(key);
    if (!group) {
      const title =
        n.contentId !== null ? titles.get(n.contentId) || t('emailNotifications.untitled') : n.spaceName ? t('emailNotifications.digest.space', { space: n.spaceName }) : t('emailNotifications.untitled');
      group = { title, link: linkOf(app.config.publicUrl, { ...n, commentId: null }), byType: new Map() };
      groups.set(key, group);
    }
    group.byType.set(n.type, [...(group.byType.get(n.type) ?? []), n]);
  }
  return [...groups.values()].map((group) => ({
    title: group.title,
    link: group.link,
    lines: group.lines ?? [...group.byType].map(([type, list]) =>
      sentence(
        type,
        {
          actor: actorList(list.map((n) => n.actorName ?? t('emailNotifications.someone')), t),
          title: group.title,
          space: list[0]!.spaceName ?? '',
          count: list.length,
        },
        t,
      ),
    ),
  }));
}

/**
 * The digest: one email with every group, in the recipient's language (`mail` null when nothing is left
 * to tell). A plugin's notification its plugin could not describe is left out (`failed`, logged): it
 * waits for the next digest, and never holds back the others.
 */
export async function digestMail(
  options: Common & { notifications: readonly MailNotification[]; frequency: 'daily' | 'weekly'; now: Millis },
): Promise<{ mail: OutgoingMail | null; failed: number[] }> {
  const { app, recipient } = options;
  const t = translator(recipient.locale);
  const { described, kept, failed, error } = await pluginSentences(app, options.notifications, t, options.now);
  if (failed.length > 0) app.log.error({ err: error, notifications: failed.length }, 'plugin notification could not be described');
  if (kept.length === 0) return { mail: null, failed };
  const groups = await digestGroups(app, kept, t, described);
  const count = kept.length;
  const lines = [
    t('emailNotifications.hello', { name: recipient.name }),
    '',
    t(`emailNotifications.digest.intro.${options.frequency}`, { count }),
    '',
  ];
  for (const group of groups) {
    lines.push(`## ${group.title}`);
    for (const line of group.lines) lines.push(`- ${line}`);
    lines.push(group.link, '');
  }
  lines.push(
    '-- ',
    t('emailNotifications.footer.why', { organisation: options.organisationName }),
    t('emailNotifications.footer.unsubscribeDigest', { link: options.unsubscribeUrl }),
    t('emailNotifications.footer.preferences', { link: `${app.config.publicUrl}/account/notifications` }),
  );
  const body = lines.join('\n');
  const mail: OutgoingMail = {
    to: recipient.email,
    subject: t(`emailNotifications.digest.subject.${options.frequency}`, { count, organisation: options.organisationName }),
    text: body,
    html: htmlOf(body, recipient.locale),
    unsubscribeUrl: options.unsubscribeUrl,
  };
  return { mail, failed };
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A plain HTML part from the text: every character escaped, links made clickable, nothing else. */
export function htmlOf(text: string, locale: Locale): string {
  const paragraphs = text.split('\n').map((line) => {
    const escaped = escapeHtml(line).replace(/https?:\/\/[^\s<>&"']+(?:&amp;[^\s<>&"']+)*/g, (url) => `<a href="${url}">${url}</a>`);
    if (line.startsWith('## ')) return `<h2 style="font-size:1.1em">${escaped.slice(3)}</h2>`;
    return escaped === '' ? '<br>' : `<div>${escaped}</div>`;
  });
  return `<!doctype html><html lang="${locale}"><body style="font-family:sans-serif;line-height:1.5">${paragraphs.join('\n')}</body></html>`;
}
