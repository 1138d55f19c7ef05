/** What leaves the server about documents and blocks: never tenant ids or internal columns. */
import type { DocumentRow } from '../db/repos/documents';
import type { BlockRow } from '../db/repos/blocks';

export function presentDocument(document: DocumentRow) {
  return {
    id: document.id,
    title: document.title,
    domainId: document.domainId,
    createdAt: document.createdAt,
    updatedAt: document.updatedAt,
  };
}

export function presentBlock(block: BlockRow) {
  return {
    id: block.id,
    parentId: block.parentId,
    position: block.position,
    blockType: block.blockType,
    content: block.content,
    updatedAt: block.updatedAt,
  };
}
