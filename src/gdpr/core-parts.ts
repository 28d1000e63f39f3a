// The core's parts of a person's data export and erasure (GDPR), registered with the plugin runtime
// like any plugin's hooks (app.plugins.addCoreHooks), so that exportUser / eraseUser run the core's
// parts and the enabled plugins' alike. docs/gdpr.md says what each part holds and what erasure does.
//
// An export holds what is about the person and theirs, never other people's personal data: names of
// spaces, departments, sites and of their manager, yes; who else reacted, commented or was notified, no.
// Never a password hash, a session secret or a link token.
import type { Kysely, Transaction } from 'kysely';
import { sortName } from '../auth/users.js';
import type { Database, Locale } from '../db/schema.js';
import { translate } from '../i18n/index.js';
import type { UserEraseHook, UserExportHook } from '../plugins/contract.js';
import type { PluginRuntime } from '../plugins/runtime.js';

type Db = Kysely<Database>;

/** The hooks of one core part: the same two a plugin may give. */
export interface CorePart {
  'user.export'?: UserExportHook;
  'user.erase'?: UserEraseHook;
}

/** Where an erased person's email points: a reserved top-level domain (RFC 2606), never delivered. */
export const ERASED_EMAIL_DOMAIN = 'erased.invalid';

/** The unique, undeliverable address an erased account keeps (users.email is unique and required). */
export function erasedEmail(userId: number): string {
  return `erased-${userId}@${ERASED_EMAIL_DOMAIN}`;
}

const iso = (millis: number | null): string | null => (millis === null ? null : new Date(millis).toISOString());

// ------------------------------------------------------------------------------------------ profile

async function exportProfile({ db, userId }: { db: Db; userId: number }) {
  const person = await db
    .selectFrom('users as u')
    .leftJoin('departments as d', 'd.id', 'u.department_id')
    .leftJoin('sites as s', 's.id', 'u.site_id')
    .leftJoin('users as m', 'm.id', 'u.manager_id')
    .select([
      'u.id',
      'u.name',
      'u.email',
      'u.role',
      'u.locale',
      'u.status',
      'u.created_at',
      'u.password_changed_at',
      'u.deactivated_at',
      'u.job_title',
      'u.phone',
      'u.bio',
      'u.languages',
      'u.photo_id',
      'd.name as department',
      's.name as site',
      'm.name as manager',
    ])
    .where('u.id', '=', userId)
    .executeTakeFirst();
  if (!person) return null;
  const [skills, fields] = await Promise.all([
    db.selectFrom('user_skills as us').innerJoin('skills as k', 'k.id', 'us.skill_id').select('k.label').where('us.user_id', '=', userId).orderBy('k.label').execute(),
    db
      .selectFrom('profile_values as v')
      .innerJoin('profile_fields as f', 'f.id', 'v.field_id')
      .select(['f.label', 'v.value'])
      .where('v.user_id', '=', userId)
      .orderBy('f.position')
      .orderBy('f.id')
      .execute(),
  ]);
  return {
    id: person.id,
    name: person.name,
    email: person.email,
    role: person.role,
    language: person.locale,
    status: person.status,
    joinedAt: iso(person.created_at),
    passwordChangedAt: iso(person.password_changed_at),
    deactivatedAt: iso(person.deactivated_at),
    jobTitle: person.job_title,
    department: person.department,
    site: person.site,
    manager: person.manager,
    phone: person.phone,
    bio: person.bio,
    languages: person.languages,
    hasPhoto: person.photo_id !== null,
    skills: skills.map((s) => s.label),
    fields: fields.map((f) => ({ label: f.label, value: f.value })),
  };
}

/**
 * The account stays (what they wrote keeps an author), emptied of everything about the person: a
 * neutral name in the organisation's language, an undeliverable address, no password, no profile.
 * Status 'erased': never signed in, listed, suggested, found, reactivated or emailed again.
 * The photo's file is removed by the caller once the erasure is committed.
 */
async function eraseProfile({ trx, userId, now }: { trx: Transaction<Database>; userId: number; now: number }) {
  const organisation = await trx.selectFrom('organisation').select('default_locale').executeTakeFirst();
  const name = formerMemberName(organisation?.default_locale ?? 'fr');
  // Invitations to their address or accepted by them (they hold the address, and an import's profile),
  // read before the address is replaced.
  const person = await trx.selectFrom('users').select('email').where('id', '=', userId).executeTakeFirstOrThrow();
  await trx.deleteFrom('invitations').where((eb) => eb.or([eb('accepted_user_id', '=', userId), eb('email', '=', person.email)])).execute();
  await trx
    .updateTable('users')
    .set({
      name,
      sort_name: sortName(name),
      email: erasedEmail(userId),
      password_hash: '',
      locale: null,
      status: 'erased',
      updated_at: now,
      deactivated_at: now,
      job_title: null,
      job_title_sort: null,
      department_id: null,
      site_id: null,
      manager_id: null,
      phone: null,
      bio: null,
      photo_id: null,
      languages: null,
    })
    .where('id', '=', userId)
    .execute();
  await trx.deleteFrom('user_skills').where('user_id', '=', userId).execute();
  await trx.deleteFrom('profile_values').where('user_id', '=', userId).execute();
  // The triggers queue the person on a name change; said again here, whatever changed.
  await trx.insertInto('search_queue').values({ source: 'person', key: userId }).onConflict((oc) => oc.doNothing()).execute();
}

/** The neutral name an erased person's account shows, in the organisation's language. */
export function formerMemberName(locale: Locale): string {
  return translate(locale, 'gdpr.formerMember');
}

// ------------------------------------------------------------------------------------------ account

async function exportAccount({ db, userId }: { db: Db; userId: number }) {
  const [sessions, charter] = await Promise.all([
    // The devices signed in: never the session's id or secret.
    db.selectFrom('sessions').select(['user_agent', 'created_at', 'last_verified_at']).where('user_id', '=', userId).orderBy('created_at').execute(),
    db.selectFrom('charter_acceptances').select(['version_id', 'accepted_at']).where('user_id', '=', userId).orderBy('accepted_at').execute(),
  ]);
  return {
    sessions: sessions.map((s) => ({ device: s.user_agent, signedInAt: iso(s.created_at), lastSeenAt: iso(s.last_verified_at) })),
    charterAcceptances: charter.map((c) => ({ charterVersion: c.version_id, acceptedAt: iso(c.accepted_at) })),
  };
}

/** No way back in: sessions and password links go (invitations go with the address, in core.profile). */
async function eraseAccount({ trx, userId }: { trx: Transaction<Database>; userId: number }) {
  await trx.deleteFrom('sessions').where('user_id', '=', userId).execute();
  await trx.deleteFrom('password_resets').where('user_id', '=', userId).execute();
  await trx.deleteFrom('feed_visits').where('user_id', '=', userId).execute();
}

// ------------------------------------------------------------------------------------------ content

/**
 * What they wrote, wherever it is now (a private space they have left included: their own text is
 * theirs), drafts and deleted items within their 30 days included, marked as such; their comments,
 * reactions, files' descriptions, reports and read confirmations. Other people's text never.
 */
async function exportContent({ db, userId }: { db: Db; userId: number }) {
  const [items, comments, reactions, files, reports, confirmations] = await Promise.all([
    db
      .selectFrom('content as c')
      .innerJoin('spaces as s', 's.id', 'c.space_id')
      .leftJoin('news_articles as n', 'n.content_id', 'c.id')
      .leftJoin('posts as p', 'p.content_id', 'c.id')
      .select([
        'c.id',
        'c.kind',
        's.name as space',
        'c.created_at',
        'c.published_at',
        'c.edited_at',
        'c.deleted_at',
        'c.hidden_at',
        'n.title',
        'n.category',
        'n.body as articleBody',
        'p.summary',
        'p.body as postBody',
      ])
      .where('c.author_id', '=', userId)
      .orderBy('c.id')
      .execute(),
    db
      .selectFrom('comments')
      .select(['id', 'content_id', 'parent_id', 'body', 'created_at', 'edited_at', 'deleted_at', 'hidden_at'])
      .where('author_id', '=', userId)
      .orderBy('id')
      .execute(),
    db.selectFrom('reactions').select(['content_id', 'reaction', 'created_at']).where('user_id', '=', userId).orderBy('created_at').execute(),
    db
      .selectFrom('attachments')
      .select(['original_name', 'mime_type', 'size_bytes', 'content_id', 'comment_id', 'created_at'])
      .where('uploader_id', '=', userId)
      .orderBy('id')
      .execute(),
    db.selectFrom('reports').select(['content_id', 'comment_id', 'reason', 'created_at', 'status']).where('reporter_id', '=', userId).orderBy('id').execute(),
    db.selectFrom('read_confirmations').select(['content_id', 'confirmed_at']).where('user_id', '=', userId).orderBy('confirmed_at').execute(),
  ]);
  return {
    items: items.map((c) => ({
      id: c.id,
      kind: c.kind,
      space: c.space,
      title: c.title ?? c.summary ?? null,
      category: c.category ?? null,
      // The text as written (markdown); other kinds' text is in their plugin's part.
      body: c.articleBody ?? c.postBody ?? null,
      createdAt: iso(c.created_at),
      publishedAt: iso(c.published_at),
      editedAt: iso(c.edited_at),
      deletedAt: iso(c.deleted_at),
      hiddenAt: iso(c.hidden_at),
    })),
    comments: comments.map((c) => ({
      id: c.id,
      contentId: c.content_id,
      replyTo: c.parent_id,
      body: c.body,
      createdAt: iso(c.created_at),
      editedAt: iso(c.edited_at),
      deletedAt: iso(c.deleted_at),
      hiddenAt: iso(c.hidden_at),
    })),
    reactions: reactions.map((r) => ({ contentId: r.content_id, reaction: r.reaction, at: iso(r.created_at) })),
    files: files.map((f) => ({ name: f.original_name, type: f.mime_type, bytes: f.size_bytes, contentId: f.content_id, commentId: f.comment_id, uploadedAt: iso(f.created_at) })),
    reports: reports.map((r) => ({ contentId: r.content_id, commentId: r.comment_id, reason: r.reason, status: r.status, at: iso(r.created_at) })),
    readConfirmations: confirmations.map((r) => ({ contentId: r.content_id, at: iso(r.confirmed_at) })),
  };
}

// ------------------------------------------------------------------------------------------ spaces

async function exportSpaces({ db, userId }: { db: Db; userId: number }) {
  const [memberships, requests, follows] = await Promise.all([
    db.selectFrom('space_members as m').innerJoin('spaces as s', 's.id', 'm.space_id').select(['s.name', 'm.role', 'm.joined_at']).where('m.user_id', '=', userId).orderBy('m.joined_at').execute(),
    db.selectFrom('space_requests as r').innerJoin('spaces as s', 's.id', 'r.space_id').select(['s.name', 'r.kind', 'r.created_at']).where('r.user_id', '=', userId).execute(),
    db.selectFrom('space_follows as f').innerJoin('spaces as s', 's.id', 'f.space_id').select(['s.name', 'f.created_at']).where('f.user_id', '=', userId).execute(),
  ]);
  return {
    memberships: memberships.map((m) => ({ space: m.name, role: m.role, joinedAt: iso(m.joined_at) })),
    requests: requests.map((r) => ({ space: r.name, kind: r.kind, at: iso(r.created_at) })),
    followed: follows.map((f) => ({ space: f.name, since: iso(f.created_at) })),
  };
}

async function eraseSpaces({ trx, userId }: { trx: Transaction<Database>; userId: number }) {
  await trx.deleteFrom('space_members').where('user_id', '=', userId).execute();
  await trx.deleteFrom('space_requests').where('user_id', '=', userId).execute();
  await trx.deleteFrom('space_follows').where('user_id', '=', userId).execute();
}

// ------------------------------------------------------------------------------------------ notifications

async function exportNotifications({ db, userId }: { db: Db; userId: number }) {
  const [follows, preferences, settings, notifications] = await Promise.all([
    db.selectFrom('content_follows').select(['content_id', 'state', 'updated_at']).where('user_id', '=', userId).orderBy('content_id').execute(),
    db.selectFrom('notification_preferences').select(['type', 'in_app', 'email']).where('user_id', '=', userId).orderBy('type').execute(),
    db.selectFrom('notification_settings').select(['digest_frequency', 'quiet_start', 'quiet_end', 'quiet_weekends']).where('user_id', '=', userId).executeTakeFirst(),
    // What they were told about, not by whom: the actor is someone else.
    db.selectFrom('notifications').select(['type', 'content_id', 'comment_id', 'created_at', 'read_at']).where('user_id', '=', userId).orderBy('id').execute(),
  ]);
  return {
    followedItems: follows.map((f) => ({ contentId: f.content_id, state: f.state, since: iso(f.updated_at) })),
    preferences: preferences.map((p) => ({ type: p.type, inApp: p.in_app === 1, email: p.email })),
    settings: settings
      ? { digest: settings.digest_frequency, quietStart: settings.quiet_start, quietEnd: settings.quiet_end, quietWeekends: settings.quiet_weekends === null ? null : settings.quiet_weekends === 1 }
      : null,
    notifications: notifications.map((n) => ({ type: n.type, contentId: n.content_id, commentId: n.comment_id, at: iso(n.created_at), readAt: iso(n.read_at) })),
  };
}

async function eraseNotifications({ trx, userId }: { trx: Transaction<Database>; userId: number }) {
  await trx.deleteFrom('content_follows').where('user_id', '=', userId).execute();
  await trx.deleteFrom('notification_preferences').where('user_id', '=', userId).execute();
  await trx.deleteFrom('notification_settings').where('user_id', '=', userId).execute();
  await trx.deleteFrom('notifications').where('user_id', '=', userId).execute();
}

// ------------------------------------------------------------------------------------------ the parts

/** The core's parts, by the name they have in an export (and in an erasure's error). */
export const CORE_PARTS: Readonly<Record<string, CorePart>> = {
  'core.profile': { 'user.export': exportProfile, 'user.erase': eraseProfile },
  'core.account': { 'user.export': exportAccount, 'user.erase': eraseAccount },
  'core.content': { 'user.export': exportContent },
  'core.spaces': { 'user.export': exportSpaces, 'user.erase': eraseSpaces },
  'core.notifications': { 'user.export': exportNotifications, 'user.erase': eraseNotifications },
};

/**
 * Registers the core's parts with the plugin runtime, once at start (before the first export or erasure).
 *
 * @example
 * addCoreParts(app.plugins);
 */
export function addCoreParts(plugins: Pick<PluginRuntime, 'addCoreHooks'>): void {
  for (const [name, hooks] of Object.entries(CORE_PARTS)) plugins.addCoreHooks(name, hooks);
}
