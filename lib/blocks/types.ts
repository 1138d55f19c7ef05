/**
 * The block vocabulary of seed 002 and how TipTap node names map onto it.
 * Shared by the editor (browser) and the blocks projection (server): one definition, no copies.
 */
export const BLOCK_TYPES = [
  'paragraph',
  'heading_1',
  'heading_2',
  'heading_3',
  'bulleted_list_item',
  'numbered_list_item',
  'to_do',
  'code',
  'quote',
  'callout',
  'divider',
  'table',
  'image',
  'file',
] as const;

export type BlockType = (typeof BLOCK_TYPES)[number];

/** The Yjs XmlFragment that TipTap's Collaboration extension binds to. */
export const YDOC_FIELD = 'default';

/** Attribute carrying a block's stable id on every block node. */
export const BLOCK_ID_ATTR = 'id';

/** TipTap node names whose instances are blocks (get a stable id). */
export const BLOCK_NODE_NAMES = [
  'paragraph',
  'heading',
  'listItem',
  'taskItem',
  'codeBlock',
  'blockquote',
  'callout',
  'horizontalRule',
  'table',
  'image',
  'fileAttachment',
] as const;

/** List containers are not blocks themselves; their items are. */
export const LIST_ITEM_TYPE: Record<string, BlockType> = {
  bulletList: 'bulleted_list_item',
  orderedList: 'numbered_list_item',
  taskList: 'to_do',
};

export interface RichTextSpan {
  text: string;
  marks?: string[];
  href?: string;
}

export interface BlockContent {
  rich_text?: RichTextSpan[];
  [key: string]: unknown;
}

/** One row of the `blocks` table as the projection computes it. */
export interface ProjectedBlock {
  id: string;
  parentId: string | null;
  position: number;
  blockType: BlockType;
  content: BlockContent;
  hasChildren: boolean;
}

export function plainText(content: BlockContent): string {
  return (content.rich_text ?? []).map((span) => span.text).join('');
}
