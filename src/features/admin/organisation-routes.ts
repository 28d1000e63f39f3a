// /admin/organisation: the organisation's name, logo, brand colour, default language, time zone,
// quiet hours (the same fields, checks and columns as /admin/notifications) and the privacy core's
// minimum group size k (src/privacy). Also the brand's public
// routes: /brand.css (the colour, as hameau.css's custom properties) and /brand/logo.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fs from 'node:fs/promises';
import { TIME_ZONES } from '../../auth/setup-routes.js';
import { NotFound, TooManyRequests } from '../../http/errors.js';
import { Field, parseForm, type FieldErrors } from '../../http/form.js';
import { readForm } from '../../http/multipart.js';
import { single } from '../../http/params.js';
import { authorize } from '../../policy/index.js';
import { MIN_GROUP_RANGE } from '../../privacy/index.js';
import { rescheduleDigests } from '../email-notifications/delivery.js';
import { quietFields, quietHoursOf, quietValues } from '../email-notifications/forms.js';
import { storedOrganisation } from '../email-notifications/queries.js';
import { brandStylesheet, contrastRatio, normaliseHex, readableWithWhite } from './brand-colour.js';
import { logoPath, removeLogo, storeLogo } from './logo.js';
import { profileOf, saveOrganisation, type OrganisationProfile } from './service.js';

export const ORGANISATION_NAME_MAX = 120;

const OrganisationForm = Type.Object({
  name: Field.text({ max: ORGANISATION_NAME_MAX }),
  defaultLocale: Field.locale(),
  timeZone: Field.choice(TIME_ZONES),
  // Checked by normaliseHex and the contrast rule, which give the messages.
  brandColour: Field.optional(Type.String({ maxLength: 100 })),
  removeLogo: Field.optional(Field.choice(['1'] as const)),
  // The privacy core's k: checked below (a whole number in MIN_GROUP_RANGE); absent: unchanged.
  privacyMinGroup: Field.optional(Type.String({ maxLength: 100 })),
  ...quietFields,
});

const LOGO_PROBLEMS = { type: 'admin.organisation.logo.type', unreadable: 'admin.organisation.logo.unreadable', tooManyPixels: 'admin.organisation.logo.tooManyPixels' } as const;

/** The logo's address: versioned by its file name, so that a new logo is never served from a cache. */
export function logoUrl(file: string): string {
  return `/brand/logo?v=${file.replace(/\.webp$/, '')}`;
}

interface FormState {
  values: Record<string, string>;
  errors: FieldErrors;
  /** A logo was sent with a form refused for another reason: it was not kept. */
  logoNotKept?: boolean;
}

export default async function organisationRoutes(app: FastifyInstance) {
  async function render(request: FastifyRequest, reply: FastifyReply, state: FormState | null, status = 200) {
    // Read fresh, not the request's cached copy: the form shows what is stored.
    const stored = await storedOrganisation(app.db);
    if (!stored) throw new NotFound();
    const profile = profileOf(stored);
    return reply.render(
      'admin/organisation',
      {
        title: request.t('admin.organisation.title'),
        timeZones: TIME_ZONES,
        timeZone: profile.timeZone,
        logo: profile.logoFile ? logoUrl(profile.logoFile) : null,
        brandColour: profile.brandColour,
        uploadMaxMb: Math.round(app.config.uploadMaxBytes / (1024 * 1024)),
        nameMax: ORGANISATION_NAME_MAX,
        minGroupRange: MIN_GROUP_RANGE,
        values: state?.values ?? {
          privacyMinGroup: String(profile.privacyMinGroup),
          name: profile.name,
          defaultLocale: profile.defaultLocale,
          timeZone: profile.timeZone,
          brandColour: profile.brandColour ?? '',
          ...quietValues(profile.quietHours),
        },
        errors: state?.errors ?? {},
        logoNotKept: state?.logoNotKept ?? false,
      },
      { status },
    );
  }

  app.get('/admin/organisation', async (request, reply) => {
    authorize(request.user, 'settings.manage');
    return render(request, reply, null);
  });

  app.post('/admin/organisation', async (request, reply) => {
    authorize(request.user, 'settings.manage');
    const { fields, files } = await readForm(request);
    const form = parseForm(OrganisationForm, fields, request.t);
    const errors: FieldErrors = form.ok ? {} : { ...form.errors };
    const values = form.values;
    const quietHours = quietHoursOf(values, errors, request.t);
    let brandColour: string | null = null;
    if (values.brandColour && !errors.brandColour) {
      brandColour = normaliseHex(values.brandColour);
      if (!brandColour) errors.brandColour = request.t('admin.organisation.colour.format');
      else if (!readableWithWhite(brandColour)) {
        const ratio = contrastRatio(brandColour, '#ffffff');
        errors.brandColour = request.t('admin.organisation.colour.contrast', { ratio: (Math.floor(ratio * 10) / 10).toLocaleString(request.locale) });
      }
    }
    let privacyMinGroup: number | null = null;
    if (values.privacyMinGroup !== undefined && !errors.privacyMinGroup) {
      const typed = values.privacyMinGroup.trim();
      const k = /^\d{1,3}$/.test(typed) ? Number(typed) : NaN;
      if (k >= MIN_GROUP_RANGE.min && k <= MIN_GROUP_RANGE.max) privacyMinGroup = k;
      else errors.privacyMinGroup = request.t('admin.organisation.privacy.range', MIN_GROUP_RANGE);
    }
    const upload = values.removeLogo === '1' ? undefined : files.find((file) => file.field === 'logo');
    if (!form.ok || !quietHours || Object.keys(errors).length > 0) {
      return render(request, reply, { values, errors, logoNotKept: upload !== undefined }, 422);
    }

    const stored = await storedOrganisation(app.db);
    if (!stored) throw new NotFound();
    let logoFile = values.removeLogo === '1' ? null : stored.logo_file;
    let newLogo: string | null = null;
    if (upload) {
      const refuse = (key: string) =>
        render(request, reply, { values, errors: { logo: request.t(key, { max: Math.round(app.config.uploadMaxBytes / (1024 * 1024)) }) } }, 422);
      if (upload.truncated) return refuse('admin.organisation.logo.tooLarge');
      try {
        await app.limiters.uploadBytesPerUser.reserve(request, String(request.user.id), upload.sizeBytes);
      } catch (error) {
        if (error instanceof TooManyRequests) return refuse('admin.organisation.logo.tooMany');
        throw error;
      }
      const result = await storeLogo(app.config.dataDir, upload.tempPath);
      if (!result.ok) return refuse(LOGO_PROBLEMS[result.problem]);
      logoFile = newLogo = result.file;
    }

    const next: OrganisationProfile = {
      name: form.value.name,
      defaultLocale: form.value.defaultLocale,
      timeZone: form.value.timeZone,
      brandColour,
      logoFile,
      quietHours,
      privacyMinGroup: privacyMinGroup ?? stored.privacy_min_group,
    };
    let outcome;
    try {
      outcome = await saveOrganisation(app.db, request.user.id, next);
    } catch (error) {
      await removeLogo(app.config.dataDir, newLogo);
      throw error;
    }
    await removeLogo(app.config.dataDir, outcome.formerLogo);
    const changed = outcome.changed.length > 0;
    if (changed) app.organisation.forget();
    // The digests go out when the quiet hours end, in the organisation's time zone.
    if (outcome.changed.some((key) => key === 'timeZone' || key.startsWith('quiet'))) await rescheduleDigests(app);
    reply.flash(changed ? 'admin.flash.organisationSaved' : 'admin.flash.organisationUnchanged', undefined, changed ? 'success' : 'info');
    return reply.redirectTo('/admin/organisation');
  });

  // The brand is public: the sign-in page wears it too.
  app.get('/brand.css', async (request, reply) => {
    const colour = (await app.organisation.get())?.brand_colour ?? null;
    const current = (colour ?? '').replace('#', '');
    reply.headers({
      'content-type': 'text/css; charset=utf-8',
      // The layout asks for /brand.css?v=<colour>: that answer never changes.
      'cache-control': single((request.query as Record<string, unknown>).v) === current ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
    return reply.send(brandStylesheet(colour));
  });

  app.get('/brand/logo', async (request, reply) => {
    const file = (await app.organisation.get())?.logo_file ?? null;
    if (!file) throw new NotFound();
    let body: Buffer;
    try {
      body = await fs.readFile(logoPath(app.config.dataDir, file));
    } catch {
      throw new NotFound();
    }
    const current = file.replace(/\.webp$/, '');
    reply.headers({
      'content-type': 'image/webp',
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'; sandbox",
      'cache-control': single((request.query as Record<string, unknown>).v) === current ? 'public, max-age=31536000, immutable' : 'no-cache',
      etag: `"${current}"`,
    });
    if (request.headers['if-none-match'] === `"${current}"`) return reply.code(304).send();
    return reply.send(body);
  });
}
