// Reads forms that carry files (multipart/form-data) as well as plain ones, the same way: text
// fields for parseForm, and files already streamed to a temporary folder under DATA_DIR.
// The plugin at the bottom registers @fastify/multipart with Hameau's limits and removes each
// request's temporary files when its response ends (files moved by storeUploads are gone by then).
import multipart from '@fastify/multipart';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { HttpError } from './errors.js';

export interface UploadedFile {
  /** The form field it came in ("files", "cover", "image"). */
  field: string;
  /** The name on the user's machine, for display only: never a path. */
  filename: string;
  /** Where it was streamed to; removed when the request ends unless stored. */
  tempPath: string;
  sizeBytes: number;
  /** True when it passed UPLOAD_MAX_MB and was cut: storeUploads refuses it with a message. */
  truncated: boolean;
}

export interface ReadForm {
  /** Text fields, as @fastify/formbody would give them (a repeated field is an array). */
  fields: Record<string, string | string[]>;
  files: UploadedFile[];
}

/** Where files being received are written (DATA_DIR/uploads/tmp), under random names. */
export function uploadsTmpDir(dataDir: string): string {
  return path.join(dataDir, 'uploads', 'tmp');
}

/** At most this many files in one form. */
export const MAX_FILES = 10;
/** Text fields of a multipart form: as many, and as long, as a urlencoded form may carry. */
const MAX_FIELDS = 200;
const MAX_FIELD_BYTES = 1024 * 1024;

/** Everything a multipart form may weigh: its files at their limit, plus its text. */
export function multipartBodyLimit(uploadMaxBytes: number): number {
  return MAX_FILES * uploadMaxBytes + 2 * MAX_FIELD_BYTES;
}

/** 413 for a form too large to read at all: a page in the user's language, not a raw error. */
export class UploadTooLarge extends HttpError {
  constructor() {
    super(413, 'attachments.errors.requestTooLarge');
  }
}

const tempFiles = new WeakMap<FastifyRequest, Set<string>>();
const readForms = new WeakMap<FastifyRequest, Promise<ReadForm>>();

/**
 * The fields and files of the request's form, whichever its encoding. Call it once the viewer is
 * authorized (it reads the body); calling it again returns the same result. Files left empty in the
 * form (no name, no bytes) are not listed; a file over UPLOAD_MAX_MB is listed `truncated`, so that
 * storeUploads refuses it by name and the form can be shown again with what was typed. A form too
 * large to be worth reading (see multipartBodyLimit) or with too many files or fields throws a 413.
 *
 * @example
 * const { fields, files } = await readForm(request);
 * const form = parseForm(PostForm, fields, request.t);
 */
export async function readForm(request: FastifyRequest): Promise<ReadForm> {
  let result = readForms.get(request);
  if (!result) {
    result = request.isMultipart() ? readMultipart(request) : Promise.resolve({ fields: urlencodedFields(request.body), files: [] });
    readForms.set(request, result);
  }
  return result;
}

function urlencodedFields(body: unknown): Record<string, string | string[]> {
  return body && typeof body === 'object' ? (body as Record<string, string | string[]>) : {};
}

async function readMultipart(request: FastifyRequest): Promise<ReadForm> {
  const { dataDir, uploadMaxBytes } = request.server.config;
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > multipartBodyLimit(uploadMaxBytes)) throw new UploadTooLarge();

  const tmpDir = uploadsTmpDir(dataDir);
  await fs.mkdir(tmpDir, { recursive: true });
  const fields: Record<string, string | string[]> = {};
  const files: UploadedFile[] = [];
  try {
    for await (const part of request.parts()) {
      if (part.type === 'field') {
        if (part.valueTruncated || part.fieldnameTruncated) throw new UploadTooLarge();
        // A part sent as application/json arrives parsed: not text, so it counts as missing.
        if (typeof part.value !== 'string') continue;
        const previous = fields[part.fieldname];
        fields[part.fieldname] = previous === undefined ? part.value : [...(Array.isArray(previous) ? previous : [previous]), part.value];
        continue;
      }
      const tempPath = path.join(tmpDir, randomBytes(16).toString('hex'));
      track(request, tempPath);
      await pipeline(part.file, createWriteStream(tempPath, { flags: 'wx' }));
      const { size } = await fs.stat(tempPath);
      // A file input left empty: the browser sends a part with no name and no bytes.
      if (part.filename === '' && size === 0) {
        await removeFile(tempPath);
        continue;
      }
      files.push({ field: part.fieldname, filename: part.filename, tempPath, sizeBytes: size, truncated: part.file.truncated });
    }
  } catch (error) {
    await removeTempFiles(request);
    if (error instanceof HttpError) throw error;
    const status = (error as { statusCode?: unknown }).statusCode;
    // Too many files, fields or parts (@fastify/multipart's own 413s).
    if (status === 413) throw new UploadTooLarge();
    // @fastify/multipart's other refusals carry their status; the disk failing is a real 500.
    if (typeof status === 'number' || typeof (error as NodeJS.ErrnoException).syscall === 'string') throw error;
    // What is left is the parser finding the body broken (cut short, bad boundary): the client's fault.
    request.log.info({ err: error }, 'multipart body refused');
    throw new HttpError(400, 'errors.badRequest.message');
  }
  return { fields, files };
}

function track(request: FastifyRequest, file: string) {
  let set = tempFiles.get(request);
  if (!set) {
    set = new Set();
    tempFiles.set(request, set);
  }
  set.add(file);
}

async function removeFile(file: string) {
  try {
    await fs.unlink(file);
  } catch (error) {
    // Moved away by storeUploads, or already removed: nothing to do.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

async function removeTempFiles(request: FastifyRequest) {
  const set = tempFiles.get(request);
  if (!set) return;
  tempFiles.delete(request);
  for (const file of set) {
    try {
      await removeFile(file);
    } catch (error) {
      request.log.warn({ err: error }, 'temporary upload could not be removed');
    }
  }
}

/**
 * Registers @fastify/multipart with Hameau's limits (UPLOAD_MAX_MB per file, at most MAX_FILES
 * files) and the removal of each request's temporary files, even when the client goes away.
 */
export default fp(
  async (app: FastifyInstance) => {
    await app.register(multipart, {
      // A file over the limit is cut and marked, not an error: the form says which file and why.
      throwFileSizeLimit: false,
      limits: {
        fileSize: app.config.uploadMaxBytes,
        files: MAX_FILES,
        fields: MAX_FIELDS,
        fieldSize: MAX_FIELD_BYTES,
        fieldNameSize: 200,
        parts: MAX_FILES + MAX_FIELDS,
        headerPairs: 100,
      },
    });
    app.addHook('onRequest', async (request, reply) => {
      if (!request.headers['content-type']?.toLowerCase().startsWith('multipart/')) return;
      // onResponse does not run when the client leaves before the answer is written.
      reply.raw.once('close', () => {
        if (!reply.raw.writableFinished) void removeTempFiles(request);
      });
    });
    // Once the handler has answered, its files are stored or unwanted: removed before the answer
    // leaves (onSend), or when it has left for answers that skip onSend.
    app.addHook('onSend', async (request, _reply, payload) => {
      await removeTempFiles(request);
      return payload;
    });
    app.addHook('onResponse', async (request) => {
      await removeTempFiles(request);
    });
  },
  { name: 'hameau-multipart' },
);
