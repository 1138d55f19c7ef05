/** The preamble of every /api/documents/:id route: a valid id of a document of the caller's tenant, or 404. */
import { z } from 'zod';
import { DocumentRepository, type DocumentRow } from '../db/repos/documents';
import { NotFoundError } from './errors';
import { requestIdentity, tenantTx, type RequestIdentity } from './identity';
import { parseParam } from './route';

export type DocumentContext = { params: Promise<{ id: string }> };

const documentNotFound = () => NotFoundError('This document does not exist or was deleted.');

// Ids are lower-case UUIDs everywhere past the boundary (rooms, bus events, cache keys compare them
// as strings); a URL may spell one in upper case and still name the same document.
const DocumentId = z.uuid().transform((id) => id.toLowerCase());

/** The canonical (lower-case) document id of a URL segment; 404 when it is not a UUID. */
export function parseDocumentId(value: unknown): string {
  return parseParam(value, DocumentId, documentNotFound);
}

export async function requireDocument(request: Request, context: DocumentContext): Promise<RequestIdentity & { document: DocumentRow }> {
  const id = parseDocumentId((await context.params).id);
  const identity = await requestIdentity(request);
  const document = await tenantTx(identity, (tx) => DocumentRepository.find(tx, identity.tenantId, id));
  if (!document) throw documentNotFound();
  return { ...identity, document };
}
