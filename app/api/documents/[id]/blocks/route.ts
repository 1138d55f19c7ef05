import { services } from '@/server/services';
import { BlockRepository } from '@/server/db/repos/blocks';
import { DocumentRepository } from '@/server/db/repos/documents';
import { presentBlock } from '@/server/presenters/document';
import { json, parseParam, route } from '@/server/http/route';
import { NotFoundError } from '@/server/http/errors';
import { requestIdentity } from '@/server/http/identity';
import { DocumentId } from '../../schema';

export const dynamic = 'force-dynamic';

const documentNotFound = () => NotFoundError('This document does not exist or was deleted.');

export const GET = route(async (request: Request, context: { params: Promise<{ id: string }> }) => {
  const id = parseParam((await context.params).id, DocumentId, documentNotFound);
  const { tenantId } = await requestIdentity(request);
  const { db } = services();
  if (!(await DocumentRepository.find(db, tenantId, id))) throw documentNotFound();
  const blocks = await BlockRepository.listByDocument(db, tenantId, id);
  return json({ blocks: blocks.map(presentBlock) });
});
