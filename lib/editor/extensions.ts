/**
 * THE TipTap extension list. The browser editor, tests and the server (which reads Yjs documents
 * into ProseMirror nodes) all build their schema from `buildSchemaExtensions`, so node names and
 * attributes can never drift apart. Browser-only behaviour is layered on in `buildExtensions`.
 */
import type { Extensions } from '@tiptap/core';
import { getSchema } from '@tiptap/core';
import { Collaboration, isChangeOrigin } from '@tiptap/extension-collaboration';
import { CollaborationCaret } from '@tiptap/extension-collaboration-caret';
import { Image } from '@tiptap/extension-image';
import { TaskItem, TaskList } from '@tiptap/extension-list';
import { Table, TableCell, TableHeader, TableRow } from '@tiptap/extension-table';
import { UniqueID } from '@tiptap/extension-unique-id';
import { Placeholder, UndoRedo } from '@tiptap/extensions';
import type { Node as ProseMirrorNode, Schema } from '@tiptap/pm/model';
import { StarterKit } from '@tiptap/starter-kit';
import type { WebsocketProvider } from 'y-websocket';
import type { Doc } from 'yjs';
import { BLOCK_ID_ATTR, BLOCK_NODE_NAMES, YDOC_FIELD } from '../blocks/types';
import { KnowledgeAnnotations } from './annotations';
import { BlockIdentity, newBlockId } from './blockIdentity';
import { Callout } from './callout';
import { FileAttachment } from './fileAttachment';
import { SlashCommandMenu, type SlashInputRequest, type SlashMenuRender } from './slashCommand';
import { TrailingParagraph } from './trailingParagraph';

export interface CollaborationUser {
  name: string;
  color: string;
}

export interface EditorExtensionOptions {
  /** The shared document; with it the editor edits `ydoc.getXmlFragment(YDOC_FIELD)`. */
  ydoc?: Doc;
  /** Carries awareness (remote carets, presence). Needs `ydoc`. */
  provider?: WebsocketProvider;
  /** Shown on this user's caret to others. */
  user?: CollaborationUser;
  /** The "/" menu UI (components/editor/SlashMenu.tsx). Without it "/" is just a character. */
  slashMenu?: {
    render: SlashMenuRender;
    onRequestInput: (request: SlashInputRequest) => void;
  };
  /** Placeholder text in empty blocks. Default true. */
  placeholder?: boolean;
}

const DEFAULT_USER: CollaborationUser = { name: 'Anonymous', color: '#6b7280' };

/**
 * Nodes, marks and the block-id attribute: everything that shapes the schema and nothing that
 * needs a DOM or a provider. Safe to call in Node.
 */
export function buildSchemaExtensions(): Extensions {
  return [
    StarterKit.configure({
      // Collaboration brings its own (Yjs) undo; standalone editors add UndoRedo themselves.
      undoRedo: false,
      // Replaced by TrailingParagraph, which ignores remote transactions.
      trailingNode: false,
      heading: { levels: [1, 2, 3] },
      codeBlock: { enableTabIndentation: true },
      link: { openOnClick: false, autolink: true, defaultProtocol: 'https' },
      dropcursor: { color: 'var(--accent)', width: 2 },
    }),
    TaskList,
    TaskItem.configure({ nested: true }),
    Table.configure({ resizable: false }),
    TableRow,
    TableHeader,
    TableCell,
    Image.configure({ inline: false, allowBase64: false }),
    Callout,
    FileAttachment,
    UniqueID.configure({
      types: [...BLOCK_NODE_NAMES],
      attributeName: BLOCK_ID_ATTR,
      generateID: () => newBlockId(),
      // Remote (y-sync) transactions carry ids chosen by their author; rewriting them here would
      // make every client fight over the same blocks. (UniqueID also checks the literal 'y-sync$'
      // meta key; isChangeOrigin uses the plugin key object itself, so it survives a renamed key.)
      filterTransaction: (transaction) => !isChangeOrigin(transaction),
    }),
  ];
}

/** The ProseMirror schema of a Knowledge OS document, for code that reads documents without an editor. */
export function buildEditorSchema(): Schema {
  return getSchema(buildSchemaExtensions());
}

// Must look only at `node`: Placeholder calls this while applying a transaction, when
// `editor.state` is still the previous state and `pos` may not exist in it. Context-dependent
// text (list items, table cells) is handled in CSS (app/globals.css).
function placeholderFor({ node }: { node: ProseMirrorNode }): string {
  if (node.type.name === 'heading') return `Heading ${String(node.attrs.level)}`;
  if (node.type.name === 'paragraph') return "Type '/' for commands";
  return '';
}

/** The full browser extension list: schema + collaboration + editing behaviour. */
export function buildExtensions(options: EditorExtensionOptions = {}): Extensions {
  const { ydoc, provider, user = DEFAULT_USER, slashMenu, placeholder = true } = options;
  const extensions: Extensions = [...buildSchemaExtensions(), BlockIdentity, TrailingParagraph, KnowledgeAnnotations];

  if (placeholder) {
    extensions.push(
      Placeholder.configure({
        includeChildren: true,
        showOnlyCurrent: true,
        placeholder: placeholderFor,
      }),
    );
  }

  if (slashMenu) {
    extensions.push(SlashCommandMenu.configure({ render: slashMenu.render, onRequestInput: slashMenu.onRequestInput }));
  }

  if (ydoc) {
    extensions.push(Collaboration.configure({ document: ydoc, field: YDOC_FIELD }));
    if (provider) extensions.push(CollaborationCaret.configure({ provider, user }));
  } else {
    extensions.push(UndoRedo);
  }

  return extensions;
}

/** Everything but collaboration, with local undo: for tests and single-user editors. */
export function buildStandaloneExtensions(options: Pick<EditorExtensionOptions, 'slashMenu' | 'placeholder'> = {}): Extensions {
  return buildExtensions({ ...options, ydoc: undefined, provider: undefined });
}
