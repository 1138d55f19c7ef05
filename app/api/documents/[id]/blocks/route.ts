import { BlockRepository } from '@/server/db/repos/blocks';
import { presentBlock } from '@/server/presenters/document';
import { json, route } from '@/server/http/route';
import { requireDocument, type DocumentContext } from '@/server/http/document';
import { tenantTx } from '@/server/http/identity';

export const dynamic = 'force-dynamic';

export const GET = route(async (request: Request, context: DocumentContext) => {
  const { document, ...identity } = await requireDocument(request, context);
  const blocks = await tenantTx(identity, (tx) => BlockRepository.listByDocument(tx, identity.tenantId, document.id));
  return json({ blocks: blocks.map(presentBlock) });
});
