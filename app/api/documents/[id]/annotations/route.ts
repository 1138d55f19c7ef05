import { services } from '@/server/services';
import { BlockRepository } from '@/server/db/repos/blocks';
import { KnowledgeRepository } from '@/server/db/repos/knowledge';
import { createManualAtom, ManualValueError } from '@/server/extraction/manual';
import { presentAnnotation, presentAtom } from '@/server/presenters/knowledge';
import { json, parseBody, route } from '@/server/http/route';
import { BadRequestError, HttpError, NotFoundError } from '@/server/http/errors';
import { requireDocument, type DocumentContext } from '@/server/http/document';
import { requirePersona, tenantTx } from '@/server/http/identity';
import { blockText } from '@/lib/blocks/text';
import type { KnowledgeChangedEvent } from '@/server/bus';
import { ManualAtomBody } from '../../schema';

export const dynamic = 'force-dynamic';

/** "Mark as atom": 201 with the atom and its annotation. */
export const POST = route(async (request: Request, context: DocumentContext) => {
  const { document, ...identity } = await requireDocument(request, context);
  requirePersona(identity, 'domain_expert');
  const { tenantId, userId } = identity;
  const id = document.id;
  const body = await parseBody(request, ManualAtomBody);
  const { rooms, bus, log } = services();
  // The selection was made on the live text; bring the blocks rows up to it first.
  await rooms.flushDocument(id);
  const { atom, annotation, status } = await tenantTx(identity, async (tx) => {
    const blocks = await BlockRepository.listByDocument(tx, tenantId, id);
    const block = blocks.find((b) => b.id === body.blockId);
    if (!block) {
      // Expected only when the block was deleted meanwhile; a browser test has seen it for a block
      // that was still on screen, so the ids are logged to tell the two apart.
      log.warn({ documentId: id, blockId: body.blockId, blockIds: blocks.map((b) => b.id) }, 'mark as atom: the selected block has no row');
      throw NotFoundError('This block is not in the document (it may have just been deleted).');
    }
    const text = blockText(block.content);
    if (text.slice(body.start, body.end) !== body.quote) {
      throw new HttpError(409, 'conflict', 'The text changed while you were selecting it. Select it again.');
    }
    let created;
    try {
      created = await createManualAtom(tx, { tenantId, documentId: id, blockId: block.id, domainId: document.domainId, userId, blockText: text, start: body.start, end: body.end, type: body.type, name: body.name });
    } catch (error) {
      if (error instanceof ManualValueError) throw BadRequestError(error.message);
      throw error;
    }
    return {
      atom: (await KnowledgeRepository.atomHistory(tx, tenantId, created.atomId))[0],
      annotation: await KnowledgeRepository.annotation(tx, tenantId, created.annotationId),
      status: await KnowledgeRepository.status(tx, tenantId, id),
    };
  });
  await bus.publish({ type: 'knowledge.changed', tenantId, documentId: id, status: status.state as KnowledgeChangedEvent['status'] });
  return json({ atom: presentAtom(atom), annotation: annotation && presentAnnotation(annotation) }, 201);
});
