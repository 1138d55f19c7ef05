import { services } from '@/server/services';
import { BlockRepository } from '@/server/db/repos/blocks';
import { KnowledgeRepository } from '@/server/db/repos/knowledge';
import { createManualAtom, ManualValueError } from '@/server/extraction/manual';
import { presentAnnotation, presentAtom } from '@/server/presenters/knowledge';
import { json, parseBody, route } from '@/server/http/route';
import { BadRequestError, HttpError, NotFoundError } from '@/server/http/errors';
import { requireDocument, type DocumentContext } from '@/server/http/document';
import { blockText } from '@/lib/blocks/text';
import type { KnowledgeChangedEvent } from '@/server/bus';
import { ManualAtomBody } from '../../schema';

export const dynamic = 'force-dynamic';

/** "Mark as atom": 201 with the atom and its annotation. */
export const POST = route(async (request: Request, context: DocumentContext) => {
  const { tenantId, userId, document } = await requireDocument(request, context);
  const id = document.id;
  const body = await parseBody(request, ManualAtomBody);
  const { db, rooms, bus } = services();
  // The selection was made on the live text; bring the blocks rows up to it first.
  await rooms.flushDocument(id);
  const block = (await BlockRepository.listByDocument(db, tenantId, id)).find((b) => b.id === body.blockId);
  if (!block) throw NotFoundError('This block is not in the document (it may have just been deleted).');
  const text = blockText(block.content);
  if (text.slice(body.start, body.end) !== body.quote) {
    throw new HttpError(409, 'conflict', 'The text changed while you were selecting it. Select it again.');
  }
  let created;
  try {
    created = await db.tx((tx) =>
      createManualAtom(tx, { tenantId, documentId: id, blockId: block.id, domainId: document.domainId, userId, blockText: text, start: body.start, end: body.end, type: body.type, name: body.name }),
    );
  } catch (error) {
    if (error instanceof ManualValueError) throw BadRequestError(error.message);
    throw error;
  }
  const [atom] = await KnowledgeRepository.atomHistory(db, tenantId, created.atomId);
  const annotation = await KnowledgeRepository.annotation(db, tenantId, created.annotationId);
  const status = await KnowledgeRepository.status(db, tenantId, id);
  await bus.publish({ type: 'knowledge.changed', tenantId, documentId: id, status: status.state as KnowledgeChangedEvent['status'] });
  return json({ atom: presentAtom(atom), annotation: annotation && presentAnnotation(annotation) }, 201);
});
