// A person's data export (GDPR): the file's header part, then every part the plugin runtime gathers
// (the core's, src/gdpr/core-parts.ts, and each enabled plugin's `user.export`), keyed by part name.
import type { FastifyInstance } from 'fastify';
import type { Millis } from '../../db/schema.js';

/** Changes when the shape of the file changes in a way a program reading it must know about. */
export const EXPORT_FORMAT_VERSION = 1;

export interface ExportHeader {
  format: number;
  exportedAt: string;
  organisation: string | null;
  userId: number;
}

export type ExportDocument = { hameau: ExportHeader } & Record<string, unknown>;

/**
 * The whole export of one person: `hameau` (what the file is), then the parts. A part that failed is
 * `{ error: 'unavailable' }` (the runtime logged why); the others are there all the same.
 *
 * @example
 * const document = await exportDocument(app, user.id, { organisationName: 'Acme', now: Date.now() });
 */
export async function exportDocument(app: FastifyInstance, userId: number, about: { organisationName: string | null; now: Millis }): Promise<ExportDocument> {
  const parts = await app.plugins.exportUser(userId);
  const document: ExportDocument = {
    hameau: { format: EXPORT_FORMAT_VERSION, exportedAt: new Date(about.now).toISOString(), organisation: about.organisationName, userId },
  };
  // The header's name is the file's own: a part called so would be left out rather than replace it.
  for (const [name, part] of Object.entries(parts)) if (name !== 'hameau') document[name] = part;
  return document;
}

/** "hameau-data-2026-11-30.json": the day in the organisation's time zone. */
export function exportFileName(now: Millis, timeZone: string): string {
  const day = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
  return `hameau-data-${day}.json`;
}
