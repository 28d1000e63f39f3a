// Downloads of attachments (GET /files/:id/:name and GET /files/:id/preview), for whoever may see what
// the file belongs to; 404 for everyone else, as for an id that does not exist. Images are shown
// inline with their own type; everything else is only ever a download, never rendered by the browser.
// Also gives every page `it.layout.uploadMaxMb` and `it.layout.uploadMaxFiles`, which the picker shows.
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Attachment } from '../../db/schema.js';
import { NotFound, Unauthenticated } from '../../http/errors.js';
import { MAX_FILES } from '../../http/multipart.js';
import { idParam } from '../../http/params.js';
import { IMAGE_TYPES, STORED_TYPES } from './file-types.js';
import { visibleAttachment } from './service.js';
import { storedPath } from './storage.js';

type Variant = 'original' | 'preview';

/**
 * What a file response may do if a browser ever renders it as a document: nothing (no script, no
 * plugin, no form, a unique origin), and it cannot be framed. `img-src 'self'` and inline styles
 * only let the browser's own image viewer show and centre an image opened on its own.
 */
const FILE_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'none'; sandbox";

/**
 * `Content-Disposition` with an ASCII fallback and the real name in RFC 5987 form (`filename*`).
 *
 * @example
 * contentDisposition('attachment', 'Compte rendu é.pdf') // attachment; filename="Compte rendu _.pdf"; filename*=UTF-8''Compte%20rendu%20%C3%A9.pdf
 */
export function contentDisposition(type: 'inline' | 'attachment', name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]|["\\%]/g, '_') || 'file';
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${type}; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

/** The type a download is sent with: only the types Hameau stores, anything else as bytes. */
function servedType(attachment: Attachment, variant: Variant): string {
  if (variant === 'preview') return 'image/webp';
  const type = attachment.mime_type;
  if (!STORED_TYPES.has(type)) return 'application/octet-stream';
  return type.startsWith('text/') ? `${type}; charset=utf-8` : type;
}

function previewName(name: string): string {
  return `${name.replace(/\.[^.]*$/, '') || 'image'}.webp`;
}

export default fp(
  async (app: FastifyInstance) => {
    const uploadMaxMb = Math.round(app.config.uploadMaxBytes / (1024 * 1024));
    app.addHook('preHandler', async (request) => {
      request.layout.uploadMaxMb = uploadMaxMb;
      request.layout.uploadMaxFiles = MAX_FILES;
    });

    async function serve(request: FastifyRequest, reply: FastifyReply, rawId: string, variant: Variant) {
      if (!request.user) throw new Unauthenticated();
      const id = idParam(rawId);
      const attachment = await visibleAttachment(app.db, request.user, id);
      if (!attachment || (variant === 'preview' && attachment.has_preview !== 1)) throw new NotFound();

      const file = storedPath(app.config.dataDir, attachment.storage_key, variant);
      let size: number;
      try {
        size = (await fs.stat(file)).size;
      } catch {
        request.log.warn({ attachmentId: attachment.id, variant }, 'attachment file missing');
        throw new NotFound();
      }

      const inline = variant === 'preview' || IMAGE_TYPES.has(attachment.mime_type);
      const name = variant === 'preview' ? previewName(attachment.original_name) : attachment.original_name;
      const etag = `"${attachment.storage_key}-${variant}"`;
      reply.headers({
        'content-type': servedType(attachment, variant),
        'content-disposition': contentDisposition(inline ? 'inline' : 'attachment', name),
        'x-content-type-options': 'nosniff',
        'content-security-policy': FILE_CSP,
        // Seen only by whoever may see what it belongs to: never in a shared cache, checked again soon.
        'cache-control': 'private, max-age=300',
        etag,
      });
      if (request.headers['if-none-match'] === etag) return reply.code(304).send();
      reply.header('content-length', size);
      return reply.send(createReadStream(file));
    }

    app.get<{ Params: { id: string } }>('/files/:id/preview', async (request, reply) => serve(request, reply, request.params.id, 'preview'));
    app.get<{ Params: { id: string; name: string } }>('/files/:id/:name', async (request, reply) => serve(request, reply, request.params.id, 'original'));
  },
  { name: 'hameau-attachments' },
);
