/**
 * Callout block: one line of rich text beside an emoji, like Notion's callout.
 * Its content is `inline*`, so any paragraph can be turned into a callout and back without loss.
 */
import { mergeAttributes, Node } from '@tiptap/core';

export const DEFAULT_CALLOUT_EMOJI = '💡';

export interface CalloutAttributes {
  emoji: string;
}

declare module '@tiptap/core' {
  interface Commands<ReturnType> {
    callout: {
      /** Turn the current text block into a callout. */
      setCallout: (attributes?: Partial<CalloutAttributes>) => ReturnType;
      /** Turn a callout back into a paragraph, or a text block into a callout. */
      toggleCallout: (attributes?: Partial<CalloutAttributes>) => ReturnType;
    };
  }
}

function emojiOf(value: unknown): string {
  return typeof value === 'string' && value.trim() !== '' ? value : DEFAULT_CALLOUT_EMOJI;
}

export const Callout = Node.create({
  name: 'callout',
  group: 'block',
  content: 'inline*',
  defining: true,

  addAttributes() {
    return {
      emoji: {
        default: DEFAULT_CALLOUT_EMOJI,
        parseHTML: (element) => emojiOf(element.getAttribute('data-emoji')),
        renderHTML: (attributes) => ({ 'data-emoji': emojiOf(attributes.emoji) }),
      },
    };
  },

  parseHTML() {
    return [
      {
        tag: 'div[data-type="callout"]',
        // The emoji sits outside the content element, so it is not parsed as text.
        contentElement: (element) =>
          element.querySelector<HTMLElement>(':scope > .callout-content') ?? element,
      },
    ];
  },

  renderHTML({ node, HTMLAttributes }) {
    return [
      'div',
      mergeAttributes({ 'data-type': 'callout', class: 'callout' }, HTMLAttributes),
      ['span', { class: 'callout-emoji', contenteditable: 'false' }, emojiOf(node.attrs.emoji)],
      ['div', { class: 'callout-content' }, 0],
    ];
  },

  renderText({ node }) {
    return `${emojiOf(node.attrs.emoji)} ${node.textContent}`;
  },

  addCommands() {
    return {
      setCallout:
        (attributes) =>
        ({ commands }) =>
          commands.setNode(this.name, attributes),
      toggleCallout:
        (attributes) =>
        ({ commands }) =>
          commands.toggleNode(this.name, 'paragraph', attributes),
    };
  },

  addKeyboardShortcuts() {
    return {
      // Backspace at the very start of a callout unwraps it, as it does for headings in Notion.
      Backspace: ({ editor }) => {
        const { empty, $from } = editor.state.selection;
        if (!empty || $from.parent.type.name !== this.name || $from.parentOffset !== 0) {
          return false;
        }
        return editor.commands.setNode('paragraph');
      },
    };
  },
});
