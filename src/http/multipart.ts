// Reads forms that carry files (multipart/form-data) as well as plain ones, the same way: text
// fields for parseForm, and files already streamed to a temporary folder under DATA_DIR.
// TO BE IMPLEMENTED (attachments work): the signatures below are the contract other features use.
import type { FastifyRequest } from 'fastify';

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

/**
 * The fields and files of the request's form, whichever its encoding.
 *
 * @example
 * const { fields, files } = await readForm(request);
 * const form = parseForm(PostForm, fields, request.t);
 */
export async function readForm(request: FastifyRequest): Promise<ReadForm> {
  const body = (request.body ?? {}) as Record<string, string | string[]>;
  return { fields: body, files: [] };
}
