import { services } from '@/server/services';
import { DocumentRepository } from '@/server/db/repos/documents';
import { KnowledgeRepository } from '@/server/db/repos/knowledge';
import { presentAnnotation, presentAtom, presentMolecule, presentStatus } from '@/server/presenters/knowledge';
import { json, parseParam, route } from '@/server/http/route';
import { NotFoundError } from '@/server/http/errors';
import { requestIdentity } from '@/server/http/identity';
import type { DocumentKnowledgeDto } from '@/lib/knowledge/dto';
import { DocumentId } from '../../schema';

export const dynamic = 'force-dynamic';

const documentNotFound = () => NotFoundError('This document does not exist or was deleted.');

export const GET = route(async (request: Request, context: { params: Promise<{ id: string }> }) => {
  const id = parseParam((await context.params).id, DocumentId, documentNotFound);
  const { tenantId } = await requestIdentity(request);
  const { db } = services();
  if (!(await DocumentRepository.find(db, tenantId, id))) throw documentNotFound();
  const [atoms, molecules, annotations, status] = await Promise.all([
    KnowledgeRepository.atomsOfDocument(db, tenantId, id),
    KnowledgeRepository.moleculesOfDocument(db, tenantId, id),
    KnowledgeRepository.annotations(db, tenantId, id),
    KnowledgeRepository.status(db, tenantId, id),
  ]);
  const body: DocumentKnowledgeDto = {
    atoms: atoms.map(presentAtom),
    molecules: molecules.map(presentMolecule),
    annotations: annotations.map(presentAnnotation),
    status: presentStatus(status),
  };
  return json(body);
});
