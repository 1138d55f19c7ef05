import { services } from '@/server/services';
import { BlockRepository } from '@/server/db/repos/blocks';
import { presentBlock } from '@/server/presenters/document';
import { json, route } from '@/server/http/route';
import { requireDocument, type DocumentContext } from '@/server/http/document';

export const dynamic = 'force-dynamic';

export const GET = route(async (request: Request, context: DocumentContext) => {
  const { tenantId, document } = await requireDocument(request, context);
  const blocks = await BlockRepository.listByDocument(services().db, tenantId, document.id);
  return json({ blocks: blocks.map(presentBlock) });
});
