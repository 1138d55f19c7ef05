import { services } from '@/server/services';
import { KnowledgeRepository } from '@/server/db/repos/knowledge';
import { presentAnnotation, presentAtom, presentMolecule, presentStatus } from '@/server/presenters/knowledge';
import { json, route } from '@/server/http/route';
import { requireDocument, type DocumentContext } from '@/server/http/document';
import type { DocumentKnowledgeDto } from '@/lib/knowledge/dto';

export const dynamic = 'force-dynamic';

export const GET = route(async (request: Request, context: DocumentContext) => {
  const { tenantId, document } = await requireDocument(request, context);
  const id = document.id;
  const { db } = services();
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
