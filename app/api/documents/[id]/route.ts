import { services } from '@/server/services';
import { DocumentRepository } from '@/server/db/repos/documents';
import { presentDocument } from '@/server/presenters/document';
import { json, parseParam, route } from '@/server/http/route';
import { NotFoundError } from '@/server/http/errors';
import { requestIdentity } from '@/server/http/identity';
import { DocumentId } from '../schema';

export const dynamic = 'force-dynamic';

const documentNotFound = () => NotFoundError('This document does not exist or was deleted.');

export const GET = route(async (request: Request, context: { params: Promise<{ id: string }> }) => {
  const id = parseParam((await context.params).id, DocumentId, documentNotFound);
  const { tenantId } = await requestIdentity(request);
  const document = await DocumentRepository.find(services().db, tenantId, id);
  if (!document) throw documentNotFound();
  return json({ document: presentDocument(document) });
});
