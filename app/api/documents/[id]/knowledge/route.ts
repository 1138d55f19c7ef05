import { KnowledgeRepository } from '@/server/db/repos/knowledge';
import { presentAnnotation, presentAtom, presentMolecule, presentStatus } from '@/server/presenters/knowledge';
import { json, route } from '@/server/http/route';
import { requireDocument, type DocumentContext } from '@/server/http/document';
import { tenantTx } from '@/server/http/identity';
import type { DocumentKnowledgeDto } from '@/lib/knowledge/dto';

export const dynamic = 'force-dynamic';

export const GET = route(async (request: Request, context: DocumentContext) => {
  const { document, ...identity } = await requireDocument(request, context);
  const { tenantId } = identity;
  const id = document.id;
  const [atoms, molecules, annotations, status] = await tenantTx(identity, async (tx) => [
    await KnowledgeRepository.atomsOfDocument(tx, tenantId, id),
    await KnowledgeRepository.moleculesOfDocument(tx, tenantId, id),
    await KnowledgeRepository.annotations(tx, tenantId, id),
    await KnowledgeRepository.status(tx, tenantId, id),
  ] as const);
  const body: DocumentKnowledgeDto = {
    atoms: atoms.map(presentAtom),
    molecules: molecules.map(presentMolecule),
    annotations: annotations.map(presentAnnotation),
    status: presentStatus(status),
  };
  return json(body);
});
