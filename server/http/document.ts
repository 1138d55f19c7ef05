/** The preamble of every /api/documents/:id route: a valid id of a document of the caller's tenant, or 404. */
import { z } from 'zod';
import { DocumentRepository, type DocumentRow } from '../db/repos/documents';
import { NotFoundError } from './errors';
import { requestIdentity, tenantTx, type RequestIdentity } from './identity';
import { parseParam } from './route';

export type DocumentContext = { params: Promise<{ id: string }> };

const documentNotFound = () => NotFoundError('This document does not exist or was deleted.');

export async function requireDocument(request: Request, context: DocumentContext): Promise<RequestIdentity & { document: DocumentRow }> {
  const id = parseParam((await context.params).id, z.uuid(), documentNotFound);
  const identity = await requestIdentity(request);
  const document = await tenantTx(identity, (tx) => DocumentRepository.find(tx, identity.tenantId, id));
  if (!document) throw documentNotFound();
  return { ...identity, document };
}
