import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import { EditorState } from '@tiptap/pm/state';
import { prosemirrorJSONToYXmlFragment, ySyncPluginKey } from '@tiptap/y-tiptap';
import { buildEditorSchema } from '../../lib/editor/extensions';
import {
  annotationsPluginKey,
  blockTextMap,
  indexBlocks,
  knowledgeAnnotationsPlugin,
  rangeOfOffsets,
  selectionInBlock,
  shiftPastEdit,
} from '../../lib/editor/annotations';
import { projectBlocks } from '../../lib/blocks/project';
import { blockText } from '../../lib/blocks/text';
import { YDOC_FIELD } from '../../lib/blocks/types';
import type { AnnotationDto, AtomDto } from '../../lib/knowledge/dto';

const schema = buildEditorSchema();
const ids = {
  para: '00000000-0000-4000-8000-000000000001',
  heading: '00000000-0000-4000-8000-000000000002',
  parent: '00000000-0000-4000-8000-000000000003',
  nested: '00000000-0000-4000-8000-000000000004',
  quote: '00000000-0000-4000-8000-000000000005',
  table: '00000000-0000-4000-8000-000000000006',
  emoji: '00000000-0000-4000-8000-000000000007',
};
const text = (value: string, marks?: Array<{ type: string }>) => ({ type: 'text', text: value, marks });
const p = (...content: unknown[]) => ({ type: 'paragraph', content });
const cell = (value: string) => ({ type: 'tableCell', content: [p(text(value))] });

const json = {
  type: 'doc',
  content: [
    { type: 'paragraph', attrs: { id: ids.para }, content: [text('In Quebec, the rate is '), text('10%', [{ type: 'bold' }]), text('.')] },
    { type: 'heading', attrs: { id: ids.heading, level: 2 }, content: [text('Withholding in 2026')] },
    {
      type: 'bulletList',
      content: [
        {
          type: 'listItem',
          attrs: { id: ids.parent },
          content: [
            p(text('Parent item')),
            { type: 'bulletList', content: [{ type: 'listItem', attrs: { id: ids.nested }, content: [p(text('Nested $5,000 limit'))] }] },
          ],
        },
      ],
    },
    { type: 'blockquote', attrs: { id: ids.quote }, content: [p(text('First line')), p(text('second line'))] },
    {
      type: 'table',
      attrs: { id: ids.table },
      content: [
        { type: 'tableRow', content: [cell('Province'), cell('Rate')] },
        { type: 'tableRow', content: [cell('Quebec'), cell('10%')] },
      ],
    },
    { type: 'paragraph', attrs: { id: ids.emoji }, content: [text('🇨🇦 pays 😀 '), { type: 'hardBreak' }, text('5% more')] },
  ],
};
const doc = schema.nodeFromJSON(json);

function mapOf(blockId: string) {
  const block = indexBlocks(doc).get(blockId);
  assert.ok(block, `block ${blockId} exists`);
  return blockTextMap(block.node, block.pos);
}

/** The document text a range covers, with the block text's own separators. */
function covered(blockId: string, start: number, end: number): string {
  const range = rangeOfOffsets(mapOf(blockId), start, end);
  assert.ok(range, `range ${start}-${end} in ${blockId}`);
  return doc.textBetween(range.from, range.to, '\n', '\n');
}

function atomAnnotation(blockId: string, quote: string, id = 'ann-1'): AnnotationDto {
  const start = mapOf(blockId).text.indexOf(quote);
  assert.ok(start >= 0, `"${quote}" is in the block`);
  return {
    id,
    blockId,
    start,
    end: start + quote.length,
    quote,
    knowledgeType: 'atom',
    knowledgeId: `atom-${id}`,
    layer: 'atom',
    confidence: 0.9,
    source: 'ai_extracted',
    status: 'anchored',
  };
}

function atomFor(annotation: AnnotationDto): AtomDto {
  return {
    id: annotation.knowledgeId,
    type: 'NumberAtom',
    kind: 'percentage',
    value: 10,
    canonical: '10%',
    unit: '%',
    name: null,
    confidence: 0.9,
    source: 'ai_extracted',
    version: 1,
    previousVersion: null,
    moleculeIds: [],
    reviewStatus: 'unreviewed',
    updatedAt: '2026-01-01T00:00:00.000Z',
  };
}

function stateWith(annotations: AnnotationDto[]): EditorState {
  const state = EditorState.create({ doc, plugins: [knowledgeAnnotationsPlugin()] });
  const knowledge = { annotations, atoms: annotations.map(atomFor), molecules: [] };
  return state.apply(state.tr.setMeta(annotationsPluginKey, { knowledge }));
}

function drawnText(state: EditorState): string[] {
  const plugin = annotationsPluginKey.getState(state);
  assert.ok(plugin);
  return plugin.drawn.find().map((decoration) => state.doc.textBetween(decoration.from, decoration.to, '\n', '\n'));
}

describe('annotation offsets -> editor positions', () => {
  it('computes every block text exactly as the blocks projection does', () => {
    const ydoc = new Y.Doc();
    prosemirrorJSONToYXmlFragment(schema, json, ydoc.getXmlFragment(YDOC_FIELD));
    const projected = projectBlocks(ydoc.getXmlFragment(YDOC_FIELD)).blocks;
    assert.equal(projected.length, Object.keys(ids).length);
    for (const block of projected) assert.equal(mapOf(block.id).text, blockText(block.content), block.blockType);
  });

  it('maps a span in a paragraph across a mark boundary', () => {
    assert.equal(covered(ids.para, 'In Quebec, the rate is '.length, 'In Quebec, the rate is 10%.'.length), '10%.');
  });

  it('maps a span in a heading', () => {
    assert.equal(covered(ids.heading, 15, 19), '2026');
  });

  it('maps a nested list item by its own text, not its parent item', () => {
    assert.equal(mapOf(ids.parent).text, 'Parent item');
    assert.equal(mapOf(ids.nested).text, 'Nested $5,000 limit');
    assert.equal(covered(ids.nested, 7, 13), '$5,000');
  });

  it('maps a quote whose span crosses its two paragraphs', () => {
    assert.equal(mapOf(ids.quote).text, 'First line\nsecond line');
    assert.equal(covered(ids.quote, 6, 17), 'line\nsecond');
    assert.equal(covered(ids.quote, 11, 17), 'second');
  });

  it('maps table cells joined with tabs and rows with newlines', () => {
    assert.equal(mapOf(ids.table).text, 'Province\tRate\nQuebec\t10%');
    assert.equal(covered(ids.table, 14, 20), 'Quebec');
    assert.equal(covered(ids.table, 21, 24), '10%');
  });

  it('counts emoji as UTF-16 code units, and a hard break as one newline', () => {
    const map = mapOf(ids.emoji);
    assert.equal(map.text, '🇨🇦 pays 😀 \n5% more');
    assert.equal(covered(ids.emoji, map.text.indexOf('😀'), map.text.indexOf('😀') + 2), '😀');
    assert.equal(covered(ids.emoji, map.text.indexOf('5%'), map.text.indexOf('5%') + 2), '5%');
  });

  it('reads a selection inside one block back as offsets and quote', () => {
    const range = rangeOfOffsets(mapOf(ids.nested), 7, 13);
    assert.ok(range);
    assert.deepEqual(selectionInBlock(doc, range.from, range.to), { blockId: ids.nested, start: 7, end: 13, quote: '$5,000', ...range });
    const para = rangeOfOffsets(mapOf(ids.para), 0, 2);
    const heading = rangeOfOffsets(mapOf(ids.heading), 0, 2);
    assert.ok(para && heading);
    assert.equal(selectionInBlock(doc, para.from, heading.to), null);
  });
});

describe('knowledge highlight plugin', () => {
  it('moves a span start past text inserted right before it, but not its end past text inserted right after', () => {
    const shift = shiftPastEdit('pay 10% now', 'pay about 10% now');
    assert.equal(shift(4, 1), 10);
    const after = shiftPastEdit('pay 10% now', 'pay 10%!! now');
    assert.equal(after(7, -1), 7);
    assert.equal(after(4, 1), 4);
  });

  it('highlights the quoted text and skips an annotation whose quote no longer matches', () => {
    const stale = { ...atomAnnotation(ids.para, '10%', 'ann-2'), quote: '20%' };
    const state = stateWith([atomAnnotation(ids.nested, '$5,000'), stale]);
    assert.deepEqual(drawnText(state), ['$5,000']);
  });

  it('keeps a highlight on its text through an insertion before it', () => {
    const state = stateWith([atomAnnotation(ids.para, '10%')]);
    const next = state.apply(state.tr.insertText('Today: ', 1));
    assert.deepEqual(drawnText(next), ['10%']);
  });

  it('keeps a locally moved highlight when a refetch still has the offsets from before the edit', () => {
    const annotations = [atomAnnotation(ids.para, '10%')];
    const state = stateWith(annotations);
    const edited = state.apply(state.tr.insertText('Today: ', 1));
    const knowledge = { annotations, atoms: annotations.map(atomFor), molecules: [] };
    assert.deepEqual(drawnText(edited.apply(edited.tr.setMeta(annotationsPluginKey, { knowledge }))), ['10%']);
  });

  it('re-anchors highlights after a collaboration rewrite of the whole document', () => {
    const state = stateWith([atomAnnotation(ids.para, '10%')]);
    // What y-sync does for a remote edit: replace everything with the new content.
    const [highlight] = annotationsPluginKey.getState(state)?.all.find() ?? [];
    assert.ok(highlight);
    const remote = state.tr.replaceWith(0, state.doc.content.size, state.doc.content);
    remote.insertText('Since 2026, ', 1);
    // Right against the span: the highlight must not take the new text in.
    remote.insertText('about ', highlight.from + 'Since 2026, '.length);
    remote.setMeta(ySyncPluginKey, { isChangeOrigin: true });
    assert.deepEqual(drawnText(state.apply(remote)), ['10%']);
  });
});
