/**
 * A document's title is the text of its first non-empty heading or paragraph. The server stores
 * it as `documents.title`; the browser uses the same rule to show the title while you type.
 */
import type { Node as ProseMirrorNode } from '@tiptap/pm/model';

export const MAX_TITLE_LENGTH = 200;

export function documentTitleFromNode(doc: ProseMirrorNode): string | null {
  let title: string | null = null;
  doc.descendants((node) => {
    if (title !== null) return false;
    if (!node.isTextblock) return true;
    if (node.type.spec.code) return false;
    const text = node.textContent.replace(/\s+/g, ' ').trim();
    if (text !== '') title = text.length > MAX_TITLE_LENGTH ? `${text.slice(0, MAX_TITLE_LENGTH - 1)}…` : text;
    return false;
  });
  return title;
}
