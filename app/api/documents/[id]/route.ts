import { presentDocument } from '@/server/presenters/document';
import { json, parseBody, route } from '@/server/http/route';
import { requireDocument, type DocumentContext } from '@/server/http/document';
import { requirePersona, tenantTx } from '@/server/http/identity';
import { NotFoundError } from '@/server/http/errors';
import { DocumentRepository } from '@/server/db/repos/documents';
import { DomainRepository } from '@/server/db/repos/domains';
import { UpdateDocumentBody } from '../schema';

export const dynamic = 'force-dynamic';

export const GET = route(async (request: Request, context: DocumentContext) => {
  const { document } = await requireDocument(request, context);
  return json({ document: presentDocument(document) });
});

/** Files the document under a domain (or none). Domain experts only. */
export const PATCH = route(async (request: Request, context: DocumentContext) => {
  const { document, ...identity } = await requireDocument(request, context);
  requirePersona(identity, 'domain_expert');
  const { domainId } = await parseBody(request, UpdateDocumentBody);
  const updated = await tenantTx(identity, async (tx) => {
    if (domainId && !(await DomainRepository.find(tx, identity.tenantId, domainId))) throw NotFoundError('This domain does not exist.');
    await DocumentRepository.setDomain(tx, identity.tenantId, document.id, domainId, identity.userId);
    return DocumentRepository.find(tx, identity.tenantId, document.id);
  });
  if (!updated) throw NotFoundError('This document does not exist or was deleted.');
  return json({ document: presentDocument(updated) });
});
