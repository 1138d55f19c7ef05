import { services } from '@/server/services';
import { DocumentRepository } from '@/server/db/repos/documents';
import { presentDocument } from '@/server/presenters/document';
import { json, parseBody, route } from '@/server/http/route';
import { requestIdentity } from '@/server/http/identity';
import { CreateDocumentBody } from './schema';

export const dynamic = 'force-dynamic';

export const GET = route(async (request: Request) => {
  const { tenantId } = await requestIdentity(request);
  const documents = await DocumentRepository.list(services().db, tenantId);
  return json({ documents: documents.map(presentDocument) });
});

export const POST = route(async (request: Request) => {
  const body = await parseBody(request, CreateDocumentBody);
  const { tenantId, userId } = await requestIdentity(request);
  const document = await DocumentRepository.create(services().db, tenantId, { title: body.title, createdBy: userId });
  return json({ document: presentDocument(document) }, 201);
});
