/**
 * Block identity rules the UniqueID extension does not enforce on its own:
 * a pasted (or copy-dropped) block is a new block and gets a fresh id, a block moved by drag keeps
 * its id, and no paste or drop may leave two blocks sharing one id anywhere in the document.
 */
import { combineTransactionSteps, Extension, getChangedRanges } from '@tiptap/core';
import type { Node as ProseMirrorNode } from '@tiptap/pm/model';
import { Fragment, Slice } from '@tiptap/pm/model';
import type { Transaction } from '@tiptap/pm/state';
import { Plugin, PluginKey } from '@tiptap/pm/state';
import { BLOCK_ID_ATTR, BLOCK_NODE_NAMES } from '../blocks/types';

/** A random v4 UUID; falls back to getRandomValues where randomUUID is missing (plain-http origins). */
export function newBlockId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const BLOCK_TYPES: ReadonlySet<string> = new Set(BLOCK_NODE_NAMES);

function stripFragment(fragment: Fragment, attributeName: string): Fragment {
  const children: ProseMirrorNode[] = [];
  fragment.forEach((node) => {
    if (node.isText) {
      children.push(node);
      return;
    }
    const content = stripFragment(node.content, attributeName);
    const hasId = BLOCK_TYPES.has(node.type.name) && node.attrs[attributeName] != null;
    const attrs = hasId ? { ...node.attrs, [attributeName]: null } : node.attrs;
    children.push(node.type.create(attrs, content, node.marks));
  });
  return Fragment.from(children);
}

/** The same slice with every block id cleared, so UniqueID assigns fresh ones on insert. */
export function stripBlockIds(slice: Slice, attributeName: string = BLOCK_ID_ATTR): Slice {
  return new Slice(stripFragment(slice.content, attributeName), slice.openStart, slice.openEnd);
}

/**
 * Positions (in `doc`) of blocks whose id another block already has. Of each group sharing an id
 * the one outside `touched` survives (it was there before the paste/drop); else the first one.
 */
export function findDuplicateBlockIds(
  doc: ProseMirrorNode,
  touched: (pos: number) => boolean,
  attributeName: string = BLOCK_ID_ATTR,
): number[] {
  const byId = new Map<string, number[]>();
  doc.descendants((node, pos) => {
    if (!BLOCK_TYPES.has(node.type.name)) return true;
    const id: unknown = node.attrs[attributeName];
    if (typeof id !== 'string' || id === '') return true;
    const positions = byId.get(id);
    if (positions) positions.push(pos);
    else byId.set(id, [pos]);
    return true;
  });
  const duplicates: number[] = [];
  for (const positions of byId.values()) {
    if (positions.length < 2) continue;
    const keeper = positions.find((pos) => !touched(pos)) ?? positions[0];
    duplicates.push(...positions.filter((pos) => pos !== keeper));
  }
  return duplicates;
}

const isMac = typeof navigator !== 'undefined' && /Mac|iP(hone|[oa]d)/.test(navigator.platform);

export interface BlockIdentityOptions {
  attributeName: string;
  generateID: () => string;
}

export const blockIdentityPluginKey = new PluginKey('blockIdentity');

export const BlockIdentity = Extension.create<BlockIdentityOptions>({
  name: 'blockIdentity',

  addOptions() {
    return { attributeName: BLOCK_ID_ATTR, generateID: newBlockId };
  },

  addProseMirrorPlugins() {
    const { attributeName, generateID } = this.options;
    // Set by the drop DOM event, read by transformPasted, which ProseMirror calls right after.
    let dropIsInternalMove = false;

    return [
      new Plugin({
        key: blockIdentityPluginKey,
        props: {
          handleDOMEvents: {
            drop: (view, event) => {
              // Mirrors ProseMirror's own rule (dragMoves): a drag from this editor moves unless
              // the copy modifier is held.
              dropIsInternalMove = view.dragging !== null && !(isMac ? event.altKey : event.ctrlKey);
              return false;
            },
          },
          // Runs after UniqueID's transformPasted (lower priority), which clears ids on every drop
          // whose dataTransfer says copyMove — including plain moves inside this editor.
          transformPasted: (slice, view) => {
            const moving = dropIsInternalMove ? view.dragging : null;
            dropIsInternalMove = false;
            if (moving && moving.slice.openStart === 0 && moving.slice.openEnd === 0) {
              return moving.slice;
            }
            return stripBlockIds(slice, attributeName);
          },
        },
        appendTransaction: (transactions, oldState, newState) => {
          const fromPasteOrDrop = transactions.some((tr) => {
            const uiEvent: unknown = tr.getMeta('uiEvent');
            return tr.docChanged && (uiEvent === 'paste' || uiEvent === 'drop');
          });
          if (!fromPasteOrDrop) return null;

          const transform = combineTransactionSteps(oldState.doc, [...transactions]);
          const ranges = getChangedRanges(transform).map(({ newRange }) => newRange);
          const touched = (pos: number) => ranges.some(({ from, to }) => pos >= from && pos < to);
          const duplicates = findDuplicateBlockIds(newState.doc, touched, attributeName);
          if (duplicates.length === 0) return null;

          const tr: Transaction = newState.tr;
          for (const pos of duplicates) {
            const node = tr.doc.nodeAt(pos);
            if (!node) continue;
            tr.setNodeMarkup(pos, undefined, { ...node.attrs, [attributeName]: generateID() });
          }
          tr.setStoredMarks(newState.storedMarks);
          return tr;
        },
      }),
    ];
  },
});
