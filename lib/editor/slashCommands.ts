/**
 * The block types the "/" menu offers, as plain data: what to show, what to match a typed query
 * against, and what to do to the editor. Rendering lives in components/editor/SlashMenu.tsx.
 */
import type { Editor, JSONContent } from '@tiptap/core';
import { NodeSelection, TextSelection } from '@tiptap/pm/state';
import type { BlockType } from '../blocks/types';
import { isSafeUrl } from './safeUrl';

/** A value the menu must ask for before it can insert the block (an image URL, a file name). */
export interface SlashCommandField {
  name: string;
  label: string;
  placeholder: string;
  required: boolean;
  /** Checked on submit; returns a sentence for the person, or null when the value is fine. */
  validate?: (value: string) => string | null;
}

export interface SlashCommand {
  /** The block type it produces; also the suffix of its `slash-item-<blockType>` test id. */
  blockType: BlockType;
  title: string;
  description: string;
  /** Short glyph for the menu icon. */
  icon: string;
  keywords: readonly string[];
  /** Present when the command needs input first (see SlashCommandField). */
  fields?: readonly SlashCommandField[];
  /** Applies the command at the current selection; `values` holds the answers to `fields`. */
  run: (editor: Editor, values: Readonly<Record<string, string>>) => boolean;
}

const validateUrl = (value: string): string | null =>
  isSafeUrl(value) ? null : 'Enter a link that starts with https:// or http://.';

/**
 * Inserts a block node. An empty top-level paragraph (the one the "/" was typed in) is replaced
 * rather than left behind as a blank line above the new block. Afterwards the caret goes into the
 * text block after the new one (created if needed), so the next keystroke does not overwrite an
 * image or file that is still node-selected.
 */
export function insertBlock(editor: Editor, content: JSONContent): boolean {
  const { empty, $from } = editor.state.selection;
  const parent = $from.parent;
  const replaceEmptyParagraph =
    empty && $from.depth === 1 && parent.type.name === 'paragraph' && parent.content.size === 0;
  const inserted = replaceEmptyParagraph
    ? editor.chain().focus().insertContentAt({ from: $from.before(), to: $from.after() }, content).run()
    : editor.chain().focus().insertContent(content).run();
  if (!inserted) return false;

  const { selection } = editor.state;
  if (!(selection instanceof NodeSelection)) return true;
  const after = selection.to;
  return editor
    .chain()
    .command(({ tr, state }) => {
      const next = tr.doc.nodeAt(after);
      if (!next || !next.isTextblock) tr.insert(after, state.schema.nodes.paragraph.create());
      tr.setSelection(TextSelection.create(tr.doc, after + 1));
      return true;
    })
    .scrollIntoView()
    .run();
}

export const SLASH_COMMANDS: readonly SlashCommand[] = [
  {
    blockType: 'paragraph',
    title: 'Text',
    description: 'Plain text.',
    icon: 'T',
    keywords: ['text', 'paragraph', 'plain', 'p'],
    run: (editor) => editor.chain().focus().clearNodes().setParagraph().run(),
  },
  {
    blockType: 'heading_1',
    title: 'Heading 1',
    description: 'Big section heading.',
    icon: 'H1',
    keywords: ['h1', 'heading', 'title', 'big', '#'],
    run: (editor) => editor.chain().focus().clearNodes().setHeading({ level: 1 }).run(),
  },
  {
    blockType: 'heading_2',
    title: 'Heading 2',
    description: 'Medium section heading.',
    icon: 'H2',
    keywords: ['h2', 'heading', 'subtitle', 'medium', '##'],
    run: (editor) => editor.chain().focus().clearNodes().setHeading({ level: 2 }).run(),
  },
  {
    blockType: 'heading_3',
    title: 'Heading 3',
    description: 'Small section heading.',
    icon: 'H3',
    keywords: ['h3', 'heading', 'small', '###'],
    run: (editor) => editor.chain().focus().clearNodes().setHeading({ level: 3 }).run(),
  },
  {
    blockType: 'bulleted_list_item',
    title: 'Bulleted list',
    description: 'A simple bulleted list.',
    icon: '•',
    keywords: ['bullet', 'bulleted', 'unordered', 'list', 'ul', '-'],
    run: (editor) => editor.chain().focus().clearNodes().toggleBulletList().run(),
  },
  {
    blockType: 'numbered_list_item',
    title: 'Numbered list',
    description: 'A list with numbering.',
    icon: '1.',
    keywords: ['numbered', 'ordered', 'number', 'list', 'ol', '1.'],
    run: (editor) => editor.chain().focus().clearNodes().toggleOrderedList().run(),
  },
  {
    blockType: 'to_do',
    title: 'To-do list',
    description: 'Track tasks with checkboxes.',
    icon: '☐',
    keywords: ['todo', 'to-do', 'task', 'checkbox', 'check', 'list', '[]'],
    run: (editor) => editor.chain().focus().clearNodes().toggleTaskList().run(),
  },
  {
    blockType: 'code',
    title: 'Code',
    description: 'A block of code.',
    icon: '</>',
    keywords: ['code', 'codeblock', 'snippet', 'pre', '```'],
    run: (editor) => editor.chain().focus().clearNodes().setCodeBlock().run(),
  },
  {
    blockType: 'quote',
    title: 'Quote',
    description: 'Capture a quotation.',
    icon: '❝',
    keywords: ['quote', 'blockquote', 'citation', '>'],
    run: (editor) => editor.chain().focus().clearNodes().setBlockquote().run(),
  },
  {
    blockType: 'callout',
    title: 'Callout',
    description: 'Make a line stand out.',
    icon: '💡',
    keywords: ['callout', 'note', 'info', 'tip', 'warning', 'highlight'],
    run: (editor) => editor.chain().focus().clearNodes().setCallout().run(),
  },
  {
    blockType: 'divider',
    title: 'Divider',
    description: 'Separate sections with a line.',
    icon: '—',
    keywords: ['divider', 'hr', 'rule', 'line', 'separator', '---'],
    run: (editor) => editor.chain().focus().setHorizontalRule().run(),
  },
  {
    blockType: 'table',
    title: 'Table',
    description: 'A 3×3 table with a header row.',
    icon: '▦',
    keywords: ['table', 'grid', 'rows', 'columns', 'spreadsheet'],
    run: (editor) => editor.chain().focus().insertTable({ rows: 3, cols: 3, withHeaderRow: true }).run(),
  },
  {
    blockType: 'image',
    title: 'Image',
    description: 'Embed an image from a link.',
    icon: '🖼',
    keywords: ['image', 'picture', 'photo', 'img', 'media'],
    fields: [
      { name: 'url', label: 'Image link', placeholder: 'https://…/picture.png', required: true, validate: validateUrl },
    ],
    run: (editor, values) => {
      const src = values.url?.trim() ?? '';
      if (!isSafeUrl(src)) return false;
      return insertBlock(editor, { type: 'image', attrs: { src } });
    },
  },
  {
    blockType: 'file',
    title: 'File',
    description: 'Link a file by its URL.',
    icon: '📎',
    keywords: ['file', 'attachment', 'attach', 'upload', 'pdf', 'download'],
    fields: [
      { name: 'url', label: 'File link', placeholder: 'https://…/report.pdf', required: true, validate: validateUrl },
      { name: 'name', label: 'Name', placeholder: 'Quarterly report', required: false },
    ],
    run: (editor, values) => {
      const href = values.url?.trim() ?? '';
      if (!isSafeUrl(href)) return false;
      return insertBlock(editor, {
        type: 'fileAttachment',
        attrs: { href, name: values.name?.trim() ?? '', size: null },
      });
    },
  },
];

function rank(command: SlashCommand, query: string): number | null {
  const title = command.title.toLowerCase();
  if (title.startsWith(query)) return 0;
  if (title.split(/[\s-]+/).some((word) => word.startsWith(query))) return 1;
  if (command.keywords.some((keyword) => keyword.startsWith(query))) return 2;
  if (command.blockType.startsWith(query)) return 2;
  if (title.includes(query) || command.keywords.some((keyword) => keyword.includes(query))) return 3;
  return null;
}

/** Commands matching what was typed after "/", best match first; all of them for an empty query. */
export function filterSlashCommands(
  query: string,
  commands: readonly SlashCommand[] = SLASH_COMMANDS,
): SlashCommand[] {
  const normalized = query.trim().toLowerCase();
  if (normalized === '') return [...commands];
  return commands
    .map((command, index) => ({ command, index, score: rank(command, normalized) }))
    .filter((entry): entry is { command: SlashCommand; index: number; score: number } => entry.score !== null)
    .sort((a, b) => a.score - b.score || a.index - b.index)
    .map((entry) => entry.command);
}
