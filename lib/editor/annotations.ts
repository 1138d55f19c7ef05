/**
 * Knowledge highlights: atoms and molecules drawn as inline decorations over the text the server
 * annotated. Annotations are standoff (block id + UTF-16 offsets into the block's plain text, see
 * lib/blocks/text.ts); they are mapped onto ProseMirror positions with the same text rule as
 * lib/blocks/project.ts and then follow their text through edits until the next set arrives.
 */
import type { Editor } from '@tiptap/core';
import { Extension } from '@tiptap/core';
import { isChangeOrigin } from '@tiptap/extension-collaboration';
import type { Node as ProseMirrorNode, ResolvedPos } from '@tiptap/pm/model';
import type { Transaction } from '@tiptap/pm/state';
import { Plugin, PluginKey } from '@tiptap/pm/state';
import { Decoration, DecorationSet } from '@tiptap/pm/view';
import { CELL_SEPARATOR, ROW_SEPARATOR } from '../blocks/text';
import { BLOCK_ID_ATTR, BLOCK_NODE_NAMES, LIST_ITEM_TYPE } from '../blocks/types';
import type { AnnotationDto, AtomTypeName, DocumentKnowledgeDto } from '../knowledge/dto';

// ---- Block text <-> positions (pure) ----

/** A run of the block's text that sits in the document: text[offset, offset+length) = doc[pos, pos+length). */
export interface TextSegment {
  offset: number;
  pos: number;
  length: number;
}

/** A block's plain text and where each run of it lies in the document. Separators have no position. */
export interface BlockTextMap {
  text: string;
  segments: TextSegment[];
}

export interface BlockAt {
  id: string;
  node: ProseMirrorNode;
  /** Position just before the block node. */
  pos: number;
}

const BLOCK_NODES: ReadonlySet<string> = new Set(BLOCK_NODE_NAMES);
const LIST_CONTAINERS: ReadonlySet<string> = new Set(Object.keys(LIST_ITEM_TYPE));
const LIST_ITEMS: ReadonlySet<string> = new Set(['listItem', 'taskItem']);

/** The text of the block node that starts at `pos`, exactly as the blocks projection computes it. */
export function blockTextMap(node: ProseMirrorNode, pos: number): BlockTextMap {
  const map: BlockTextMap = { text: '', segments: [] };
  const add = (text: string, at: number | null) => {
    if (at !== null && text !== '') map.segments.push({ offset: map.text.length, pos: at, length: text.length });
    map.text += text;
  };
  // Only text and hard breaks count; other inline nodes are not part of the rich text.
  const inline = (textblock: ProseMirrorNode, at: number) => {
    if (!textblock.isTextblock) return;
    textblock.forEach((child, offset) => {
      if (child.isText) add(child.text ?? '', at + 1 + offset);
      else if (child.type.name === 'hardBreak') add('\n', at + 1 + offset);
    });
  };
  // A quote or a table cell: one line per child.
  const lines = (container: ProseMirrorNode, at: number) => {
    container.forEach((child, offset, index) => {
      if (index > 0) add('\n', null);
      inline(child, at + 1 + offset);
    });
  };

  const name = node.type.name;
  if (name === 'table') {
    node.forEach((row, rowOffset, rowIndex) => {
      if (rowIndex > 0) add(ROW_SEPARATOR, null);
      row.forEach((cell, cellOffset, cellIndex) => {
        if (cellIndex > 0) add(CELL_SEPARATOR, null);
        lines(cell, pos + 1 + rowOffset + 1 + cellOffset);
      });
    });
  } else if (name === 'blockquote') {
    lines(node, pos);
  } else if (LIST_ITEMS.has(name)) {
    // An item's text is its first paragraph; what follows are child blocks.
    const first = node.firstChild;
    if (first?.type.name === 'paragraph') inline(first, pos + 1);
  } else {
    inline(node, pos);
  }
  return map;
}

/** Document range of text[start, end), or null when it covers no text of the block. */
export function rangeOfOffsets(map: BlockTextMap, start: number, end: number): { from: number; to: number } | null {
  if (start < 0 || end > map.text.length || start >= end) return null;
  const first = map.segments.find((s) => s.offset + s.length > start);
  const last = map.segments.findLast((s) => s.offset < end);
  if (!first || !last) return null;
  const from = first.pos + Math.max(0, start - first.offset);
  const to = last.pos + Math.min(last.length, end - last.offset);
  return from < to ? { from, to } : null;
}

/** Offset in the block's text of a document position inside it, or null if the position is not in its text. */
export function offsetOfPos(map: BlockTextMap, pos: number): number | null {
  const segment = map.segments.find((s) => pos >= s.pos && pos <= s.pos + s.length);
  return segment ? segment.offset + pos - segment.pos : null;
}

/** Every block node by id (the first one when ids collide, as the projection does). */
export function indexBlocks(doc: ProseMirrorNode): Map<string, BlockAt> {
  const blocks = new Map<string, BlockAt>();
  doc.descendants((node, pos) => {
    const id: unknown = node.attrs[BLOCK_ID_ATTR];
    if (BLOCK_NODES.has(node.type.name) && typeof id === 'string' && id !== '' && !blocks.has(id)) {
      blocks.set(id, { id, node, pos });
    }
    return !node.isTextblock;
  });
  return blocks;
}

/** The block (as the projection sees blocks) whose text holds `$pos`. */
export function blockAround($pos: ResolvedPos): BlockAt | null {
  let item: BlockAt | null = null;
  const at = (depth: number): BlockAt | null => {
    const node = $pos.node(depth);
    const id: unknown = node.attrs[BLOCK_ID_ATTR];
    return typeof id === 'string' && id !== '' ? { id, node, pos: $pos.before(depth) } : null;
  };
  for (let depth = 1; depth <= $pos.depth; depth += 1) {
    const name = $pos.node(depth).type.name;
    if (LIST_CONTAINERS.has(name)) continue;
    if (LIST_ITEMS.has(name)) {
      item = at(depth);
      continue;
    }
    const isItemText = item !== null && $pos.index(depth - 1) === 0 && name === 'paragraph';
    return isItemText ? item : at(depth);
  }
  return item;
}

export interface TextSelectionInBlock {
  blockId: string;
  start: number;
  end: number;
  quote: string;
  from: number;
  to: number;
}

/** The selected text as block offsets, when the selection is non-empty text inside one block. */
export function selectionInBlock(doc: ProseMirrorNode, from: number, to: number): TextSelectionInBlock | null {
  if (from >= to) return null;
  const block = blockAround(doc.resolve(from));
  if (!block || blockAround(doc.resolve(to))?.pos !== block.pos) return null;
  const map = blockTextMap(block.node, block.pos);
  const start = offsetOfPos(map, from);
  const end = offsetOfPos(map, to);
  if (start === null || end === null || start >= end) return null;
  const quote = map.text.slice(start, end);
  if (quote.trim() === '') return null;
  return { blockId: block.id, start, end, quote, from, to };
}

// ---- The decoration plugin ----

export interface LayerView {
  atoms: boolean;
  molecules: boolean;
  /** Only atoms of this type are drawn; null draws every type. */
  atomType: AtomTypeName | null;
}

type KnowledgeInput = Pick<DocumentKnowledgeDto, 'annotations' | 'atoms' | 'molecules'>;

interface HighlightSpec {
  annotation: AnnotationDto;
  /** Atom or molecule type, for classes and the type filter. */
  knowledgeKind: string;
}

interface AnnotationState {
  knowledge: KnowledgeInput;
  view: LayerView;
  flashId: string | null;
  /** Every annotation whose quote matched, mapped through edits. */
  all: DecorationSet;
  /** What is drawn: `all` filtered by the layer view, plus the flash. */
  drawn: DecorationSet;
}

type AnnotationAction = { knowledge: KnowledgeInput } | { view: LayerView } | { flashId: string | null };

export const annotationsPluginKey = new PluginKey<AnnotationState>('knowledgeAnnotations');

const EMPTY_KNOWLEDGE: KnowledgeInput = { annotations: [], atoms: [], molecules: [] };
const ALL_LAYERS: LayerView = { atoms: true, molecules: true, atomType: null };

/**
 * Decorations for the anchored annotations whose quote matches the text at their offsets. When it
 * does not, the highlight's place in `previous` (where local edits carried it) is tried, so a
 * refetch that races the server's re-anchoring does not blink highlights away.
 */
export function buildHighlights(doc: ProseMirrorNode, knowledge: KnowledgeInput, previous: DecorationSet = DecorationSet.empty): DecorationSet {
  const kinds = new Map<string, string>([
    ...knowledge.atoms.map((atom): [string, string] => [atom.id, atom.type]),
    ...knowledge.molecules.map((molecule): [string, string] => [molecule.id, molecule.type]),
  ]);
  const carried = new Map(previous.find().map((decoration) => [specOf(decoration).annotation.id, decoration]));
  const blocks = indexBlocks(doc);
  const maps = new Map<string, BlockTextMap>();
  const decorations: Decoration[] = [];
  for (const annotation of knowledge.annotations) {
    const knowledgeKind = kinds.get(annotation.knowledgeId);
    const block = annotation.blockId ? blocks.get(annotation.blockId) : undefined;
    if (annotation.status !== 'anchored' || !knowledgeKind || !block) continue;
    const map = maps.get(block.id) ?? blockTextMap(block.node, block.pos);
    maps.set(block.id, map);
    const range = anchoredRange(map, annotation, carried.get(annotation.id));
    // No match: the server re-anchors it; drawing it here would mark the wrong words.
    if (!range) continue;
    const spec: HighlightSpec = { annotation, knowledgeKind };
    decorations.push(Decoration.inline(range.from, range.to, {}, spec));
  }
  return DecorationSet.create(doc, decorations);
}

function anchoredRange(map: BlockTextMap, annotation: AnnotationDto, carried: Decoration | undefined) {
  if (map.text.slice(annotation.start, annotation.end) === annotation.quote) return rangeOfOffsets(map, annotation.start, annotation.end);
  if (!carried) return null;
  const start = offsetOfPos(map, carried.from);
  const end = offsetOfPos(map, carried.to);
  if (start === null || end === null || map.text.slice(start, end) !== annotation.quote) return null;
  return rangeOfOffsets(map, start, end);
}

function specOf(decoration: Decoration): HighlightSpec {
  return decoration.spec as HighlightSpec;
}

function highlightAttrs({ annotation, knowledgeKind }: HighlightSpec, flash: boolean): Record<string, string> {
  const base = annotation.layer === 'atom' ? 'kos-atom' : 'kos-molecule';
  const attrs: Record<string, string> = {
    // Its own element, so an atom inside a molecule keeps its own data attributes.
    nodeName: 'span',
    class: `${base} ${base}--${knowledgeKind}${flash ? ' kos-flash' : ''}`,
    'data-annotation-id': annotation.id,
    'data-knowledge-id': annotation.knowledgeId,
  };
  if (annotation.layer === 'atom') attrs['data-atom-type'] = knowledgeKind;
  else attrs['data-molecule-type'] = knowledgeKind;
  return attrs;
}

function isVisible({ annotation, knowledgeKind }: HighlightSpec, view: LayerView): boolean {
  if (annotation.layer === 'molecule') return view.molecules;
  return view.atoms && (view.atomType === null || view.atomType === knowledgeKind);
}

function drawn(doc: ProseMirrorNode, all: DecorationSet, view: LayerView, flashId: string | null): DecorationSet {
  const shown = all.find().flatMap((decoration) => {
    const spec = specOf(decoration);
    const flash = flashId !== null && spec.annotation.knowledgeId === flashId;
    if (!flash && !isVisible(spec, view)) return [];
    return [Decoration.inline(decoration.from, decoration.to, highlightAttrs(spec, flash), spec)];
  });
  return DecorationSet.create(doc, shown);
}

/**
 * Collaboration rewrites the whole document on every remote change, so mapping would drop every
 * highlight. Instead: read each highlight's offsets in the old document, shift them past the edit
 * of their block (common prefix / suffix of the old and new text), and anchor again.
 */
function reanchor(state: AnnotationState, oldDoc: ProseMirrorNode, newDoc: ProseMirrorNode): AnnotationDto[] {
  const oldBlocks = indexBlocks(oldDoc);
  const newBlocks = indexBlocks(newDoc);
  const current = new Map<string, { start: number; end: number }>();
  for (const decoration of state.all.find()) {
    const { annotation } = specOf(decoration);
    const before = annotation.blockId ? oldBlocks.get(annotation.blockId) : undefined;
    const after = annotation.blockId ? newBlocks.get(annotation.blockId) : undefined;
    if (!before || !after) continue;
    const oldMap = blockTextMap(before.node, before.pos);
    const start = offsetOfPos(oldMap, decoration.from);
    const end = offsetOfPos(oldMap, decoration.to);
    if (start === null || end === null) continue;
    const shift = shiftPastEdit(oldMap.text, blockTextMap(after.node, after.pos).text);
    current.set(annotation.id, { start: shift(start, 1), end: shift(end, -1) });
  }
  return state.knowledge.annotations.map((annotation) => ({ ...annotation, ...current.get(annotation.id) }));
}

/**
 * Maps an offset in `before` to `after`, assuming one contiguous edit between them. `assoc` says
 * which way an offset right at an insertion goes: 1 (a span's start) moves past it, -1 stays.
 */
export function shiftPastEdit(before: string, after: string): (offset: number, assoc: 1 | -1) => number {
  let prefix = 0;
  while (prefix < before.length && prefix < after.length && before[prefix] === after[prefix]) prefix += 1;
  let suffix = 0;
  while (
    suffix < before.length - prefix &&
    suffix < after.length - prefix &&
    before[before.length - 1 - suffix] === after[after.length - 1 - suffix]
  ) {
    suffix += 1;
  }
  const delta = after.length - before.length;
  return (offset, assoc) => {
    const pastEdit = offset >= before.length - suffix;
    const beforeEdit = offset <= prefix;
    return pastEdit && (!beforeEdit || assoc === 1) ? offset + delta : offset;
  };
}

function apply(tr: Transaction, state: AnnotationState, oldDoc: ProseMirrorNode): AnnotationState {
  const action = tr.getMeta(annotationsPluginKey) as AnnotationAction | undefined;
  const remote = tr.docChanged && isChangeOrigin(tr);
  if (!action && !tr.docChanged) return state;
  if (!action && !remote) return { ...state, all: state.all.map(tr.mapping, tr.doc), drawn: state.drawn.map(tr.mapping, tr.doc) };

  let { knowledge, all } = state;
  if (remote) {
    knowledge = { ...knowledge, annotations: reanchor(state, oldDoc, tr.doc) };
    all = buildHighlights(tr.doc, knowledge);
  } else if (tr.docChanged) {
    all = all.map(tr.mapping, tr.doc);
  }
  if (action && 'knowledge' in action) {
    knowledge = action.knowledge;
    all = buildHighlights(tr.doc, knowledge, all);
  }
  const view = action && 'view' in action ? action.view : state.view;
  const flashId = action && 'flashId' in action ? action.flashId : state.flashId;
  return { knowledge, view, flashId, all, drawn: drawn(tr.doc, all, view, flashId) };
}

/** The plugin behind KnowledgeAnnotations (exported for tests that run it without an editor). */
export function knowledgeAnnotationsPlugin(): Plugin<AnnotationState> {
  return new Plugin<AnnotationState>({
    key: annotationsPluginKey,
    state: {
      init: () => ({ knowledge: EMPTY_KNOWLEDGE, view: ALL_LAYERS, flashId: null, all: DecorationSet.empty, drawn: DecorationSet.empty }),
      apply: (tr, state, oldState) => apply(tr, state, oldState.doc),
    },
    props: {
      decorations: (state) => annotationsPluginKey.getState(state)?.drawn ?? DecorationSet.empty,
    },
  });
}

/** Draws atom and molecule annotations; fed with `setKnowledgeHighlights` and `setLayerView`. */
export const KnowledgeAnnotations = Extension.create({
  name: 'knowledgeAnnotations',
  addProseMirrorPlugins: () => [knowledgeAnnotationsPlugin()],
});

function dispatch(editor: Editor, action: AnnotationAction): void {
  if (editor.isDestroyed) return;
  // Redrawn highlights make ProseMirror write its selection back to the page. The browser reports
  // a selection moved by an arrow key a moment later (selectionchange), so a redraw in between
  // undid the key press: read such a selection first, as ProseMirror does before a composition.
  (editor.view as unknown as { domObserver: { flush(): void } }).domObserver.flush();
  editor.view.dispatch(editor.state.tr.setMeta(annotationsPluginKey, action).setMeta('addToHistory', false));
}

export function setKnowledgeHighlights(editor: Editor, knowledge: KnowledgeInput): void {
  dispatch(editor, { knowledge });
}

export function setLayerView(editor: Editor, view: LayerView): void {
  dispatch(editor, { view });
}

/** The highlights drawn at a document position, innermost (shortest) first. */
export function highlightsAt(editor: Editor, pos: number): Array<{ from: number; to: number; annotation: AnnotationDto }> {
  const state = annotationsPluginKey.getState(editor.state);
  if (!state) return [];
  return state.drawn
    .find(pos, pos)
    .filter((decoration) => decoration.from <= pos && pos <= decoration.to)
    .sort((a, b) => a.to - a.from - (b.to - b.from))
    .map((decoration) => ({ from: decoration.from, to: decoration.to, annotation: specOf(decoration).annotation }));
}

export const FLASH_MS = 1200;

/** Scrolls to the text of an atom or molecule and flashes it. False when it is not in the text. */
export function revealKnowledge(editor: Editor, knowledgeId: string): boolean {
  const state = annotationsPluginKey.getState(editor.state);
  const target = state?.all.find(undefined, undefined, (spec: HighlightSpec) => spec.annotation.knowledgeId === knowledgeId)[0];
  if (!target || editor.isDestroyed) return false;
  dispatch(editor, { flashId: knowledgeId });
  const element = editor.view.dom.querySelector(`.kos-flash[data-knowledge-id="${CSS.escape(knowledgeId)}"]`);
  element?.scrollIntoView({ block: 'center', behavior: 'smooth' });
  window.setTimeout(() => {
    if (annotationsPluginKey.getState(editor.state)?.flashId === knowledgeId) dispatch(editor, { flashId: null });
  }, FLASH_MS);
  return true;
}
