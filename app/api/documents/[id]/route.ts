import { presentDocument } from '@/server/presenters/document';
import { json, route } from '@/server/http/route';
import { requireDocument, type DocumentContext } from '@/server/http/document';

export const dynamic = 'force-dynamic';

export const GET = route(async (request: Request, context: DocumentContext) => {
  const { document } = await requireDocument(request, context);
  return json({ document: presentDocument(document) });
});
