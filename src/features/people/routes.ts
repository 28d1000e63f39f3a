// People: profiles (view, edit, photo), the directory, the org chart, and the names offered while
// typing a mention (@...) or a skill. The admin pages (departments, sites, fields, CSV import) are in
// admin-routes.ts, registered from here.
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import { Type, type TSchema } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { NotFound, TooManyRequests } from '../../http/errors.js';
import { Field, parseForm, type FieldErrors } from '../../http/form.js';
import { readForm } from '../../http/multipart.js';
import { idParam, optionalId, single } from '../../http/params.js';
import { isPartialRequest } from '../../http/render.js';
import { authorize, can, type Viewer } from '../../policy/index.js';
import { listFeed } from '../feed/queries.js';
import adminRoutes from './admin-routes.js';
import { checkFieldValue, type FieldDefinition } from './fields.js';
import { buildOrgTree } from './org.js';
import { isPhotoKey, photoPath, removePhoto, storePhoto } from './photos.js';
import {
  activePeople,
  departmentsAndSites,
  fieldValuesOf,
  findPerson,
  listDirectory,
  listFields,
  listSkillsOf,
  orgChartPeople,
  photoInUse,
  profileDetails,
  suggestPeople,
  suggestSkills,
  type Person,
} from './queries.js';
import { setPhoto, updateProfile, type ProfileInput } from './service.js';
import { lastFragment, MAX_LANGUAGE_LENGTH, MAX_LANGUAGES, MAX_SKILL_LENGTH, MAX_SKILLS, parseTags } from './tags.js';

type IdParams = { Params: { id: string } };

export const LIMITS = { jobTitle: 100, phone: 40, bio: 2000, skills: 1200, languages: 500, field: 1000 } as const;

/** Digits, spaces and the signs phone numbers are written with: "+33 1 23 45 67 89", "(555) 123-4567 ext. 12". */
const PHONE = '^[0-9+().\\s/-]*(?:(?:ext|poste|x)\\.?\\s*[0-9]+)?$';

const ProfileBase = {
  jobTitle: Field.optional(Field.text({ max: LIMITS.jobTitle })),
  department: Field.optional(Type.String({ maxLength: 20 })),
  site: Field.optional(Type.String({ maxLength: 20 })),
  manager: Field.optional(Type.String({ maxLength: 20 })),
  phone: Field.optional(Type.String({ minLength: 1, maxLength: LIMITS.phone, pattern: PHONE, 'x-message': 'people.edit.phoneInvalid' })),
  bio: Field.optional(Field.text({ max: LIMITS.bio })),
  skills: Field.optional(Field.text({ max: LIMITS.skills })),
  languages: Field.optional(Field.text({ max: LIMITS.languages })),
};

const fieldName = (field: { id: number }) => `field_${field.id}`;

/** The profile form's schema: the fixed fields, and one per extra field. */
function profileSchema(fields: readonly FieldDefinition[]) {
  const properties: Record<string, TSchema> = { ...ProfileBase };
  for (const field of fields) properties[fieldName(field)] = Field.optional(Field.text({ max: LIMITS.field }));
  return Type.Object(properties);
}

export default async function peopleRoutes(app: FastifyInstance) {
  await app.register(adminRoutes);

  // An HTML fragment, never a page: a listbox that static/js/mentions.js puts under the text being typed.
  app.get('/people/suggest', async (request, reply) => {
    authorize(request.user, 'app.use');
    const q = (request.query as Record<string, unknown>).q;
    const people = typeof q === 'string' ? await suggestPeople(app.db, q) : [];
    const html = await reply.viewAsync('people/suggest', { ...request.viewLocals(), people });
    return reply.header('Cache-Control', 'no-store').type('text/html; charset=utf-8').send(html);
  });

  // A <datalist> fragment for the skills field: each option is the whole field with its last skill completed.
  app.get('/people/skills/suggest', async (request, reply) => {
    authorize(request.user, 'app.use');
    const query = request.query as Record<string, unknown>;
    const typed = single(query.skills) ?? single(query.q) ?? '';
    const { before, fragment } = lastFragment(typed.slice(0, LIMITS.skills));
    const skills = fragment === '' ? [] : await suggestSkills(app.db, fragment);
    const prefix = before === '' ? '' : `${before} `;
    const options = skills.map((label) => ({ label, value: `${prefix}${label}` }));
    const html = await reply.viewAsync('people/skills-suggest', { ...request.viewLocals(), options });
    return reply.header('Cache-Control', 'no-store').type('text/html; charset=utf-8').send(html);
  });

  app.get('/people', async (request, reply) => {
    authorize(request.user, 'app.use');
    const query = request.query as Record<string, unknown>;
    const filters = {
      q: (single(query.q) ?? '').slice(0, 100),
      departmentId: optionalId(query.department),
      siteId: optionalId(query.site),
      after: single(query.after),
    };
    const [page, lists] = await Promise.all([listDirectory(app.db, filters), isPartialRequest(request) ? null : departmentsAndSites(app.db)]);
    const search = new URLSearchParams();
    if (filters.q) search.set('q', filters.q);
    if (filters.departmentId !== null) search.set('department', String(filters.departmentId));
    if (filters.siteId !== null) search.set('site', String(filters.siteId));
    const base = search.toString();
    const nextUrl = page.next ? `/people?${base ? `${base}&` : ''}after=${encodeURIComponent(page.next)}` : null;
    return reply.render(
      'people/directory',
      {
        title: request.t('people.directory.title'),
        filters,
        departments: lists?.departments ?? [],
        sites: lists?.sites ?? [],
        people: page.rows,
        nextUrl,
        firstUrl: filters.after ? `/people${base ? `?${base}` : ''}` : null,
        partial: isPartialRequest(request),
      },
      { fragment: 'people/directory-results' },
    );
  });

  app.get('/people/org-chart', async (request, reply) => {
    authorize(request.user, 'app.use');
    const tree = buildOrgTree(await orgChartPeople(app.db));
    return reply.render('people/org-chart', { title: request.t('people.org.title'), tree });
  });

  // Photos are seen by signed-in people only, and only while a profile uses them.
  app.get<{ Params: { key: string } }>('/people/photos/:key', async (request, reply) => {
    authorize(request.user, 'app.use');
    const key = request.params.key.replace(/\.webp$/, '');
    if (!isPhotoKey(key)) throw new NotFound();
    if (!(await photoInUse(app.db, key))) throw new NotFound();
    const file = photoPath(app.config.dataDir, key);
    let size: number;
    try {
      size = (await fs.stat(file)).size;
    } catch {
      throw new NotFound();
    }
    const etag = `"${key}"`;
    reply.headers({
      'content-type': 'image/webp',
      'content-disposition': 'inline; filename="photo.webp"',
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'; sandbox",
      'cache-control': 'private, max-age=3600',
      etag,
    });
    if (request.headers['if-none-match'] === etag) return reply.code(304).send();
    reply.header('content-length', size);
    return reply.send(createReadStream(file));
  });

  app.get<IdParams>('/people/:id', async (request, reply) => {
    authorize(request.user, 'app.use');
    const person = await findPerson(app.db, idParam(request.params.id));
    if (!person) throw new NotFound();
    const after = (request.query as Record<string, unknown>).after;
    // Only what the viewer may see: listFeed reads through the policy's visibleContent.
    const [{ items, next }, details, sections] = await Promise.all([
      listFeed(app, request.user, { authorId: person.id, ...(typeof after === 'string' ? { after } : {}) }),
      isPartialRequest(request) ? null : profileDetails(app.db, person),
      // Sections of the core and of enabled plugins (src/plugins): rendered HTML, each with its title.
      isPartialRequest(request) ? [] : app.plugins.profileSections(request, person.id),
    ]);
    return reply.render(
      'people/show',
      {
        title: person.name,
        person: shownPerson(person, request.user),
        details,
        sections,
        items,
        next,
        moreUrl: `/people/${person.id}`,
        // htmx's infinite scroll puts the next cards in place of the "more" element of the list.
        continuation: isPartialRequest(request),
        emptyMessage: request.t('people.noContributions'),
        headingLevel: 3,
      },
      { fragment: 'content/list' },
    );
  });

  /** The person whose profile the viewer may edit: 404 when there is none, 403 when it is someone else's. */
  async function editable(request: FastifyRequest<IdParams>): Promise<{ viewer: Viewer; person: Person }> {
    authorize(request.user, 'app.use');
    const person = await findPerson(app.db, idParam(request.params.id));
    if (!person) throw new NotFound();
    authorize(request.user, 'profile.edit', person);
    return { viewer: request.user, person };
  }

  async function renderEdit(
    request: FastifyRequest,
    reply: FastifyReply,
    person: Person,
    fields: FieldDefinition[],
    extra: { values: Record<string, string>; errors?: FieldErrors; photoError?: string; status?: number },
  ) {
    const [lists, people] = await Promise.all([departmentsAndSites(app.db), activePeople(app.db)]);
    const managers = people.filter((p) => p.id !== person.id);
    // A manager who has since left stays listed while they are the one set, so saving keeps them.
    if (person.manager_id !== null && !managers.some((m) => m.id === person.manager_id)) {
      const current = await findPerson(app.db, person.manager_id);
      if (current) managers.unshift({ id: current.id, name: current.name });
    }
    return reply.render(
      'people/edit',
      {
        title: request.t('people.edit.title', { name: person.name }),
        person: shownPerson(person, request.user!),
        fields,
        departments: lists.departments,
        sites: lists.sites,
        managers,
        values: extra.values,
        errors: extra.errors ?? {},
        photoError: extra.photoError ?? null,
        limits: { ...LIMITS, skills: MAX_SKILLS, skillLength: MAX_SKILL_LENGTH, languages: MAX_LANGUAGES },
      },
      { status: extra.status ?? 200 },
    );
  }

  async function currentValues(person: Person, fields: FieldDefinition[]): Promise<Record<string, string>> {
    const [skills, values] = await Promise.all([listSkillsOf(app.db, person.id), fieldValuesOf(app.db, person.id)]);
    const form: Record<string, string> = {
      jobTitle: person.job_title ?? '',
      department: person.department_id === null ? '' : String(person.department_id),
      site: person.site_id === null ? '' : String(person.site_id),
      manager: person.manager_id === null ? '' : String(person.manager_id),
      phone: person.phone ?? '',
      bio: person.bio ?? '',
      skills: skills.join(', '),
      languages: person.languages ?? '',
    };
    for (const field of fields) form[fieldName(field)] = values.get(field.id) ?? '';
    return form;
  }

  app.get<IdParams>('/people/:id/edit', async (request, reply) => {
    const { person } = await editable(request);
    const fields = await listFields(app.db);
    return renderEdit(request, reply, person, fields, { values: await currentValues(person, fields) });
  });

  app.post<IdParams>('/people/:id/edit', async (request, reply) => {
    const { viewer, person } = await editable(request);
    const fields = await listFields(app.db);
    const form = parseForm(profileSchema(fields), request.body, request.t);
    const errors: FieldErrors = form.ok ? {} : { ...form.errors };
    // Refused already: the other fields are still checked (from what was typed), so that every problem shows at once.
    const typed = Object.fromEntries(Object.entries(form.values).filter(([, v]) => v !== ''));
    const value = (form.ok ? form.value : typed) as Record<string, string | undefined>;
    const idOf = (name: string) => {
      const raw = value[name];
      if (raw === undefined || errors[name]) return null;
      const id = optionalId(raw);
      if (id === null) errors[name] = request.t('validation.choice');
      return id;
    };
    const tags = (name: 'skills' | 'languages', limits: { max: number; maxLength: number }) => {
      const raw = value[name];
      if (raw === undefined || errors[name]) return [];
      const result = parseTags(raw, limits);
      if (result.ok) return result.tags;
      errors[name] = request.t(result.problem === 'tooMany' ? 'people.edit.tooManyTags' : 'people.edit.tagTooLong', result.problem === 'tooMany' ? { max: limits.max } : { max: limits.maxLength });
      return [];
    };
    const input: ProfileInput = {
      jobTitle: value.jobTitle ?? null,
      departmentId: idOf('department'),
      siteId: idOf('site'),
      managerId: idOf('manager'),
      phone: value.phone ?? null,
      bio: value.bio ?? null,
      skills: tags('skills', { max: MAX_SKILLS, maxLength: MAX_SKILL_LENGTH }),
      languages: tags('languages', { max: MAX_LANGUAGES, maxLength: MAX_LANGUAGE_LENGTH }),
      fields: new Map(),
    };
    for (const field of fields) {
      const name = fieldName(field);
      if (errors[name]) continue;
      const raw = value[name];
      if (raw === undefined) {
        input.fields.set(field.id, null);
        continue;
      }
      const check = checkFieldValue(field, raw);
      if (check.ok) input.fields.set(field.id, check.value);
      else errors[name] = request.t(`people.fieldErrors.${check.problem}`, { max: field.type === 'link' ? 500 : 200 });
    }
    if (input.managerId === person.id) errors.manager = request.t('people.edit.ownManager');
    if (Object.keys(errors).length > 0) return renderEdit(request, reply, person, fields, { values: form.values, errors, status: 422 });

    const result = await updateProfile(app.db, viewer.id, person.id, input);
    if (!result.ok) {
      const field = result.problem === 'departmentUnknown' ? 'department' : result.problem === 'siteUnknown' ? 'site' : 'manager';
      return renderEdit(request, reply, person, fields, { values: form.values, errors: { [field]: request.t(`people.edit.${result.problem}`) }, status: 422 });
    }
    reply.flash('people.flash.saved');
    return reply.redirectTo(`/people/${person.id}`);
  });

  app.post<IdParams>('/people/:id/photo', async (request, reply) => {
    const { viewer, person } = await editable(request);
    const { files } = await readForm(request);
    const photo = files.find((f) => f.field === 'photo');
    const refuse = async (key: string) => {
      const fields = await listFields(app.db);
      return renderEdit(request, reply, person, fields, { values: await currentValues(person, fields), photoError: request.t(key, { max: Math.round(app.config.uploadMaxBytes / (1024 * 1024)) }), status: 422 });
    };
    if (!photo) return refuse('people.photo.missing');
    if (photo.truncated) return refuse('people.photo.tooLarge');
    try {
      await app.limiters.uploadBytesPerUser.reserve(request, String(viewer.id), photo.sizeBytes);
    } catch (error) {
      if (error instanceof TooManyRequests) return refuse('people.photo.tooMany');
      throw error;
    }
    const stored = await storePhoto(app.config.dataDir, photo.tempPath);
    if (!stored.ok) return refuse(stored.problem === 'type' ? 'people.photo.type' : stored.problem === 'tooManyPixels' ? 'people.photo.tooManyPixels' : 'people.photo.unreadable');
    const previous = await setPhoto(app.db, viewer.id, person.id, stored.key);
    await removePhoto(app.config.dataDir, previous);
    reply.flash('people.flash.photoSaved');
    return reply.redirectTo(`/people/${person.id}/edit`);
  });

  app.post<IdParams>('/people/:id/photo/remove', async (request, reply) => {
    const { viewer, person } = await editable(request);
    const previous = await setPhoto(app.db, viewer.id, person.id, null);
    await removePhoto(app.config.dataDir, previous);
    reply.flash('people.flash.photoRemoved');
    return reply.redirectTo(`/people/${person.id}/edit`);
  });
}

/**
 * What the viewer is shown of a person. Email and phone are contact details for colleagues: shown to
 * every signed-in member while the account is active; once it is deactivated, only admins see them.
 */
function shownPerson(person: Person, viewer: Viewer) {
  const contact = person.status === 'active' || can(viewer, 'member.list');
  return {
    ...person,
    email: contact ? person.email : null,
    phone: contact ? person.phone : null,
    languageList: (person.languages ?? '').split(',').map((l) => l.trim()).filter(Boolean),
  };
}
