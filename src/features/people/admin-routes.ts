// /admin/people/...: what admins manage about people: departments and sites, the extra profile fields,
// and the CSV import (upload, preview with per-line errors, confirmation). Every handler asks the
// policy first; every change is audited by the service.
import { readFile } from 'node:fs/promises';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { invitationLink } from '../../auth/links.js';
import { createInvitation } from '../../auth/invitations.js';
import { sortName } from '../../auth/users.js';
import type { Locale } from '../../db/schema.js';
import { NotFound, TooManyRequests } from '../../http/errors.js';
import { Field, parseForm, type FieldErrors } from '../../http/form.js';
import { readForm } from '../../http/multipart.js';
import { idParam, single } from '../../http/params.js';
import { invitationMail } from '../../mail/messages.js';
import { authorize } from '../../policy/index.js';
import { FIELD_TYPES, MAX_FIELD_LABEL, MAX_FIELDS, parseOptions, type FieldDefinition } from './fields.js';
import { checkImport, readImportCsv, type CheckedImport, type RowError } from './import-csv.js';
import { serialiseProfile } from './profile-on-accept.js';
import { findEntry, findField, listEntries, listFields, type ListName } from './queries.js';
import {
  addEntry,
  createField,
  deleteEntry,
  deleteField,
  importContext,
  loadImport,
  prepareImport,
  renameEntry,
  startImport,
  updateField,
  type FieldInput,
} from './service.js';

const LISTS: readonly ListName[] = ['departments', 'sites'];
const NameForm = Type.Object({ name: Field.text({ max: 100 }) });
const FieldForm = Type.Object({
  label: Field.text({ max: MAX_FIELD_LABEL }),
  type: Field.optional(Field.choice(FIELD_TYPES)),
  options: Field.optional(Type.String({ maxLength: 4000 })),
  inDirectory: Field.optional(Type.String()),
  position: Field.optional(Type.String({ pattern: '^-?\\d{1,4}$', 'x-message': 'people.fields.positionInvalid' })),
});

type ListParams = { Params: { list: string } };
type EntryParams = { Params: { list: string; id: string } };
type IdParams = { Params: { id: string } };

function listParam(value: string): ListName {
  if (!(LISTS as readonly string[]).includes(value)) throw new NotFound();
  return value as ListName;
}

/** A row error as the preview shows it, in the admin's language. */
export function rowErrorMessage(t: FastifyRequest['t'], error: RowError): string {
  switch (error.code) {
    case 'tooLong':
      return t('people.import.errors.tooLong', { column: t(`people.import.columns.${error.column}`), max: error.max });
    case 'duplicate':
      return t('people.import.errors.duplicate', { line: error.firstLine });
    default:
      return t(`people.import.errors.${error.code}`);
  }
}

export default async function adminRoutes(app: FastifyInstance) {
  app.get('/admin/people', async (request, reply) => {
    authorize(request.user, 'people.manage');
    return reply.render('people/admin/index', { title: request.t('people.admin.title') });
  });

  // Departments and sites -------------------------------------------------------------------------

  async function renderList(request: FastifyRequest, reply: FastifyReply, list: ListName, extra: { values?: Record<string, string>; errors?: FieldErrors; renameErrors?: Record<number, string>; status?: number } = {}) {
    return reply.render(
      'people/admin/lists',
      {
        title: request.t(`people.lists.${list}.title`),
        list,
        entries: await listEntries(app.db, list),
        values: extra.values ?? {},
        errors: extra.errors ?? {},
        renameErrors: extra.renameErrors ?? {},
      },
      { status: extra.status ?? 200 },
    );
  }

  app.get<ListParams>('/admin/people/:list', async (request, reply) => {
    authorize(request.user, 'people.manage');
    return renderList(request, reply, listParam(request.params.list));
  });

  app.post<ListParams>('/admin/people/:list', async (request, reply) => {
    authorize(request.user, 'people.manage');
    const list = listParam(request.params.list);
    const form = parseForm(NameForm, request.body, request.t);
    if (!form.ok) return renderList(request, reply, list, { values: form.values, errors: form.errors, status: 422 });
    const result = await addEntry(app.db, request.user.id, list, form.value.name);
    if (!result.ok) return renderList(request, reply, list, { values: form.values, errors: { name: request.t('people.lists.exists', { name: form.value.name }) }, status: 422 });
    reply.flash('people.flash.entryAdded', { name: form.value.name });
    return reply.redirectTo(`/admin/people/${list}`);
  });

  app.post<EntryParams>('/admin/people/:list/:id', async (request, reply) => {
    authorize(request.user, 'people.manage');
    const list = listParam(request.params.list);
    const entry = await findEntry(app.db, list, idParam(request.params.id));
    if (!entry) throw new NotFound();
    const form = parseForm(NameForm, request.body, request.t);
    if (!form.ok) return renderList(request, reply, list, { renameErrors: { [entry.id]: form.errors.name ?? '' }, status: 422 });
    const result = await renameEntry(app.db, request.user.id, list, entry, form.value.name);
    if (!result.ok) return renderList(request, reply, list, { renameErrors: { [entry.id]: request.t('people.lists.exists', { name: form.value.name }) }, status: 422 });
    reply.flash('people.flash.entryRenamed', { name: form.value.name });
    return reply.redirectTo(`/admin/people/${list}`);
  });

  // In use: a page says how many people have it and asks to confirm; deleting clears it on them.
  app.post<EntryParams>('/admin/people/:list/:id/delete', async (request, reply) => {
    authorize(request.user, 'people.manage');
    const list = listParam(request.params.list);
    const entry = await findEntry(app.db, list, idParam(request.params.id));
    if (!entry) throw new NotFound();
    const confirmed = single((request.body as Record<string, unknown> | undefined)?.confirm) === 'yes';
    if (entry.people > 0 && !confirmed) {
      return reply.render('people/admin/delete-entry', { title: request.t(`people.lists.${list}.deleteTitle`, { name: entry.name }), list, entry });
    }
    const cleared = await deleteEntry(app.db, request.user.id, list, entry);
    reply.flash('people.flash.entryDeleted', { name: entry.name, count: cleared });
    return reply.redirectTo(`/admin/people/${list}`);
  });

  // Extra profile fields ----------------------------------------------------------------------------

  function readFieldForm(request: FastifyRequest, existing: FieldDefinition | null) {
    const form = parseForm(FieldForm, request.body, request.t);
    const errors: FieldErrors = form.ok ? {} : { ...form.errors };
    const value = form.ok ? form.value : null;
    const type = existing?.type ?? value?.type ?? null;
    if (!existing && !value?.type && !errors.type) errors.type = request.t('validation.required');
    const options = parseOptions(value?.options ?? '');
    if (type === 'choice') {
      if (options === null) errors.options = request.t('people.fields.optionsInvalid');
      else if (options.length === 0) errors.options = request.t('people.fields.optionsRequired');
    }
    if (Object.keys(errors).length > 0 || !value || !type) return { ok: false as const, errors, values: form.values };
    const input: FieldInput = {
      label: value.label,
      type,
      options: options ?? [],
      inDirectory: value.inDirectory === 'yes',
      position: value.position === undefined ? null : Number(value.position),
    };
    return { ok: true as const, input, values: form.values };
  }

  async function renderFields(request: FastifyRequest, reply: FastifyReply, extra: { values?: Record<string, string>; errors?: FieldErrors; status?: number } = {}) {
    return reply.render(
      'people/admin/fields',
      {
        title: request.t('people.fields.title'),
        fields: await listFields(app.db),
        maxFields: MAX_FIELDS,
        types: FIELD_TYPES,
        values: extra.values ?? { type: 'text' },
        errors: extra.errors ?? {},
      },
      { status: extra.status ?? 200 },
    );
  }

  app.get('/admin/people/fields', async (request, reply) => {
    authorize(request.user, 'people.manage');
    return renderFields(request, reply);
  });

  app.post('/admin/people/fields', async (request, reply) => {
    authorize(request.user, 'people.manage');
    const read = readFieldForm(request, null);
    if (!read.ok) return renderFields(request, reply, { values: read.values, errors: read.errors, status: 422 });
    if ((await listFields(app.db)).length >= MAX_FIELDS) {
      return renderFields(request, reply, { values: read.values, errors: { label: request.t('people.fields.tooMany', { max: MAX_FIELDS }) }, status: 422 });
    }
    await createField(app.db, request.user.id, read.input);
    reply.flash('people.flash.fieldAdded', { label: read.input.label });
    return reply.redirectTo('/admin/people/fields');
  });

  async function loadField(id: string): Promise<FieldDefinition> {
    const field = await findField(app.db, idParam(id));
    if (!field) throw new NotFound();
    return field;
  }

  const fieldValues = (field: FieldDefinition): Record<string, string> => ({
    label: field.label,
    options: field.options.join('\n'),
    inDirectory: field.in_directory === 1 ? 'yes' : '',
    position: String(field.position),
  });

  app.get<IdParams>('/admin/people/fields/:id', async (request, reply) => {
    authorize(request.user, 'people.manage');
    const field = await loadField(request.params.id);
    return reply.render('people/admin/field-edit', { title: request.t('people.fields.editTitle', { label: field.label }), field, values: fieldValues(field), errors: {} });
  });

  app.post<IdParams>('/admin/people/fields/:id', async (request, reply) => {
    authorize(request.user, 'people.manage');
    const field = await loadField(request.params.id);
    const read = readFieldForm(request, field);
    if (!read.ok) {
      return reply.render('people/admin/field-edit', { title: request.t('people.fields.editTitle', { label: field.label }), field, values: read.values, errors: read.errors }, { status: 422 });
    }
    await updateField(app.db, request.user.id, field, read.input);
    reply.flash('people.flash.fieldSaved', { label: read.input.label });
    return reply.redirectTo('/admin/people/fields');
  });

  app.post<IdParams>('/admin/people/fields/:id/delete', async (request, reply) => {
    authorize(request.user, 'people.manage');
    const field = await loadField(request.params.id);
    await deleteField(app.db, request.user.id, field);
    reply.flash('people.flash.fieldDeleted', { label: field.label });
    return reply.redirectTo('/admin/people/fields');
  });

  // CSV import --------------------------------------------------------------------------------------

  const renderImport = (request: FastifyRequest, reply: FastifyReply, extra: { error?: string; status?: number } = {}) =>
    reply.render('people/admin/import', { title: request.t('people.import.title'), fileError: extra.error ?? null, mailEnabled: app.mailer.enabled }, { status: extra.status ?? 200 });

  const renderPreview = (request: FastifyRequest, reply: FastifyReply, checked: CheckedImport, importId: string | null, extra: { formError?: string; status?: number } = {}) =>
    reply.render(
      'people/admin/import-preview',
      {
        title: request.t('people.import.previewTitle'),
        checked,
        importId,
        mailEnabled: app.mailer.enabled,
        formError: extra.formError ?? null,
        rowErrors: (errors: RowError[]) => errors.map((e) => rowErrorMessage(request.t, e)),
      },
      { status: extra.status ?? (importId ? 200 : 422) },
    );

  app.get('/admin/people/import', async (request, reply) => {
    authorize(request.user, 'people.manage');
    return renderImport(request, reply);
  });

  // Upload -> preview. Nothing is written here but the checked rows kept for the confirmation.
  app.post('/admin/people/import', async (request, reply) => {
    authorize(request.user, 'people.manage');
    const { files } = await readForm(request);
    const file = files.find((f) => f.field === 'file');
    if (!file) return renderImport(request, reply, { error: request.t('people.import.fileMissing'), status: 422 });
    if (file.truncated) return renderImport(request, reply, { error: request.t('people.import.read.tooLarge'), status: 422 });
    const read = readImportCsv(await readFile(file.tempPath));
    if (!read.ok) return renderImport(request, reply, { error: request.t(`people.import.read.${read.problem}`), status: 422 });
    if (read.rows.length === 0) return renderImport(request, reply, { error: request.t('people.import.read.empty'), status: 422 });
    const { checked, importId } = await prepareImport(app.db, request.user.id, read.rows);
    return renderPreview(request, reply, checked, importId);
  });

  // Confirmation: the rows come from the server's copy, checked again against the database as it is now.
  app.post('/admin/people/import/confirm', async (request, reply) => {
    authorize(request.user, 'people.manage');
    const admin = request.user;
    const importId = single((request.body as Record<string, unknown> | undefined)?.importId) ?? '';
    const rows = await loadImport(app.db, admin.id, importId);
    if (!rows) return renderImport(request, reply, { error: request.t('people.import.expired'), status: 410 });
    const checked = checkImport(rows, await importContext(app.db));
    if (checked.errorCount > 0) return renderPreview(request, reply, checked, null);
    // The invitation limit counts every invitation of the import; over it, nothing is sent.
    let reservation;
    try {
      reservation = await app.limiters.invitationsPerAdmin.reserve(request, String(admin.id), checked.rows.length);
    } catch (error) {
      if (!(error instanceof TooManyRequests)) throw error;
      return renderPreview(request, reply, checked, importId, { formError: request.t('people.import.rateLimited', { count: checked.rows.length }), status: 429 });
    }
    const ids = await startImport(app.db, admin.id, importId, checked);
    if (!ids) {
      await reservation.refund();
      return renderImport(request, reply, { error: request.t('people.import.expired'), status: 410 });
    }
    const locale: Locale = request.organisation?.default_locale ?? request.locale;
    const results: Array<{ line: number; email: string; name: string; outcome: 'emailed' | 'link' | 'sendFailed' | 'skipped'; link: string | null }> = [];
    for (const row of checked.rows) {
      const v = row.values;
      const profile = serialiseProfile({
        name: v.name,
        jobTitle: v.jobTitle || null,
        departmentId: v.department ? (ids.departments.get(sortName(v.department)) ?? null) : null,
        siteId: v.site ? (ids.sites.get(sortName(v.site)) ?? null) : null,
        managerEmail: v.managerEmail || null,
      });
      const created = await createInvitation(app.db, { email: v.email, role: 'member', locale, invitedBy: admin.id, profile });
      if (!created.ok) {
        results.push({ line: row.line, email: v.email, name: v.name, outcome: 'skipped', link: null });
        continue;
      }
      const link = invitationLink(app.config.publicUrl, created.token);
      const emailed =
        app.mailer.enabled &&
        (await app.mailer.send(
          invitationMail({
            to: created.invitation.email,
            locale: created.invitation.locale,
            organisationName: request.organisation?.name ?? 'Hameau',
            inviterName: admin.name,
            link,
            expiresAt: created.invitation.expires_at,
            timeZone: request.organisation?.time_zone,
          }),
        ));
      results.push({ line: row.line, email: v.email, name: v.name, outcome: emailed ? 'emailed' : app.mailer.enabled ? 'sendFailed' : 'link', link: emailed ? null : link });
    }
    request.log.info({ rows: results.length }, 'people imported');
    // Shown once, from this answer: the links are never stored in clear (a reload offers a new import).
    return reply.render('people/admin/import-done', { title: request.t('people.import.doneTitle'), results, mailEnabled: app.mailer.enabled }, { keepUrl: true });
  });
}
