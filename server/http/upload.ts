/**
 * A multipart/form-data upload read as it streams (busboy), never buffered whole: the body is
 * refused with 413 as soon as it or its file crosses the limit, so memory stays at one file.
 */
import { once } from 'node:events';
import { Busboy } from '@fastify/busboy';
import { BadRequestError, HttpError } from './errors';

export interface UploadedFile {
  name: string;
  type: string;
  bytes: Uint8Array;
}

export interface Upload {
  file: UploadedFile | null;
  fields: Record<string, string>;
}

/** Room for the part headers and the small text fields beside the file. */
const ENVELOPE_BYTES = 64 * 1024;

export const uploadTooLarge = (maxFileBytes: number) =>
  new HttpError(413, 'too_large', `A file can be at most ${Math.round(maxFileBytes / 1024 / 1024)} MB.`);

/** Reads one file (the `file` field) and a few short text fields; 413 past `maxFileBytes`, 400 for a malformed body. */
export async function readUpload(request: Request, maxFileBytes: number): Promise<Upload> {
  const contentType = request.headers.get('content-type') ?? '';
  if (!contentType.startsWith('multipart/form-data')) throw BadRequestError('Send the file as multipart/form-data with a `file` field.');
  const tooLarge = () => uploadTooLarge(maxFileBytes);
  if (Number(request.headers.get('content-length') ?? 0) > maxFileBytes + ENVELOPE_BYTES) throw tooLarge();
  if (!request.body) throw BadRequestError('Add the file in a `file` field.');
  let parser: InstanceType<typeof Busboy>;
  try {
    parser = new Busboy({
      headers: { 'content-type': contentType },
      // preservePath: a name with path separators reaches checkFileName (and is refused), not silently cut.
      preservePath: true,
      limits: { files: 1, fields: 8, parts: 9, fieldSize: 4096, fileSize: maxFileBytes },
    });
  } catch {
    throw BadRequestError('The upload is not valid multipart/form-data.');
  }

  const upload: Upload = { file: null, fields: {} };
  let failure: HttpError | null = null;
  const parsed = new Promise<void>((resolve) => {
    parser.on('file', (field, stream, filename, _encoding, mimeType) => {
      if (field !== 'file' || upload.file) return void stream.resume();
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('limit', () => (failure ??= tooLarge()));
      stream.on('end', () => (upload.file = { name: filename, type: mimeType, bytes: new Uint8Array(Buffer.concat(chunks)) }));
    });
    parser.on('field', (field, value) => (upload.fields[field] = value));
    parser.on('finish', resolve);
    parser.on('error', () => {
      failure ??= BadRequestError('The upload is not valid multipart/form-data.');
      resolve();
    });
  });

  const reader = request.body.getReader();
  let size = 0;
  try {
    while (!failure) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxFileBytes + ENVELOPE_BYTES) failure = tooLarge();
      else if (!parser.write(value)) await once(parser, 'drain');
    }
  } catch {
    failure ??= BadRequestError('The upload was cut off before it ended.');
  }
  if (failure) {
    await reader.cancel().catch(() => {});
    parser.destroy();
    throw failure;
  }
  parser.end();
  await parsed;
  if (failure) throw failure;
  return upload;
}
