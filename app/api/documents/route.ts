import { DocumentRepository } from '@/server/db/repos/documents';
import { DomainRepository } from '@/server/db/repos/domains';
import { NotFoundError } from '@/server/http/errors';
import { presentDocument } from '@/server/presenters/document';
import { json, parseBody, route } from '@/server/http/route';
import { requestIdentity, requirePersona, tenantTx } from '@/server/http/identity';
import { CreateDocumentBody } from './schema';

export const dynamic = 'force-dynamic';

export const GET = route(async (request: Request) => {
  const identity = await requestIdentity(request);
  const documents = await tenantTx(identity, (tx) => DocumentRepository.list(tx, identity.tenantId));
  return json({ documents: documents.map(presentDocument) });
});

export const POST = route(async (request: Request) => {
  const body = await parseBody(request, CreateDocumentBody);
  const identity = await requestIdentity(request);
  requirePersona(identity, 'domain_expert');
  const document = await tenantTx(identity, async (tx) => {
    // Another organisation's domain gets the answer an unknown one does.
    if (body.domainId && !(await DomainRepository.find(tx, identity.tenantId, body.domainId))) throw NotFoundError('This domain does not exist.');
    return DocumentRepository.create(tx, identity.tenantId, { title: body.title, createdBy: identity.userId, domainId: body.domainId });
  });
  return json({ document: presentDocument(document) }, 201);
});
