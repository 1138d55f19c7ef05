/**
 * Keeps an empty paragraph after a trailing table, image, divider or file so there is always
 * somewhere to type. Unlike StarterKit's TrailingNode it only reacts to local edits: if every
 * client appended a paragraph when a remote change arrived, a shared document would collect one
 * empty paragraph per connected client.
 */
import { isChangeOrigin } from '@tiptap/extension-collaboration';
import { Extension } from '@tiptap/core';
import { Plugin, PluginKey } from '@tiptap/pm/state';

export const trailingParagraphPluginKey = new PluginKey('trailingParagraph');

export const TrailingParagraph = Extension.create({
  name: 'trailingParagraph',

  addProseMirrorPlugins() {
    return [
      new Plugin({
        key: trailingParagraphPluginKey,
        appendTransaction: (transactions, _oldState, newState) => {
          const localEdit = transactions.some((tr) => tr.docChanged && !isChangeOrigin(tr));
          if (!localEdit) return null;
          const last = newState.doc.lastChild;
          const paragraph = newState.schema.nodes.paragraph;
          if (!paragraph || (last && last.type === paragraph)) return null;
          return newState.tr.insert(newState.doc.content.size, paragraph.create());
        },
      }),
    ];
  },
});
