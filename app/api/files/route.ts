import { z } from 'zod';
import { services } from '@/server/services';
import { MAX_UPLOAD_BYTES, saveFile, UploadError } from '@/server/files';
import { DocumentRepository } from '@/server/db/repos/documents';
import { json, route } from '@/server/http/route';
import { BadRequestError, NotFoundError } from '@/server/http/errors';
import { readUpload } from '@/server/http/upload';
import { requestIdentity, requirePersona, tenantTx } from '@/server/http/identity';

export const dynamic = 'force-dynamic';

/** Upload (multipart/form-data: `file`, optional `documentId`) for an image or file block. */
export const POST = route(async (request: Request) => {
  const identity = await requestIdentity(request);
  requirePersona(identity, 'domain_expert');
  const { file, fields } = await readUpload(request, MAX_UPLOAD_BYTES);
  if (!file) throw BadRequestError('Add the file in a `file` field.');
  const documentField = fields.documentId;
  const documentId = documentField === undefined || documentField === '' ? null : z.uuid().safeParse(documentField).data;
  if (documentId === undefined) throw BadRequestError('documentId must be a document id.');
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
        bytes: file.bytes,
      });
    } catch (error) {
      if (error instanceof UploadError) throw BadRequestError(error.message);
      throw error;
    }
  });
  return json({ file: { id: saved.id, name: saved.name, size: saved.sizeBytes, url: `/api/files/${saved.id}` } }, 201);
});
