// How the audit log reads to an admin: a label per known action, the subject, and the details (JSON
// written by recordAudit) as a list of "what: before -> after" lines. Pure functions: unit tested.
import { hasMessage, type Translate } from '../../i18n/index.js';

/**
 * The actions Hameau writes, each with its label under `admin.audit.actions.<action>` (in fr and
 * en). An action not listed (a plugin's, a newer one) shows its own name.
 */
export const KNOWN_ACTIONS = [
  'organisation.setup',
  'organisation.change',
  'settings.change',
  'charter.publish',
  'member.changeRole',
  'member.deactivate',
  'member.reactivate',
  'member.issueResetLink',
  'member.erase',
  'invitation.create',
  'invitation.resend',
  'invitation.revoke',
  'invitation.supersede',
  'invitation.accept',
  'user.passwordChange',
  'user.passwordReset',
  'space.create',
  'space.edit',
  'space.changeVisibility',
  'space.removeMember',
  'space.changeRole',
  'content.delete',
  'content.restore',
  'content.hide',
  'content.unhide',
  'comment.delete',
  'comment.hide',
  'comment.unhide',
  'reports.dismiss',
  'news.urgent',
  'email.quietHoursBypassed',
  'email.retry',
  'notifications.defaults',
  'notifications.applyDefaults',
  'profile.edit',
  'profile.photo',
  'profile.photoRemove',
  'department.create',
  'department.rename',
  'department.delete',
  'site.create',
  'site.rename',
  'site.delete',
  'profileField.create',
  'profileField.update',
  'profileField.delete',
  'people.import',
  'plugin.enable',
  'plugin.disable',
  'plugin.settings',
  'plugin.space',
  'plugin.purge',
  'plugins.stage',
] as const;

const known = new Set<string>(KNOWN_ACTIONS);

/** The action's label in the viewer's language; its own name when Hameau has none for it. */
export function actionLabel(action: string, t: Translate): string {
  // Every known action's key is checked in both languages by test/http/admin-audit.test.ts.
  const key = 'admin.audit.actions.' + action;
  return known.has(action) ? t(key) : action;
}

/** What a subject type is called ("Person", "Space"); its own name for a type Hameau does not know. */
export function subjectTypeLabel(type: string, t: Translate): string {
  // "charter_version" -> "charterVersion"
  const name = type.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
  const key = `admin.audit.subjects.${name}`;
  return /^[A-Za-z]+$/.test(name) && hasMessage(key) ? t(key) : type;
}

/** A field's name in the details ("Brand colour"); its own name when Hameau has no label for it. */
function fieldLabel(name: string, t: Translate): string {
  const key = `admin.audit.fields.${name}`;
  return /^[A-Za-z]+$/.test(name) && hasMessage(key) ? t(key) : name;
}

/** One line of the details: a change (before, after), or a value recorded as it was. */
export type DetailLine = { label: string; before: string; after: string } | { label: string; value: string };

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isRecord(value: unknown): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: Json | undefined, t: Translate): string {
  if (value === undefined || value === null || value === '') return '—';
  if (typeof value === 'boolean') return t(value ? 'admin.audit.yes' : 'admin.audit.no');
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  return JSON.stringify(value);
}

/** Nested records as "a.b" paths to their leaves (arrays and scalars). */
function leaves(value: Json | undefined, prefix: string, into: Map<string, Json | undefined>): Map<string, Json | undefined> {
  if (isRecord(value) && Object.keys(value).length > 0) {
    for (const [key, child] of Object.entries(value)) leaves(child, prefix ? `${prefix}.${key}` : key, into);
  } else {
    into.set(prefix, value);
  }
  return into;
}

function isChange(value: Json): value is { before?: Json; after?: Json } {
  return isRecord(value) && ('before' in value || 'after' in value) && Object.keys(value).every((key) => key === 'before' || key === 'after');
}

/** Before and after, leaf by leaf, for what differs: `{ before: {a, b}, after: {a, b'} }` gives one line for b. */
function changes(label: string, before: Json | undefined, after: Json | undefined, t: Translate): DetailLine[] {
  if (!isRecord(before) || !isRecord(after)) return [{ label, before: text(before, t), after: text(after, t) }];
  const was = leaves(before, '', new Map());
  const now = leaves(after, '', new Map());
  const lines: DetailLine[] = [];
  for (const path of new Set([...was.keys(), ...now.keys()])) {
    if (JSON.stringify(was.get(path)) === JSON.stringify(now.get(path))) continue;
    const name = path.includes('.') ? path : fieldLabel(path, t);
    lines.push({ label: label ? `${label} · ${name}` : name, before: text(was.get(path), t), after: text(now.get(path), t) });
  }
  return lines;
}

/**
 * The details of an entry as lines to read. Three shapes are written: `{ before, after }` (one
 * change, of a value or of a record), `{ field: { before, after }, ... }` (one change per field), and
 * plain facts (`{ email, role }`); they may mix. Anything else is shown as it is stored.
 *
 * @example
 * describeDetails('{"brandColour":{"before":null,"after":"#0b5d1e"}}', t) // [{ label: 'Brand colour', before: '—', after: '#0b5d1e' }]
 */
export function describeDetails(details: string, t: Translate): DetailLine[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(details);
  } catch {
    return details.trim() ? [{ label: '', value: details }] : [];
  }
  if (!isRecord(parsed)) return [{ label: '', value: text(parsed as Json, t) }];
  const lines: DetailLine[] = [];
  if ('before' in parsed || 'after' in parsed) lines.push(...changes('', parsed.before, parsed.after, t));
  for (const [key, value] of Object.entries(parsed)) {
    if (key === 'before' || key === 'after') continue;
    if (isChange(value)) lines.push(...changes(fieldLabel(key, t), value.before, value.after, t));
    else lines.push({ label: fieldLabel(key, t), value: text(value, t) });
  }
  return lines;
}
