/**
 * File block: a link to a file with its name and (when known) its size. An atom node: the
 * caret never enters it; it is selected, moved and deleted as a whole.
 */
import { mergeAttributes, Node } from '@tiptap/core';
import type { DOMOutputSpec } from '@tiptap/pm/model';
import { fileNameFromUrl, formatBytes, safeUrlOrNull } from './safeUrl';

export interface FileAttachmentAttributes {
  href: string;
  name: string;
  size: number | null;
}

declare module '@tiptap/core' {
  interface Commands<ReturnType> {
    fileAttachment: {
      /** Insert a file block at the selection. Refuses URLs that are not http(s) or same-origin. */
      setFileAttachment: (attributes: FileAttachmentAttributes) => ReturnType;
    };
  }
}

function sizeOf(value: unknown): number | null {
  const size = typeof value === 'string' ? Number.parseInt(value, 10) : value;
  return typeof size === 'number' && Number.isFinite(size) && size >= 0 ? size : null;
}

function displayName(name: unknown, href: string | null): string {
  if (typeof name === 'string' && name.trim() !== '') return name.trim();
  return href ? fileNameFromUrl(href) : 'Untitled file';
}

export const FileAttachment = Node.create({
  name: 'fileAttachment',
  group: 'block',
  atom: true,
  selectable: true,
  draggable: true,

  addAttributes() {
    return {
      href: {
        default: null,
        parseHTML: (element) => safeUrlOrNull(element.getAttribute('data-href')),
        renderHTML: (attributes) => {
          const href = safeUrlOrNull(attributes.href);
          return href ? { 'data-href': href } : {};
        },
      },
      name: {
        default: '',
        parseHTML: (element) => element.getAttribute('data-name') ?? '',
        renderHTML: (attributes) => ({ 'data-name': typeof attributes.name === 'string' ? attributes.name : '' }),
      },
      size: {
        default: null,
        parseHTML: (element) => sizeOf(element.getAttribute('data-size')),
        renderHTML: (attributes) => {
          const size = sizeOf(attributes.size);
          return size === null ? {} : { 'data-size': String(size) };
        },
      },
    };
  },

  parseHTML() {
    return [{ tag: 'div[data-type="file-attachment"]' }];
  },

  renderHTML({ node, HTMLAttributes }) {
    const href = safeUrlOrNull(node.attrs.href);
    const size = sizeOf(node.attrs.size);
    const details: DOMOutputSpec[] = [
      ['span', { class: 'file-attachment-icon', 'aria-hidden': 'true' }, '📎'],
      ['span', { class: 'file-attachment-name' }, displayName(node.attrs.name, href)],
    ];
    if (size !== null) details.push(['span', { class: 'file-attachment-size' }, formatBytes(size)]);
    const link: DOMOutputSpec = href
      ? ['a', { class: 'file-attachment-link', href, target: '_blank', rel: 'noopener noreferrer nofollow' }, ...details]
      : ['span', { class: 'file-attachment-link is-broken' }, ...details];
    return ['div', mergeAttributes({ 'data-type': 'file-attachment', class: 'file-attachment' }, HTMLAttributes), link];
  },

  renderText({ node }) {
    const href = safeUrlOrNull(node.attrs.href);
    return href ? `${displayName(node.attrs.name, href)} (${href})` : displayName(node.attrs.name, href);
  },

  addCommands() {
    return {
      setFileAttachment:
        (attributes) =>
        ({ commands }) => {
          const href = safeUrlOrNull(attributes.href);
          if (!href) return false;
          return commands.insertContent({
            type: this.name,
            attrs: { href, name: attributes.name.trim(), size: sizeOf(attributes.size) },
          });
        },
    };
  },
});
