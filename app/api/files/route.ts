import { z } from 'zod';
import { services } from '@/server/services';
import { MAX_UPLOAD_BYTES, saveFile, UploadError } from '@/server/files';
import { DocumentRepository } from '@/server/db/repos/documents';
import { json, route } from '@/server/http/route';
import { BadRequestError, HttpError, NotFoundError } from '@/server/http/errors';
import { requestIdentity, requirePersona, tenantTx } from '@/server/http/identity';

export const dynamic = 'force-dynamic';

const tooLarge = () => new HttpError(413, 'too_large', `A file can be at most ${MAX_UPLOAD_BYTES / 1024 / 1024} MB.`);

/** Upload (multipart/form-data: `file`, optional `documentId`) for an image or file block. */
export const POST = route(async (request: Request) => {
  const identity = await requestIdentity(request);
  requirePersona(identity, 'domain_expert');
  if (Number(request.headers.get('content-length') ?? 0) > MAX_UPLOAD_BYTES + 64 * 1024) throw tooLarge();
  if (!(request.headers.get('content-type') ?? '').startsWith('multipart/form-data')) {
    throw BadRequestError('Send the file as multipart/form-data with a `file` field.');
  }
  let form: FormData;
  try {
    form = await request.formData();
  } catch {
    throw BadRequestError('The upload is not valid multipart/form-data.');
  }
  const file = form.get('file');
  if (!(file instanceof File)) throw BadRequestError('Add the file in a `file` field.');
  if (file.size > MAX_UPLOAD_BYTES) throw tooLarge();
  const documentField = form.get('documentId');
  const documentId = documentField === null || documentField === '' ? null : z.uuid().safeParse(documentField).data;
  if (documentId === undefined) throw BadRequestError('documentId must be a document id.');
  const bytes = new Uint8Array(await file.arrayBuffer());
  const saved = await tenantTx(identity, async (tx) => {
    if (documentId && !(await DocumentRepository.find(tx, identity.tenantId, documentId))) {
      throw NotFoundError('This document does not exist or was deleted.');
    }
    try {
      return await saveFile(tx, services().config.DATA_DIR, {
        tenantId: identity.tenantId,
        documentId,
        userId: identity.userId,
        name: file.name,
        contentType: file.type,
        bytes,
      });
    } catch (error) {
      if (error instanceof UploadError) throw BadRequestError(error.message);
      throw error;
    }
  });
  return json({ file: { id: saved.id, name: saved.name, size: saved.sizeBytes, url: `/api/files/${saved.id}` } }, 201);
});
